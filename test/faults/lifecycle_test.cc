// A worker's whole life is accounted for, on the `faults_lifecycle`
// fixture: its exit after the last test (status and output), a test that
// breaks its result channel, and processes that leave its process group.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fixture_programs.h"
#include "scenario.h"

namespace faults {
namespace {

// Runs `tests` and the 40 passing ones on 2 workers.
Outcome RunLifecycle(const std::string& tests,
                     std::vector<std::string> extra_args = {}) {
  std::vector<std::string> args{"--gtest_parallel=2",
                                "--gtest_filter=" + tests + ":P/*"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return RunFixture(kLifecycle, args, {}, 90);
}

// Every test of the report passed except `failed`, which failed.
void ExpectOnlyFailed(const Outcome& run, const std::string& failed) {
  EXPECT_EQ(run.report.tests().size(), 41u + (failed.empty() ? 1 : 0))
      << run.Context();
  EXPECT_EQ(run.report.NotPassed(), failed.empty() ? "" : failed + ": failed\n")
      << run.Context();
}

// The part of the XML report GoogleTest writes for failures outside tests.
std::string NonTestFailure(const Outcome& run) {
  const size_t at = run.report.xml().find("NonTestSuiteFailure");
  return at == std::string::npos ? "" : run.report.xml().substr(at);
}

TEST(Lifecycle, AbortInAStaticDestructorFailsTheRun) {
  const std::string test = "Exit.AbortsInStaticDestructor";
  const Outcome serial = RunFixture(kLifecycle, {"--gtest_filter=" + test});
  ASSERT_EQ(serial.run.signal, SIGABRT) << serial.Context();

  const Outcome run = RunLifecycle(test);
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  // The exit's failure is reported where GoogleTest reports failures
  // outside tests: a "NonTestSuiteFailure" entry, unnamed.
  EXPECT_EQ(run.report.NotPassed(), ".: failed\n") << run.Context();
  const std::string failure = NonTestFailure(run);
  EXPECT_NE(failure.find("was killed by SIGABRT (Aborted) after its last test"),
            std::string::npos)
      << run.Context();
  EXPECT_NE(failure.find("faults: a static destructor aborts"),
            std::string::npos)
      << run.Context();
  EXPECT_NE(run.run.out.find("was killed by SIGABRT (Aborted) after its last"),
            std::string::npos)
      << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST(Lifecycle, OutputOfACleanExitIsShown) {
  const Outcome run = RunLifecycle("Exit.TalksInStaticDestructor");
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_EQ(NonTestFailure(run), "") << run.Context();
  EXPECT_TRUE(
      ContainsPattern(run.run.err,
                      "worker {N} (pid {N}) wrote this after its last "
                      "test:\nfaults: goodbye from a static destructor"))
      << run.Context();
}

TEST(Lifecycle, HangAtExitEndsAtTheTimeout) {
  const Outcome run = RunLifecycle("Exit.HangsInStaticDestructor",
                                   {"--gtest_parallel_timeout=2"});
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_LT(run.run.seconds, 20) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), ".: failed\n") << run.Context();
  EXPECT_NE(NonTestFailure(run).find("the exit ran longer than 2 s"),
            std::string::npos)
      << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

// A test that closes or replaces the runner's descriptors fails, named as
// the cause, once: its worker is not replaced again and again.
void ExpectChannelBlamed(const std::string& test,
                         std::vector<std::string> extra_args) {
  const Outcome run = RunLifecycle(test, extra_args);
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_LT(run.run.seconds, 20) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  ExpectOnlyFailed(run, test);
  const TestCase* failed = run.report.Find(test);
  ASSERT_NE(failed, nullptr) << run.Context();
  EXPECT_TRUE(
      failed->Mentions("its channel to the coordinator, was closed or "
                       "replaced"))
      << failed->element;
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST(Lifecycle, ClosingTheChannelFailsThatTest) {
  ExpectChannelBlamed("Channel.ClosesDescriptors", {});
}

TEST(Lifecycle, ReplacingTheChannelFailsThatTest) {
  ExpectChannelBlamed("Channel.DupsDevNullOverDescriptors", {});
}

TEST(Lifecycle, BrokenChannelWithRetriesStillEnds) {
  ExpectChannelBlamed(
      "Channel.DupsDevNullOverDescriptors",
      {"--gtest_parallel_retries=2", "--gtest_parallel_timeout=5"});
}

TEST(Lifecycle, DaemonsDieWhenTheCoordinatorIsKilled) {
  ScratchDir scratch;
  FixtureRun run({kLifecycle, "--gtest_parallel=2",
                  "--gtest_filter=Orphans.SleepsWithDaemonAndChild:P/*"},
                 {"FAULTS_STATE_DIR=" + scratch.path()});
  ASSERT_TRUE(run.WaitForFile(
      scratch.File("Orphans.SleepsWithDaemonAndChild.started"), 30))
      << run.CommandLine();
  // The daemon, the child, the test's worker and the coordinator (the
  // other worker may have ended: nothing is left for it).
  ASSERT_TRUE(run.WaitForProcesses(4, 10)) << run.CommandLine();
  run.Signal(SIGKILL);
  const RunResult& result = run.Wait(10);
  EXPECT_EQ(result.signal, SIGKILL) << result.Describe();
  EXPECT_EQ(Leftovers(run.run_id(), 10.0), "")
      << "processes outlived their coordinator by 10 s; command: "
      << run.CommandLine();
}

TEST(Lifecycle, DaemonOfAStoppedTestIsKilled) {
  const Outcome run = RunLifecycle("Orphans.SleepsWithDaemonAndChild",
                                   {"--gtest_parallel_timeout=2"});
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  ExpectOnlyFailed(run, "Orphans.SleepsWithDaemonAndChild");
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST(Lifecycle, DaemonLeftByATestIsKilled) {
  const Outcome run = RunLifecycle("Orphans.LeavesDaemon");
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

// Under valgrind (--trace-children=yes reaches the workers), an error
// fails the test that caused it, shown with valgrind's report, and the
// run's exit status says so.
TEST(Lifecycle, ValgrindErrorFailsTheTest) {
  const std::string valgrind = FAULTS_VALGRIND;
  ASSERT_FALSE(valgrind.empty())
      << "valgrind is not installed (scripts/install-deps.sh --tests)";
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  const std::string test = "Memory.BranchesOnUninitialisedMemory";
  std::vector<std::string> argv = FixtureArgv(
      kLifecycle, {"--gtest_parallel=2", "--gtest_filter=" + test + ":P/*"},
      xml);
  argv.insert(argv.begin(),
              {valgrind, "-q", "--trace-children=yes", "--error-exitcode=9"});
  FixtureRun run(argv, {});
  const Outcome outcome = Finish(&run, xml, 120);
  EXPECT_FALSE(outcome.run.timed_out) << outcome.Context();
  EXPECT_EQ(outcome.run.exit_code, 1) << outcome.Context();
  ExpectOnlyFailed(outcome, test);
  const TestCase* failed = outcome.report.Find(test);
  ASSERT_NE(failed, nullptr) << outcome.Context();
  EXPECT_TRUE(
      failed->Mentions("valgrind reported &quot;Conditional jump or "
                       "move depends on uninitialised value(s)&quot;"))
      << failed->element;
  EXPECT_NE(ConsoleSection(outcome.run.out, test)
                .find("Conditional jump or move depends on uninitialised"),
            std::string::npos)
      << outcome.Context();
  EXPECT_EQ(outcome.leftovers, "") << outcome.Context();
}

}  // namespace
}  // namespace faults
