// Running fixture programs and comparing runs, for the end-to-end tests.
//
// A scenario runs one fixture with the same flags and environment several
// times: the gtest_main reference, the gtest_parallel build without
// --gtest_parallel (a serial run unless the scenario's own arguments or
// environment ask for workers) and the gtest_parallel build with
// --gtest_parallel=N for each requested N. It then expects
//   - every exit status to equal the reference's;
//   - every report (--gtest_output) to equal the reference's once times and
//     timestamps are removed, and nothing else written next to it;
//   - the serial console to equal the reference's (without gtest_main's
//     "Running main() from" line), and every parallel console (stdout and
//     stderr) to equal the serial one, times removed, the runner's own
//     "[gtest_parallel] ..." notes on stderr ignored; the "[listener]" lines
//     of the user-listener fixture are compared on their own first.
#ifndef GTEST_PARALLEL_TEST_E2E_SCENARIO_H_
#define GTEST_PARALLEL_TEST_E2E_SCENARIO_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.h"
#include "support/environment.h"
#include "support/files.h"
#include "support/subprocess.h"

namespace gtest_parallel_e2e {

// The support library's child processes and scratch directories, part of
// what this header gives the end-to-end tests.
using test_support::CommandLine;
using test_support::EnvChanges;
using test_support::ProcessResult;
using test_support::RunProcess;
using test_support::ScratchDir;

// Longest time one fixture run may take.
inline constexpr int kRunTimeoutSeconds = 30;

enum class Build { kReference, kGtestParallel };

// One run of a fixture program.
struct RunSpec {
  RunSpec(Build build, std::vector<std::string> args = {}, EnvChanges env = {},
          std::string report_format = "", std::string working_dir = "")
      : build(build),
        args(std::move(args)),
        env(std::move(env)),
        report_format(std::move(report_format)),
        working_dir(std::move(working_dir)) {}

  Build build;
  std::vector<std::string> args;
  EnvChanges env;
  // "xml" or "json" to add --gtest_output=<format>:<dir>/report.<format>.
  std::string report_format;
  // The directory the program runs in; empty: this process's.
  std::string working_dir;
};

struct FixtureRun {
  std::string label;
  // The command, ready to be pasted into a shell.
  std::string command;
  ProcessResult process;
  std::string report_path;
  bool report_exists = false;
  std::string report;
  // Files other than the report found in its directory after the run.
  std::vector<std::string> stray_files;

  // The command, the exit status and the start of stderr, for messages.
  std::string Context() const;
};

// `path` (absolute) as the fixture programs must be given it: with the drive
// GTEST_PARALLEL_E2E_DRIVE names in front ("Z:" for Windows programs under
// Wine, which take a path without a drive as relative).
std::string ProgramPath(const std::string& path);

// Runs `fixture` as `spec` says (through the program
// GTEST_PARALLEL_E2E_LAUNCHER names, when it is set); `label` names the run in
// messages and its directory under `scratch`. XDG_CACHE_HOME is scratch/cache
// unless `spec` sets it, so that the runner's timing files stay in the scratch
// directory (and are shared by the runs of one test). Output and report
// written with Windows line ends are read with Unix ones (WithUnixLineEnds);
// under a launcher, stderr loses the complaints of Wine and of the Linux
// loader that Wine's processes print now and then, and a run that printed
// nothing and exited with 1 (Wine failing to start the program), or that
// exited with 3 inside a test with nothing on stderr (Wine ending a program
// that waits for a death test), is run once more.
FixtureRun RunFixture(const Fixture& fixture, const RunSpec& spec,
                      const ScratchDir& scratch, const std::string& label);

// Expects `actual` to have the exit status of `expected` and, when
// `format` is not empty, the same report (times removed) and no other file
// next to it.
void ExpectSameResults(const FixtureRun& expected, const FixtureRun& actual,
                       const std::string& format);

// The prefix of the lines the coordinator of a parallel run adds to stderr
// (start and end of the run, slow tests).
inline constexpr char kRunnerNotePrefix[] = "[gtest_parallel] ";

// Expects the stdout and stderr of `actual` to equal those of `expected`,
// times removed and the runner's notes (kRunnerNotePrefix) dropped from
// stderr; `strip_running_main` ignores gtest_main's first line.
void ExpectSameConsole(const FixtureRun& expected, const FixtureRun& actual,
                       bool strip_running_main);

struct Scenario {
  std::string fixture;
  // Arguments of every run; those starting with --gtest_parallel are not
  // given to the reference.
  std::vector<std::string> args;
  EnvChanges env;
  // "xml", "json" or "" (no report).
  std::string report_format = "xml";
  // The --gtest_parallel values of the parallel runs.
  std::vector<int> workers = {2, 4};
  // The exit code every run must have; by default the reference's.
  std::optional<int> exit_code;
  // The directory every run happens in; empty: this process's.
  std::string working_dir;
};

// Runs `scenario` and records a failure for every difference. Returns the
// serial run of the gtest_parallel build, for further checks.
FixtureRun CheckScenario(const Scenario& scenario);

}  // namespace gtest_parallel_e2e

#endif  // GTEST_PARALLEL_TEST_E2E_SCENARIO_H_
