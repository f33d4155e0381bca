// --gtest_parallel_timeout and --gtest_parallel_slow, on the `faults_hang`
// and `faults_slow_start` fixtures.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixture_programs.h"
#include "scenario.h"

namespace faults {
namespace {

// Runs `hung` and the ten Quick tests on 2 workers with a 2 s limit.
Outcome RunWithTimeout(const std::string& hung,
                       std::vector<std::string> extra_args = {},
                       std::vector<std::string> env = {}) {
  std::vector<std::string> args{"--gtest_parallel=2",
                                "--gtest_filter=" + hung + ":Quick/*"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return RunFixture(kHang, args, env, 60);
}

void ExpectStoppedByTimeout(const Outcome& run, const std::string& hung) {
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  // 2 s, a grace period, and a start-up.
  EXPECT_LT(run.run.seconds, 20) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  const TestCase* test = run.report.Find(hung);
  ASSERT_NE(test, nullptr) << run.Context();
  EXPECT_TRUE(test->Failed()) << test->element;
  EXPECT_TRUE(test->Mentions("--gtest_parallel_timeout")) << test->element;
  EXPECT_EQ(run.report.tests().size(), 11u) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), hung + ": failed\n") << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST(Timeout, HangingTestIsStoppedAndFailed) {
  ExpectStoppedByTimeout(
      RunWithTimeout("Hang.SleepsForever", {"--gtest_parallel_timeout=2"}),
      "Hang.SleepsForever");
}

TEST(Timeout, TestIgnoringSigtermIsKilled) {
  ExpectStoppedByTimeout(
      RunWithTimeout("Hang.IgnoresSigterm", {"--gtest_parallel_timeout=2"}),
      "Hang.IgnoresSigterm");
}

TEST(Timeout, ProcessesOfTheHungTestAreStoppedToo) {
  ExpectStoppedByTimeout(
      RunWithTimeout("Hang.WithGrandchild", {"--gtest_parallel_timeout=2"}),
      "Hang.WithGrandchild");
}

TEST(Timeout, SetByEnvironmentVariable) {
  ExpectStoppedByTimeout(
      RunWithTimeout("Hang.SleepsForever", {}, {"GTEST_PARALLEL_TIMEOUT=2"}),
      "Hang.SleepsForever");
}

TEST(Timeout, TestWithinTheLimitPasses) {
  const Outcome run =
      RunWithTimeout("Slow.TakesThreeSeconds", {"--gtest_parallel_timeout=10"});
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_EQ(run.report.tests().size(), 11u) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "") << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

// Worker start-up (slow static initializers) is not a test's time.
TEST(Timeout, SlowWorkerStartUpIsNotCounted) {
  const Outcome run = RunFixture(
      kSlowStart, {"--gtest_parallel=2", "--gtest_parallel_timeout=1"},
      {"FAULTS_START_DELAY_MS=3000"}, 60);
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_EQ(run.report.tests().size(), 10u) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "") << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST(Timeout, SlowNoticeNamesTheRunningTest) {
  const Outcome run =
      RunWithTimeout("Slow.TakesThreeSeconds", {"--gtest_parallel_slow=1"});
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_NE(run.run.err.find("Slow.TakesThreeSeconds"), std::string::npos)
      << "no notice on stderr" << run.Context();
  EXPECT_EQ(run.run.err.find("Quick/QuickTest"), std::string::npos)
      << "a notice for a quick test" << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "") << run.Context();
}

}  // namespace
}  // namespace faults
