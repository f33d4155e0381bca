// End-to-end tests of the per-test reset and the leak check, on SQLite
// (file and in memory), PostgreSQL and MariaDB: reset_fixture's tests each
// check that they start from the template's state, in parallel (one worker
// and several) and serially, after a crash, with a suite that writes in its
// set-up; --gtest_parallel_db_reset=never shows the same tests fail; the
// leak check names exactly the tests that leave rows.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "database_run.h"

namespace {

using database_run::DatabaseTestBase;
using faults::RunResult;

constexpr int kResetFixtureTests = 22;

// The tests a run's console output reports as failed.
std::set<std::string> FailedTests(const std::string& out) {
  std::set<std::string> failed;
  static const std::regex kFailed(
      "\\[  FAILED  \\] ([A-Za-z0-9_/]+\\.[A-Za-z0-9_/]+)[ ,]");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), kFailed);
       it != std::sregex_iterator(); ++it) {
    failed.insert((*it)[1]);
  }
  return failed;
}

class ResetRun : public DatabaseTestBase,
                 public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    program_ = RESET_FIXTURE;
    SetUpBackend(GetParam());
  }

  // Expects every test of the fixture to pass.
  void ExpectAllPass(const RunResult& result) {
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("[  PASSED  ] " +
                              std::to_string(kResetFixtureTests) + " tests."),
              std::string::npos)
        << result.out;
  }
};

TEST_P(ResetRun, EveryTestStartsFromTheTemplateOnSeveralWorkers) {
  ExpectAllPass(Run({"--gtest_parallel=2"}));
  ExpectAllPass(Run({"--gtest_parallel=4", "--gtest_parallel_split=always"}));
}

TEST_P(ResetRun, EveryTestStartsFromTheTemplateInASerialRun) {
  ExpectAllPass(Run({}));
}

TEST_P(ResetRun, EitherOrderGivesTheSameResult) {
  // Shuffled orders put readers before and after writers.
  for (const char* seed : {"1", "2", "3"}) {
    ExpectAllPass(Run({"--gtest_parallel=2", "--gtest_shuffle",
                       std::string("--gtest_random_seed=") + seed}));
  }
}

TEST_P(ResetRun, WithoutResetTheReadersSeeTheWritersRows) {
  // The check above can fail: with resets off, readers after a writer on
  // the same process see its rows.
  const RunResult result = Run({"--gtest_parallel_db_reset=never"});
  EXPECT_EQ(result.exit_code, 1) << result.out;
  const std::set<std::string> failed = FailedTests(result.out);
  EXPECT_EQ(failed.count("Tests/Order.StartsFromTheTemplate/1"), 1u)
      << result.out;
}

// The Crash suite's two tests on one worker of two, while the other is busy
// (Busy.WhileTheOtherCrashes): the second runs in the worker that replaces
// the crashed one, on the same clone.
std::vector<std::string> CrashSuiteArgs(const std::string& scope) {
  return {"--gtest_parallel=2", "--gtest_filter=Crash.*:Busy.*",
          "--gtest_parallel_split=never", "--gtest_parallel_output=all",
          "--gtest_parallel_db_reset=" + scope};
}

// The clone each Crash test used, by test name.
std::map<std::string, std::string> CrashClones(const std::string& out) {
  std::map<std::string, std::string> clones;
  static const std::regex kClone("crash-suite test=(\\w+) database=(\\w+)");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), kClone);
       it != std::sregex_iterator(); ++it) {
    clones[(*it)[1]] = (*it)[2];
  }
  return clones;
}

TEST_P(ResetRun, TheTestAfterACrashSeesTheTemplate) {
  const RunResult result =
      Run(CrashSuiteArgs("test"), {"RESET_FIXTURE_CRASH=1"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(FailedTests(result.out),
            std::set<std::string>{"Crash.WritesThenDies"})
      << result.out;
  EXPECT_NE(result.out.find("killed by SIGABRT"), std::string::npos)
      << result.out;
  std::map<std::string, std::string> clones = CrashClones(result.out);
  EXPECT_EQ(clones["WritesThenDies"], clones["NextSeesTheTemplate"])
      << "the test after the crash ran on another clone:\n"
      << result.out;
}

TEST_P(ResetRun, ResetOnlyAfterACrashKeepsRowsBetweenTests) {
  // The crash's writes are gone for the replacement worker...
  const RunResult result =
      Run(CrashSuiteArgs("crash"), {"RESET_FIXTURE_CRASH=1"});
  EXPECT_EQ(FailedTests(result.out),
            std::set<std::string>{"Crash.WritesThenDies"})
      << result.out;
  // ...but without a crash the next test sees them.
  const RunResult kept = Run(CrashSuiteArgs("crash"));
  EXPECT_EQ(FailedTests(kept.out),
            std::set<std::string>{"Crash.NextSeesTheTemplate"})
      << kept.out;
  std::map<std::string, std::string> clones = CrashClones(kept.out);
  EXPECT_EQ(clones["WritesThenDies"], clones["NextSeesTheTemplate"])
      << kept.out;
}

TEST_P(ResetRun, LeakCheckNamesExactlyTheTestsThatLeaveRows) {
  for (const char* scope : {"test", "never"}) {
    const RunResult result =
        Run({"--gtest_parallel=2", "--gtest_parallel_db_leaks",
             std::string("--gtest_parallel_db_reset=") + scope});
    EXPECT_EQ(result.exit_code, 1) << result.out;
    const std::set<std::string> expected = {
        "Leaks.LeavesRows", "Leaks.ChangesARow", "Crash.WritesThenDies"};
    std::set<std::string> failed = FailedTests(result.out);
    // Writers of the Order suite leave rows too.
    for (int i = 0; i < 12; i += 2) {
      EXPECT_EQ(failed.erase("Tests/Order.StartsFromTheTemplate/" +
                             std::to_string(i)),
                1u)
          << "writer " << i << " not named (scope " << scope << ")";
    }
    EXPECT_EQ(failed, expected) << "scope " << scope << "\n" << result.out;
    EXPECT_NE(result.out.find("the test left database 'app' different from "
                              "its template: table markers: 2 rows "
                              "(template 0)"),
              std::string::npos)
        << result.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ResetRun,
                         ::testing::Values("sqlite_file", "sqlite_memory",
                                           "postgresql", "mariadb"),
                         [](const auto& info) { return info.param; });

}  // namespace
