// Properties of the worker processes: SetUpTestSuite at most once per suite
// per process, the worker environment, a run of the `sleepy` fixture on 8
// workers and one in an unforeseen test order, and what the coordinator
// adds to stderr.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "fixtures.h"
#include "scenario.h"
#include "text_compare.h"

namespace gtest_parallel_e2e {
namespace {

// Runs `build` of `fixture` and expects exit code 0 and `passed_line` in
// stdout.
void ExpectPasses(Build build, const std::string& fixture,
                  const std::vector<std::string>& args, const EnvChanges& env,
                  const std::string& passed_line) {
  ScratchDir scratch;
  const FixtureRun run =
      RunFixture(FixtureNamed(fixture), {build, args, env}, scratch, "run");
  EXPECT_EQ(run.process.Describe(), "exit code 0") << run.Context();
  EXPECT_NE(run.process.out.find(passed_line), std::string::npos)
      << run.Context();
}

TEST(WorkersTest, SetUpTestSuiteOncePerProcessOnFourWorkers) {
  ExpectPasses(Build::kGtestParallel, "setup_once", {"--gtest_parallel=4"}, {},
               "[  PASSED  ] 96 tests.\n");
}

TEST(WorkersTest, WorkerEnvironmentOnThreeWorkers) {
  ExpectPasses(Build::kGtestParallel, "worker_env", {"--gtest_parallel=3"},
               {{"FIXTURE_EXPECT_WORKERS", "3"}}, "[  PASSED  ] 35 tests.\n");
}

TEST(WorkersTest, WorkerEnvironmentOfSerialRuns) {
  ExpectPasses(Build::kGtestParallel, "worker_env", {},
               {{"FIXTURE_EXPECT_WORKERS", "0"}}, "[  PASSED  ] 35 tests.\n");
  ExpectPasses(Build::kReference, "worker_env", {},
               {{"FIXTURE_EXPECT_WORKERS", "0"}}, "[  PASSED  ] 35 tests.\n");
}

TEST(WorkersTest, SleepyOnEightWorkers) {
  ExpectPasses(Build::kGtestParallel, "sleepy", {"--gtest_parallel=8"}, {},
               "[  PASSED  ] 200 tests.\n");
}

// A GoogleTest that runs a suite's tests in an order nobody foresaw (here
// workers made to run every suite last to first): the tests a worker's run
// of a suite did not reach go back and run in a new run of the suite. The
// run ends and the reports are the serial ones.
TEST(WorkersTest, UnforeseenTestOrderStillRunsEveryTest) {
  Scenario scenario;
  scenario.fixture = "sleepy";
  scenario.env = {{"GTEST_PARALLEL_TESTING_REVERSE_SUITES", "1"}};
  scenario.workers = {2, 3};
  CheckScenario(scenario);
}

// --gtest_repeat=0 runs no iteration: the run ends at once, prints no test
// and waits for no worker to run one (the sleepy fixture's 200 tests of
// 20 ms would take 2 s on two workers).
TEST(WorkersTest, RepeatZeroRunsNoTest) {
  const Fixture& fixture = FixtureNamed("sleepy");
  ScratchDir scratch;
  const auto start = std::chrono::steady_clock::now();
  const FixtureRun run = RunFixture(
      fixture,
      {Build::kGtestParallel, {"--gtest_parallel=2", "--gtest_repeat=0"}},
      scratch, "repeat0");
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.process.exit_code, 0) << run.Context();
  EXPECT_EQ(run.process.out.find("[ RUN"), std::string::npos) << run.Context();
  EXPECT_LT(took.count(), 1.0) << run.Context();
}

// Serial runs add nothing to stderr; parallel runs add only the
// coordinator's notes, one line each, all with the same prefix.
TEST(WorkersTest, OnlyNotesAddedToStderr) {
  const Fixture& fixture = FixtureNamed("basic_pass");
  ScratchDir scratch;
  for (const char* flag : {"--gtest_parallel=0", "--gtest_parallel=1"}) {
    const FixtureRun run =
        RunFixture(fixture, {Build::kGtestParallel, {flag}}, scratch, flag);
    EXPECT_EQ(run.process.err, "") << run.Context();
  }
  const FixtureRun run = RunFixture(
      fixture, {Build::kGtestParallel, {"--gtest_parallel=2"}}, scratch, "2");
  EXPECT_EQ(WithoutLinesStartingWith(run.process.err, kRunnerNotePrefix), "")
      << run.Context();
  EXPECT_NE(run.process.err.find(std::string(kRunnerNotePrefix) + "running "),
            std::string::npos)
      << run.Context();
}

}  // namespace
}  // namespace gtest_parallel_e2e
