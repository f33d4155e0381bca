// No process is left behind: processes started by tests go with their
// worker, and workers go when the coordinator is SIGKILLed, even while
// they are still starting.
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

// Starts `fixture` with `args` and `env`, waits for the coordinator and 2
// workers, SIGKILLs the coordinator and expects the workers gone in 3 s.
void ExpectWorkersFollowTheCoordinator(const std::string& fixture,
                                       const std::string& filter,
                                       std::vector<std::string> env) {
  FixtureRun run({fixture, "--gtest_parallel=2", "--gtest_filter=" + filter},
                 std::move(env));
  ASSERT_TRUE(run.WaitForProcesses(3, 30)) << run.CommandLine();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  run.Signal(SIGKILL);
  const RunResult& result = run.Wait(10);
  EXPECT_EQ(result.signal, SIGKILL) << result.Describe();
  EXPECT_EQ(Leftovers(run.run_id(), 3.0), "")
      << "workers outlived their coordinator by 3 s; command: "
      << run.CommandLine();
}

TEST(Cleanup, WorkersExitWhenTheCoordinatorIsKilled) {
  ExpectWorkersFollowTheCoordinator(kHang, "Hang.SleepsForever:Sleepers/*", {});
}

TEST(Cleanup, StartingWorkersExitWhenTheCoordinatorIsKilled) {
  ExpectWorkersFollowTheCoordinator(kSlowStart, "*",
                                    {"FAULTS_START_DELAY_MS=20000"});
}

// `sleep 1000` and an endless writer left by tests are gone after the run,
// and do not hold it up.
TEST(Cleanup, ProcessesLeftByTestsAreKilled) {
  const Outcome run = RunFixture(
      kFaults,
      {"--gtest_parallel=2", "--gtest_filter=LeftSleep.*:LeftWriter.*:A/*"}, {},
      60);
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_LT(run.run.seconds, 20) << run.Context();
  EXPECT_EQ(run.report.tests().size(), 42u) << run.Context();
  for (const TestCase& test : run.report.tests()) {
    if (test.suite == "A/PassingTest") {
      EXPECT_TRUE(test.Passed()) << test.element;
    }
  }
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

// Crashing workers are replaced; what they started goes with them.
TEST(Cleanup, NothingLeftAfterCrashesAndTimeouts) {
  const Outcome run = RunFixture(
      kFaults,
      {"--gtest_parallel=2", "--gtest_parallel_timeout=3",
       "--gtest_filter=LeftSleep.*:Segfault.*:LeftWriter.*:SelfKill.*:"
       "Hang.*:B/*"},
      {}, 60);
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

}  // namespace
}  // namespace faults
