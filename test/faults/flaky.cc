// Fixture: tests that fail, crash or hang on their first attempt only, one
// that always fails and some that always pass, for retries. Attempts are
// remembered in files of the directory named by FAULTS_STATE_DIR (a fresh
// one per run): <Suite.Test>.seen once attempted, and one line per attempt
// in <Suite.Test>.runs ('/' in names becomes '_').
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "fault_actions.h"

namespace {

class Attempts : public testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = faults::Env("FAULTS_STATE_DIR");
    ASSERT_FALSE(dir.empty()) << "set FAULTS_STATE_DIR to an empty directory";
    const testing::TestInfo* info =
        testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        std::string(info->test_suite_name()) + "." + info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    base_ = dir + "/" + name;
    std::ofstream(base_ + ".runs", std::ios::app) << "attempt\n";
  }

  // True on the first attempt, which it records.
  bool FirstAttempt() {
    const std::string seen = base_ + ".seen";
    if (access(seen.c_str(), F_OK) == 0) return false;
    std::ofstream(seen) << "seen\n";
    return true;
  }

 private:
  std::string base_;
};

using Flaky = Attempts;
using AlwaysFails = Attempts;

TEST_F(Flaky, FailsOnce) {
  if (FirstAttempt()) FAIL() << "faults: first attempt fails";
}

TEST_F(Flaky, CrashesOnce) {
  if (FirstAttempt()) {
    faults::Say("first attempt aborts");
    std::abort();
  }
}

TEST_F(Flaky, HangsOnce) {
  if (FirstAttempt()) {
    faults::Say("first attempt hangs");
    faults::SleepFor(std::chrono::seconds(1000));
  }
}

TEST_F(AlwaysFails, Fails) { FAIL() << "faults: fails every time"; }

class SteadyTest : public Attempts, public testing::WithParamInterface<int> {};

TEST_P(SteadyTest, Passes) { EXPECT_GE(GetParam(), 0); }

INSTANTIATE_TEST_SUITE_P(Steady, SteadyTest, testing::Range(0, 5));

}  // namespace
