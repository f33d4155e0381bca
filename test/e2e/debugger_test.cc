// Runs meant for a debugger stay serial: --gtest_break_on_failure
// (DebuggerTest, on every build of the fixtures) and a traced process
// (TracerTest, Linux: the fixture run by the tracer program of tracer.cc, as
// gdb runs it); --gtest_parallel_force makes them parallel again. The
// worker_env fixture checks where its tests run (FIXTURE_EXPECT_WORKERS).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.h"
#include "scenario.h"
#include "support/subprocess.h"
#include "text_compare.h"

namespace gtest_parallel_e2e {
namespace {

// The end of the notice of a run kept serial.
constexpr char kSerialNotice[] =
    ": running the tests serially in this process (--gtest_parallel_force "
    "runs them in parallel anyway)";

// How many lines of `text` contain `part`.
int LinesWith(const std::string& text, const std::string& part) {
  int count = 0;
  for (const std::string& line : SplitLines(text)) {
    count += line.find(part) != std::string::npos;
  }
  return count;
}

// Expects `process` to have passed, serially, with exactly one notice line
// on stderr, the one of `reason`.
void ExpectSerialWithNotice(const ProcessResult& process,
                            const std::string& reason,
                            const std::string& context) {
  SCOPED_TRACE(context);
  EXPECT_EQ(process.Describe(), "exit code 0");
  EXPECT_EQ(LinesWith(process.err, kSerialNotice), 1)
      << "expected exactly one notice";
  EXPECT_EQ(LinesWith(process.err, kRunnerNotePrefix + reason + kSerialNotice),
            1)
      << "expected the notice to say: " << reason;
  EXPECT_NE(process.out.find("[  PASSED  ]"), std::string::npos);
}

// Expects `process` to have passed on workers, without the notice.
void ExpectParallelWithoutNotice(const ProcessResult& process,
                                 const std::string& context) {
  SCOPED_TRACE(context);
  EXPECT_EQ(process.Describe(), "exit code 0");
  EXPECT_EQ(LinesWith(process.err, kSerialNotice), 0);
  EXPECT_NE(process.out.find("[  PASSED  ]"), std::string::npos);
}

// --gtest_break_on_failure (or GTEST_BREAK_ON_FAILURE) would kill a worker
// with a trap no debugger catches: the run stays in the process, and says
// so once.
TEST(DebuggerTest, BreakOnFailureRunsSerially) {
  const std::vector<RunSpec> specs = {
      {Build::kGtestParallel,
       {"--gtest_parallel=2", "--gtest_break_on_failure"},
       {{"FIXTURE_EXPECT_WORKERS", "0"}}},
      {Build::kGtestParallel,
       {"--gtest_break_on_failure"},
       {{"GTEST_PARALLEL", "2"}, {"FIXTURE_EXPECT_WORKERS", "0"}}},
      {Build::kGtestParallel,
       {"--gtest_parallel=2", "--gtest_repeat=2"},
       {{"GTEST_BREAK_ON_FAILURE", "1"}, {"FIXTURE_EXPECT_WORKERS", "0"}}},
  };
  for (const RunSpec& spec : specs) {
    ScratchDir scratch;
    const FixtureRun run =
        RunFixture(FixtureNamed("worker_env"), spec, scratch, "run");
    ExpectSerialWithNotice(run.process, "--gtest_break_on_failure is set",
                           run.Context());
  }
}

TEST(DebuggerTest, ForceKeepsBreakOnFailureRunsParallel) {
  const std::vector<RunSpec> specs = {
      {Build::kGtestParallel,
       {"--gtest_parallel=2", "--gtest_break_on_failure",
        "--gtest_parallel_force"},
       {{"FIXTURE_EXPECT_WORKERS", "2"}}},
      {Build::kGtestParallel,
       {"--gtest_parallel=2", "--gtest_break_on_failure"},
       {{"GTEST_PARALLEL_FORCE", "1"}, {"FIXTURE_EXPECT_WORKERS", "2"}}},
  };
  for (const RunSpec& spec : specs) {
    ScratchDir scratch;
    const FixtureRun run =
        RunFixture(FixtureNamed("worker_env"), spec, scratch, "run");
    ExpectParallelWithoutNotice(run.process, run.Context());
  }
}

// Without workers asked for there is nothing to say.
TEST(DebuggerTest, NoNoticeForASerialRun) {
  ScratchDir scratch;
  const FixtureRun run = RunFixture(FixtureNamed("worker_env"),
                                    {Build::kGtestParallel,
                                     {"--gtest_break_on_failure"},
                                     {{"FIXTURE_EXPECT_WORKERS", "0"}}},
                                    scratch, "run");
  EXPECT_EQ(run.process.Describe(), "exit code 0") << run.Context();
  EXPECT_EQ(LinesWith(run.process.err, kSerialNotice), 0) << run.Context();
}

#ifdef GTEST_PARALLEL_E2E_TRACER

// Runs the worker_env fixture under the tracer with `args` and `env`.
ProcessResult RunTraced(const std::vector<std::string>& args,
                        const EnvChanges& env, const ScratchDir& scratch,
                        std::string* command) {
  std::vector<std::string> argv = {GTEST_PARALLEL_E2E_TRACER,
                                   FixtureNamed("worker_env").path};
  argv.insert(argv.end(), args.begin(), args.end());
  EnvChanges all = env;
  all.emplace("XDG_CACHE_HOME", scratch.path() + "/cache");
  *command = CommandLine(argv, all);
  return RunProcess(argv, all, kRunTimeoutSeconds);
}

// A debugger follows only the process it started: with workers asked for
// (by the variable, as a shell profile sets it, or the flag) the tests run
// in that process, where its breakpoints are.
TEST(TracerTest, TracedRunIsSerial) {
  const std::vector<std::pair<std::vector<std::string>, EnvChanges>> runs = {
      {{}, {{"GTEST_PARALLEL", "2"}, {"FIXTURE_EXPECT_WORKERS", "0"}}},
      {{"--gtest_parallel=2", "--gtest_filter=WorkerEnvTest.*"},
       {{"FIXTURE_EXPECT_WORKERS", "0"}}},
  };
  for (const auto& [args, env] : runs) {
    ScratchDir scratch;
    std::string command;
    const ProcessResult process = RunTraced(args, env, scratch, &command);
    ExpectSerialWithNotice(process, "a debugger is attached",
                           "command: " + command + "\nstderr:\n" + process.err +
                               "stdout:\n" + process.out);
  }
}

TEST(TracerTest, ForceRunsTracedRunInParallel) {
  ScratchDir scratch;
  std::string command;
  const ProcessResult process =
      RunTraced({"--gtest_parallel=2", "--gtest_parallel_force"},
                {{"FIXTURE_EXPECT_WORKERS", "2"}}, scratch, &command);
  ExpectParallelWithoutNotice(process, "command: " + command + "\nstderr:\n" +
                                           process.err + "stdout:\n" +
                                           process.out);
}

// Serial without the tracer's doing: the same runs untraced use workers.
TEST(TracerTest, UntracedRunIsParallel) {
  ScratchDir scratch;
  const FixtureRun run = RunFixture(FixtureNamed("worker_env"),
                                    {Build::kGtestParallel,
                                     {"--gtest_parallel=2"},
                                     {{"FIXTURE_EXPECT_WORKERS", "2"}}},
                                    scratch, "run");
  ExpectParallelWithoutNotice(run.process, run.Context());
}

#endif  // GTEST_PARALLEL_E2E_TRACER

}  // namespace
}  // namespace gtest_parallel_e2e
