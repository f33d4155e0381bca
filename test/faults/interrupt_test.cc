// SIGINT and SIGTERM sent to the coordinator (`faults_hang` and
// `faults_slow_start` fixtures): the first SIGINT stops dispatch and gives
// running tests a grace period, SIGTERM stops them at once; either way the
// report so far is printed, tests cut short are reported skipped as
// interrupted (not failed), the tests not run are skipped in the XML report
// but listed in one block on the console, a closing line counts them, and
// the run exits with 128 + the signal. A second SIGINT kills the workers at
// once. Nothing is left behind either way.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "fixture_programs.h"
#include "scenario.h"

namespace faults {
namespace {

constexpr char kOk[] = "[       OK ] ";

// How many times `text` occurs in `in`.
int Count(const std::string& in, const std::string& text) {
  int count = 0;
  for (size_t at = in.find(text); at != std::string::npos;
       at = in.find(text, at + 1)) {
    ++count;
  }
  return count;
}

// Runs the 20 one-second Sleepers on 2 workers and sends `signal` once the
// first has passed: the rest are reported, as passed, interrupted or not
// run.
void ExpectInterruptedCleanly(int signal) {
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  FixtureRun run(
      FixtureArgv(kHang, {"--gtest_parallel=2", "--gtest_filter=Sleepers/*"},
                  xml),
      {});
  ASSERT_TRUE(run.WaitForOutput(kOk, 30)) << run.CommandLine() << "\n"
                                          << run.out();
  const double signalled_at = run.Elapsed();
  run.Signal(signal);
  const Outcome outcome = Finish(&run, xml, 30);
  EXPECT_EQ(outcome.run.exit_code, 128 + signal) << outcome.Context();
  EXPECT_LT(outcome.run.seconds - signalled_at, 6)
      << "slow to stop" << outcome.Context();
  EXPECT_EQ(outcome.leftovers, "") << outcome.Context();

  const Report& report = outcome.report;
  ASSERT_EQ(report.tests().size(), 20u) << outcome.Context();
  int passed = 0, not_run = 0, interrupted = 0;
  for (const TestCase& test : report.tests()) {
    if (test.Passed()) ++passed;
    if (test.Skipped() && test.Mentions("not run")) ++not_run;
    if (test.Skipped() && test.Mentions("interrupted: worker")) ++interrupted;
    EXPECT_TRUE(test.Passed() || test.Skipped()) << test.element;
  }
  EXPECT_GE(passed, 1) << outcome.Context();
  EXPECT_GE(not_run, 1) << outcome.Context();
  EXPECT_EQ(passed + not_run + interrupted, 20) << report.xml();
  if (signal == SIGINT) {
    // The grace period lets one-second tests finish.
    EXPECT_EQ(interrupted, 0) << report.xml();
  }
  const std::string& out = outcome.run.out;
  // The tests not run have no console lines of their own, only the block.
  EXPECT_EQ(Count(out, "[ RUN      ] "), passed + interrupted)
      << outcome.Context();
  EXPECT_NE(out.find("[ NOT RUN  ] " + std::to_string(not_run) + " tests " +
                     "were not run: the run was interrupted, listed below:\n"),
            std::string::npos)
      << outcome.Context();
  EXPECT_EQ(Count(out, "[ NOT RUN  ] Sleepers/"), not_run) << outcome.Context();
  EXPECT_NE(out.find("[==========] 20 tests"), std::string::npos)
      << "no closing summary" << outcome.Context();
  const std::string closing =
      "[gtest_parallel] interrupted: " + std::to_string(passed) +
      " passed, 0 failed, " + std::to_string(interrupted) + " interrupted, " +
      std::to_string(not_run) + " not run in ";
  EXPECT_NE(outcome.run.err.find(closing), std::string::npos)
      << closing << outcome.Context();
}

TEST(Interrupt, SigintOnceReportsSoFarAndSkipsTheRest) {
  ExpectInterruptedCleanly(SIGINT);
}

TEST(Interrupt, SigtermOnceReportsSoFarAndSkipsTheRest) {
  ExpectInterruptedCleanly(SIGTERM);
}

// A test that does not end by itself is stopped after the grace period.
TEST(Interrupt, SigintStopsAHangingTestAfterTheGrace) {
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  FixtureRun run(FixtureArgv(kHang,
                             {"--gtest_parallel=2",
                              "--gtest_filter=Hang.IgnoresSigterm:"
                              "Quick/*"},
                             xml),
                 {"FAULTS_STATE_DIR=" + scratch.path()});
  ASSERT_TRUE(run.WaitForFile(scratch.File("Hang.IgnoresSigterm.started"), 30))
      << run.CommandLine() << "\n"
      << run.out();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double signalled_at = run.Elapsed();
  run.Signal(SIGINT);
  const Outcome outcome = Finish(&run, xml, 30);
  EXPECT_EQ(outcome.run.exit_code, 130) << outcome.Context();
  // ~2 s of grace, ~1 s between SIGTERM and SIGKILL.
  EXPECT_LT(outcome.run.seconds - signalled_at, 8)
      << "slow to stop" << outcome.Context();
  EXPECT_EQ(outcome.leftovers, "") << outcome.Context();
  EXPECT_EQ(outcome.report.tests().size(), 11u) << outcome.Context();
  for (const TestCase& test : outcome.report.tests()) {
    if (test.suite == "Quick/QuickTest") {
      EXPECT_TRUE(test.Passed() || test.Skipped()) << test.element;
    } else {
      // Cut short: interrupted, not failed.
      EXPECT_TRUE(test.Skipped() && test.Mentions("interrupted: worker") &&
                  test.Mentions("grace period ended"))
          << test.element;
    }
  }
}

// SIGTERM (ctest's timeout, a CI job cancelled) gives no grace period: the
// running tests stop at once and the report of what finished is printed.
TEST(Interrupt, SigtermStopsRunningTestsAtOnce) {
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  FixtureRun run(FixtureArgv(kHang,
                             {"--gtest_parallel=2",
                              "--gtest_filter=Hang.SleepsForever:Quick/*"},
                             xml),
                 {"FAULTS_STATE_DIR=" + scratch.path()});
  ASSERT_TRUE(run.WaitForFile(scratch.File("Hang.SleepsForever.started"), 30))
      << run.CommandLine() << "\n"
      << run.out();
  const double signalled_at = run.Elapsed();
  run.Signal(SIGTERM);
  const Outcome outcome = Finish(&run, xml, 30);
  EXPECT_EQ(outcome.run.exit_code, 128 + SIGTERM) << outcome.Context();
  EXPECT_LT(outcome.run.seconds - signalled_at, 1.5)
      << "slow to stop" << outcome.Context();
  EXPECT_EQ(outcome.leftovers, "") << outcome.Context();
  ASSERT_EQ(outcome.report.tests().size(), 11u) << outcome.Context();
  for (const TestCase& test : outcome.report.tests()) {
    if (test.suite == "Hang") {
      EXPECT_TRUE(test.Skipped() && test.Mentions("interrupted: worker") &&
                  test.Mentions("terminated (SIGTERM)"))
          << test.element;
    }
  }
  EXPECT_NE(outcome.run.err.find("[gtest_parallel] terminated (SIGTERM)"),
            std::string::npos)
      << outcome.Context();
}

TEST(Interrupt, SecondSigintKillsWorkersAtOnce) {
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  // Both at once: the suite split whatever earlier runs' history says.
  FixtureRun run(
      FixtureArgv(kHang,
                  {"--gtest_parallel=2", "--gtest_parallel_split=always",
                   "--gtest_filter=Hang.IgnoresSigterm:"
                   "Hang.SleepsForever"},
                  xml),
      {"FAULTS_STATE_DIR=" + scratch.path()});
  ASSERT_TRUE(
      run.WaitForFile(scratch.File("Hang.IgnoresSigterm.started"), 30) &&
      run.WaitForFile(scratch.File("Hang.SleepsForever.started"), 30))
      << run.CommandLine() << "\n"
      << run.out();
  run.Signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const double second_at = run.Elapsed();
  run.Signal(SIGINT);
  const Outcome outcome = Finish(&run, xml, 30);
  EXPECT_TRUE(outcome.run.exit_code == 130 || outcome.run.signal == SIGINT)
      << outcome.Context();
  // Without the second SIGINT it would take the grace period and more.
  EXPECT_LT(outcome.run.seconds - second_at, 1.5)
      << "slow to stop" << outcome.Context();
  EXPECT_EQ(outcome.leftovers, "") << outcome.Context();
}

// Workers still in their static initializers are not waited for.
TEST(Interrupt, SigintWhileWorkersStartSkipsEverything) {
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  FixtureRun run(FixtureArgv(kSlowStart, {"--gtest_parallel=2"}, xml),
                 {"FAULTS_START_DELAY_MS=20000"});
  ASSERT_TRUE(run.WaitForProcesses(3, 30)) << run.CommandLine();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double signalled_at = run.Elapsed();
  run.Signal(SIGINT);
  const Outcome outcome = Finish(&run, xml, 40);
  EXPECT_EQ(outcome.run.exit_code, 130) << outcome.Context();
  EXPECT_LT(outcome.run.seconds - signalled_at, 6)
      << "slow to stop" << outcome.Context();
  EXPECT_EQ(outcome.leftovers, "") << outcome.Context();
  ASSERT_EQ(outcome.report.tests().size(), 10u) << outcome.Context();
  for (const TestCase& test : outcome.report.tests()) {
    EXPECT_TRUE(test.Skipped() && test.Mentions("not run")) << test.element;
  }
}

}  // namespace
}  // namespace faults
