// --gtest_parallel_output and the output cap, on the `faults` fixture:
// failing tests' output is shown by default, passing tests' only with
// `all`, none with `none`; a flood shows its last MiB after a line saying
// how much was left out; and the console lines reach a pipe while the run
// waits for a test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "fixture_programs.h"
#include "scenario.h"

namespace faults {
namespace {

constexpr char kPassingOutput[] = "faults: passing test output ";
constexpr char kAbortOutput[] = "faults: about to call abort()";
constexpr char kAbortMessage[] =
    "was killed by SIGABRT (Aborted) while running Abort.CallsAbort.";

Outcome RunFaults(const std::string& filter, std::vector<std::string> extra) {
  std::vector<std::string> args{"--gtest_parallel=2",
                                "--gtest_filter=" + filter};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunFixture(kFaults, args, {}, 60);
}

TEST(Output, PassingTestsOutputHiddenByDefault) {
  const Outcome run = RunFaults("A/PassingTest.*", {});
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_EQ(run.report.tests().size(), 40u) << run.Context();
  EXPECT_EQ(run.run.out.find(kPassingOutput), std::string::npos)
      << run.Context();
}

TEST(Output, PassingTestsOutputShownWithAll) {
  const Outcome run =
      RunFaults("A/PassingTest.*", {"--gtest_parallel_output=all"});
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_EQ(Count(run.run.out, kPassingOutput), 40) << run.Context();
  // In place: within the test's own lines.
  const std::string console =
      ConsoleSection(run.run.out, "A/PassingTest.Works/7");
  EXPECT_NE(console.find(std::string(kPassingOutput) + "7\n"),
            std::string::npos)
      << run.Context();
}

TEST(Output, FailingTestsOutputShownByDefault) {
  const Outcome run = RunFaults("Abort.*:A/PassingTest.*", {});
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  const std::string console = ConsoleSection(run.run.out, "Abort.CallsAbort");
  const size_t output_at = console.find(kAbortOutput);
  const size_t message_at = console.find(kAbortMessage);
  EXPECT_NE(output_at, std::string::npos) << run.Context();
  EXPECT_NE(message_at, std::string::npos) << run.Context();
  EXPECT_LT(output_at, message_at) << run.Context();
  EXPECT_EQ(run.run.out.find(kPassingOutput), std::string::npos)
      << run.Context();
}

TEST(Output, NoneHidesEvenFailingTestsOutput) {
  const Outcome run =
      RunFaults("Abort.*:A/PassingTest.*", {"--gtest_parallel_output=none"});
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.run.out.find(kAbortOutput), std::string::npos) << run.Context();
  EXPECT_EQ(run.run.out.find(kPassingOutput), std::string::npos)
      << run.Context();
  EXPECT_NE(run.run.out.find(kAbortMessage), std::string::npos)
      << run.Context();
}

TEST(Output, FloodIsCappedKeepingTheEnd) {
  const Outcome run = RunFaults("Flood.*", {});
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_LT(run.run.seconds, 60) << run.Context();
  // 1 MiB kept, plus GoogleTest's lines.
  EXPECT_GT(run.run.out_bytes, 1000000u) << run.Context();
  EXPECT_LT(run.run.out_bytes, 1200000u) << run.Context();
  const std::string& out = run.run.out;
  const size_t end_at = out.find("faults: end of flood");
  const size_t failure_at = out.find("faults: wrote 200 MB");
  EXPECT_NE(end_at, std::string::npos) << Tail(out, 3000);
  EXPECT_LT(end_at, failure_at) << Tail(out, 3000);
  // The line saying how much was left out, before the kept output.
  const size_t omitted_at = out.find("omitted");
  ASSERT_NE(omitted_at, std::string::npos) << out.substr(0, 3000);
  EXPECT_LT(omitted_at, end_at);
  const size_t line_start = out.rfind('\n', omitted_at) + 1;
  const std::string line =
      out.substr(line_start, out.find('\n', omitted_at) - line_start);
  const size_t digits = line.find_first_of("0123456789");
  ASSERT_NE(digits, std::string::npos) << line;
  const long long omitted = std::atoll(line.c_str() + digits);
  EXPECT_GE(omitted, 200ll * 1024 * 1024 - (2 << 20)) << line;
  EXPECT_LE(omitted, 200ll * 1024 * 1024) << line;
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

// Output of a test run after one that closed fds 1 and 2 is still
// captured. The same worker runs both when it gets the whole suite, as it
// does while the other worker is busy with the larger one.
TEST(Output, CapturedAfterATestClosedStdoutAndStderr) {
  const Outcome run =
      RunFaults("CloseStdio.*:A/*", {"--gtest_parallel_output=all"});
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(),
            "CloseStdio.ClosesStdoutAndStderr: failed\n")
      << run.Context();
  const std::string console =
      ConsoleSection(run.run.out, "CloseStdio.PrintsAfterwards");
  EXPECT_NE(console.find("faults: printed after stdout was closed"),
            std::string::npos)
      << run.Context();
  EXPECT_EQ(Count(run.run.out, kPassingOutput), 40) << run.Context();
}

// The same when the test that closed them passes: no failure makes the
// worker look at stdout, only the test's end does.
TEST(Output, CapturedAfterAPassingTestClosedStdoutAndStderr) {
  const Outcome run =
      RunFaults("CloseStdioQuietly.*:A/*", {"--gtest_parallel_output=all"});
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "") << run.Context();
  const std::string console =
      ConsoleSection(run.run.out, "CloseStdioQuietly.PrintsAfterwards");
  EXPECT_NE(console.find("faults: printed after stdout was closed quietly"),
            std::string::npos)
      << run.Context();
  EXPECT_EQ(Count(run.run.out, kPassingOutput), 40) << run.Context();
}

// The coordinator does not flush stdout after every test line, but all the
// lines are out while it waits: a pipe reader sees the "[ RUN      ]" line of
// the test that keeps the run waiting, and the line of the one before it.
TEST(Output, ConsoleLinesReachAPipeWhileTheRunWaits) {
  ScratchDir scratch;
  FixtureRun run(
      FixtureArgv(kHang, {"--gtest_parallel=2", "--gtest_filter=Stuck/*"},
                  scratch.File("report.xml")),
      {});
  ASSERT_EQ(run.error(), "") << run.CommandLine();
  const bool seen = run.WaitForOutput(
      "[ RUN      ] Stuck/StuckTest.SecondSleepsForever/1\n", 30);
  EXPECT_TRUE(seen) << run.CommandLine() << "\n" << run.out();
  EXPECT_NE(
      run.out().find("[       OK ] Stuck/StuckTest.SecondSleepsForever/0 ("),
      std::string::npos)
      << run.out();
  run.KillEverything();
}

}  // namespace
}  // namespace faults
