// Running the failed tests again, on the `faults_flaky` fixture: the line a
// parallel run with failures ends with, whose command runs exactly the
// failed tests, and --gtest_parallel_rerun_failed, which reads them back
// from the timing file, in parallel and serial runs.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "fixture_programs.h"
#include "scenario.h"

namespace faults {
namespace {

constexpr char kLinePrefix[] =
    "[gtest_parallel] to run the failed tests again: ";

class Rerun : public testing::Test {
 protected:
  // Runs the fixture with `args` after the timing file's flag, an XML
  // report at `report`, each test's attempts counted in `state`.
  Outcome Run(const std::vector<std::string>& args, const std::string& report,
              const ScratchDir& state, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {
        kFlaky, "--gtest_parallel_timing_file=" + timings_};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--gtest_output=xml:" + report);
    env.push_back("FAULTS_STATE_DIR=" + state.path());
    FixtureRun run(std::move(argv), std::move(env));
    return Finish(&run, report, 90);
  }

  // The command of the re-run line on stderr; "" when there is none, and
  // a failure when there are several.
  static std::string RerunCommand(const Outcome& run) {
    const std::string& err = run.run.err;
    EXPECT_LE(Count(err, kLinePrefix), 1) << run.Context();
    const size_t at = err.find(kLinePrefix);
    if (at == std::string::npos) return "";
    const size_t start = at + sizeof(kLinePrefix) - 1;
    return err.substr(start, err.find('\n', start) - start);
  }

  // How many times the test ran with `state`.
  static int Attempts(const ScratchDir& state, const std::string& name) {
    return Count(ReadFile(state.File(name + ".runs")), "attempt\n");
  }

  ScratchDir dir_;
  const std::string timings_ = dir_.File("flaky.timings");
};

// What the first run of every test below selects: two failures among
// passing tests.
const char kFilter[] = "--gtest_filter=Flaky.FailsOnce:AlwaysFails.*:Steady/*";
const char kFailures[] = "Flaky.FailsOnce: failed\nAlwaysFails.Fails: failed\n";

TEST_F(Rerun, TheLastLineRunsExactlyTheFailedTests) {
  const ScratchDir first;
  const std::string report = dir_.File("report.xml");
  const Outcome run = Run({"--gtest_parallel=2", kFilter, "--gtest_repeat=1",
                           "--gtest_parallel_rerun_alone=0"},
                          report, first);
  ASSERT_EQ(run.run.exit_code, 1) << run.Context();
  ASSERT_EQ(run.report.tests().size(), 7u) << run.Context();
  ASSERT_EQ(run.report.NotPassed(), kFailures) << run.Context();
  const std::string command = RerunCommand(run);
  ASSERT_NE(command, "") << run.Context();
  // The program as it was started, the filter and repeat replaced.
  EXPECT_EQ(command.rfind(std::string(kFlaky) + " ", 0), 0u) << command;
  EXPECT_NE(command.find(" --gtest_parallel=2 "), std::string::npos);
  EXPECT_EQ(command.find("Steady"), std::string::npos) << command;
  EXPECT_EQ(command.find("--gtest_repeat"), std::string::npos) << command;
  const std::string filter =
      " --gtest_filter=Flaky.FailsOnce:AlwaysFails.Fails";
  ASSERT_GE(command.size(), filter.size());
  EXPECT_EQ(command.substr(command.size() - filter.size()), filter);

  // The command itself, through the shell, writes the same report.
  std::remove(report.c_str());
  const ScratchDir again;
  FixtureRun rerun({"/bin/sh", "-c", command},
                   {"FAULTS_STATE_DIR=" + again.path()});
  const Outcome second = Finish(&rerun, report, 90);
  EXPECT_EQ(second.run.exit_code, 1) << second.Context();
  EXPECT_EQ(second.report.tests().size(), 2u) << second.Context();
  EXPECT_EQ(second.report.NotPassed(), kFailures) << second.Context();
  EXPECT_EQ(Attempts(again, "Flaky.FailsOnce"), 1);
  EXPECT_EQ(Attempts(again, "AlwaysFails.Fails"), 1);
  EXPECT_EQ(Attempts(again, "Steady_SteadyTest.Passes_0"), 0);
  EXPECT_EQ(RerunCommand(second), command) << second.Context();
  EXPECT_EQ(second.leftovers, "") << second.Context();
}

TEST_F(Rerun, NoLineWithoutFailures) {
  const ScratchDir state;
  const Outcome run = Run({"--gtest_parallel=2", "--gtest_filter=Steady/*"},
                          dir_.File("report.xml"), state);
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_EQ(run.run.err.find(kLinePrefix), std::string::npos) << run.Context();
}

TEST_F(Rerun, RerunFailedRunsTheLastRunsFailures) {
  const ScratchDir first;
  const Outcome run =
      Run({"--gtest_parallel=2", kFilter}, dir_.File("first.xml"), first);
  ASSERT_EQ(run.report.NotPassed(), kFailures) << run.Context();

  // In parallel: both failures again, nothing else.
  const ScratchDir second_state;
  const Outcome second =
      Run({"--gtest_parallel=2", "--gtest_parallel_rerun_failed"},
          dir_.File("second.xml"), second_state);
  EXPECT_EQ(second.run.exit_code, 1) << second.Context();
  EXPECT_EQ(second.report.tests().size(), 2u) << second.Context();
  EXPECT_EQ(second.report.NotPassed(), kFailures) << second.Context();
  EXPECT_NE(second.run.err.find("--gtest_parallel_rerun_failed: running the "
                                "2 tests that failed in the last run"),
            std::string::npos)
      << second.Context();
  EXPECT_EQ(Attempts(second_state, "Steady_SteadyTest.Passes_0"), 0);

  // Serially (the variable this time), within a filter: the one that
  // fails again. Serial runs leave the timing file as it was.
  const ScratchDir third_state;
  const Outcome third = Run({"--gtest_parallel=0", "--gtest_filter=Always*"},
                            dir_.File("third.xml"), third_state,
                            {"GTEST_PARALLEL_RERUN_FAILED=1"});
  EXPECT_EQ(third.run.exit_code, 1) << third.Context();
  EXPECT_EQ(third.report.NotPassed(), "AlwaysFails.Fails: failed\n")
      << third.Context();
  EXPECT_EQ(third.report.tests().size(), 1u) << third.Context();
  EXPECT_EQ(Attempts(third_state, "Flaky.FailsOnce"), 0);

  // Fixed (its first attempt is over in this state), it passes, and the
  // timing file says so: only AlwaysFails.Fails is left.
  const Outcome fourth =
      Run({"--gtest_parallel=2", "--gtest_parallel_rerun_failed",
           "--gtest_filter=-Always*"},
          dir_.File("fourth.xml"), second_state);
  EXPECT_EQ(fourth.run.exit_code, 0) << fourth.Context();
  EXPECT_EQ(fourth.report.tests().size(), 1u) << fourth.Context();
  EXPECT_EQ(fourth.report.NotPassed(), "") << fourth.Context();
  EXPECT_EQ(fourth.run.err.find(kLinePrefix), std::string::npos);
  const Outcome fifth =
      Run({"--gtest_parallel=2", "--gtest_parallel_rerun_failed"},
          dir_.File("fifth.xml"), second_state);
  EXPECT_EQ(fifth.report.NotPassed(), "AlwaysFails.Fails: failed\n")
      << fifth.Context();
  EXPECT_EQ(fifth.report.tests().size(), 1u) << fifth.Context();
}

TEST_F(Rerun, RerunFailedWithNothingToRun) {
  const ScratchDir state;
  // No timing file yet.
  const Outcome missing =
      Run({"--gtest_parallel=2", "--gtest_parallel_rerun_failed"},
          dir_.File("missing.xml"), state);
  EXPECT_EQ(missing.run.exit_code, 1) << missing.Context();
  EXPECT_NE(missing.run.err.find("--gtest_parallel_rerun_failed: no timing "
                                 "file " +
                                 timings_),
            std::string::npos)
      << missing.Context();
  EXPECT_EQ(Attempts(state, "Steady_SteadyTest.Passes_0"), 0);

  const Outcome passing = Run({"--gtest_parallel=2", "--gtest_filter=Steady/*"},
                              dir_.File("passing.xml"), state);
  ASSERT_EQ(passing.run.exit_code, 0) << passing.Context();
  for (const char* workers : {"--gtest_parallel=2", "--gtest_parallel=0"}) {
    const Outcome none = Run({workers, "--gtest_parallel_rerun_failed"},
                             dir_.File("none.xml"), state);
    EXPECT_EQ(none.run.exit_code, 0) << none.Context();
    EXPECT_NE(none.run.err.find("[gtest_parallel] "
                                "--gtest_parallel_rerun_failed: the last run "
                                "had no failed tests (timing file " +
                                timings_ + ")\n"),
              std::string::npos)
        << none.Context();
    EXPECT_EQ(none.run.out, "") << none.Context();
    EXPECT_EQ(none.leftovers, "") << none.Context();
  }
  EXPECT_EQ(Attempts(state, "Steady_SteadyTest.Passes_0"), 1);
}

}  // namespace
}  // namespace faults
