// Runs fixture programs and compares their results, reports and consoles.
#include "scenario.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <system_error>

#include "support/files.h"
#include "text_compare.h"

namespace gtest_parallel_e2e {
namespace {

namespace fs = std::filesystem;

// The first `count` lines of `text`.
std::string Head(const std::string& text, size_t count) {
  const std::vector<std::string> lines = SplitLines(text);
  std::string head;
  for (size_t i = 0; i < lines.size() && i < count; ++i) {
    head += "  | " + lines[i] + "\n";
  }
  if (lines.size() > count) {
    head += "  | ... " + std::to_string(lines.size() - count) + " more lines\n";
  }
  return head;
}

}  // namespace

void ExpectSameResults(const FixtureRun& expected, const FixtureRun& actual,
                       const std::string& format) {
  EXPECT_EQ(actual.process.Describe(), expected.process.Describe())
      << "exit status of the " << actual.label << " run differs from the "
      << expected.label << " run\n"
      << actual.Context() << expected.label << " command: " << expected.command;
  if (format.empty()) return;
  EXPECT_EQ(actual.report_exists, expected.report_exists)
      << "report file existence differs\n"
      << actual.Context() << expected.label << " command: " << expected.command;
  if (actual.report_exists && expected.report_exists) {
    EXPECT_TRUE(SameText(format + " reports (times removed)",
                         expected.label + " " + expected.report_path,
                         NormalizeReport(format, expected.report),
                         actual.label + " " + actual.report_path,
                         NormalizeReport(format, actual.report)))
        << "command: " << actual.command;
  }
  for (const std::string& stray : actual.stray_files) {
    ADD_FAILURE() << "the " << actual.label << " run left " << stray
                  << " next to its report\ncommand: " << actual.command;
  }
}

namespace {

// The coordinator announces a parallel run on stderr.
bool RanInParallel(const FixtureRun& run) {
  return run.process.err.find(std::string(kRunnerNotePrefix) + "running") !=
         std::string::npos;
}

// `text` without the lines of `lines` (each removed once per occurrence).
std::string WithoutLinesOf(const std::string& text, const std::string& lines) {
  std::multiset<std::string> remove;
  std::istringstream in_lines(lines);
  for (std::string line; std::getline(in_lines, line);) remove.insert(line);
  std::string kept;
  std::istringstream in_text(text);
  for (std::string line; std::getline(in_text, line);) {
    auto found = remove.find(line);
    if (found != remove.end()) {
      remove.erase(found);
      continue;
    }
    kept += line + "\n";
  }
  return kept;
}

}  // namespace

void ExpectSameConsole(const FixtureRun& expected, const FixtureRun& actual,
                       bool strip_running_main) {
  auto prepare = [&](const std::string& text) {
    const std::string normalized = NormalizeConsole(text);
    return strip_running_main ? WithoutRunningMainLines(normalized)
                              : normalized;
  };
  auto prepare_err = [&](const std::string& text) {
    return prepare(WithoutLinesStartingWith(text, kRunnerNotePrefix));
  };
  std::string expected_err = prepare_err(expected.process.err);
  std::string actual_out = prepare(actual.process.out);
  std::string actual_err = prepare_err(actual.process.err);
  if (RanInParallel(actual) && !RanInParallel(expected)) {
    // A worker's stdout and stderr are captured together, and what a
    // failing test wrote to either is printed in place on stdout: the
    // serial run's stderr lines move to the parallel run's stdout.
    actual_out = WithoutLinesOf(actual_out, expected_err);
    expected_err = WithoutLinesOf(expected_err, expected_err);
    actual_err = WithoutLinesOf(actual_err, prepare_err(expected.process.err));
  }
  EXPECT_TRUE(SameText("stdout (times removed)",
                       expected.label + ": " + expected.command,
                       prepare(expected.process.out),
                       actual.label + ": " + actual.command, actual_out));
  EXPECT_TRUE(SameText("stderr (times removed)",
                       expected.label + ": " + expected.command, expected_err,
                       actual.label + ": " + actual.command, actual_err));
}

std::string FixtureRun::Context() const {
  return "command: " + command + "\nstatus: " + process.Describe() +
         "\nstderr:\n" + Head(process.err, 30) + "stdout:\n" +
         Head(process.out, 30);
}

std::string ProgramPath(const std::string& path) {
  const char* drive = std::getenv("GTEST_PARALLEL_E2E_DRIVE");
  return drive != nullptr ? drive + path : path;
}

namespace {

// Whether the last line `out` holds is a test's "[ RUN      ]" line.
bool EndsInsideATest(const std::string& out) {
  std::string text = WithUnixLineEnds(out);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const size_t start = text.rfind('\n');
  const std::string last =
      start == std::string::npos ? text : text.substr(start + 1);
  return last.rfind("[ RUN      ] ", 0) == 0;
}

// Runs the program again when Wine, the launcher, ended it for reasons of
// its own (the log says so).
void RunAgainIfWineFailed(const std::vector<std::string>& argv,
                          const EnvChanges& env, const RunSpec& spec,
                          FixtureRun* run_out) {
  FixtureRun& run = *run_out;
  if (run.process.exit_code == 1 && run.process.out.empty() &&
      run.process.err.empty()) {
    // Rarely, Wine ends a program it starts at once, with exit code 1 and
    // not a byte of output (any GoogleTest program prints a first line):
    // the program is run once more, and the log says so.
    std::printf("%s: nothing printed and exit code 1: run again\n",
                run.command.c_str());
    std::fflush(stdout);
    run.process = RunProcess(argv, env, kRunTimeoutSeconds, spec.working_dir);
  } else if (run.process.exit_code == 3 && run.process.err.empty() &&
             EndsInsideATest(run.process.out)) {
    // Now and then, on a busy machine, Wine ends a program that waits for
    // a death test's child with exit code 3 and not a word on stderr
    // (GoogleTest says why whenever it aborts): the program is run once
    // more, and the log says so.
    std::printf("%s: exit code 3 inside a test, nothing on stderr: run again\n",
                run.command.c_str());
    std::fflush(stdout);
    run.process = RunProcess(argv, env, kRunTimeoutSeconds, spec.working_dir);
  }
}

// Reads the report the run wrote in `report_dir`, and lists what else is
// there.
void ReadReport(const std::string& report_dir, FixtureRun* run) {
  std::error_code error;
  run->report_exists = fs::exists(run->report_path, error);
  if (run->report_exists) {
    run->report = WithUnixLineEnds(test_support::ReadFile(run->report_path));
  }
  for (const auto& entry : fs::directory_iterator(report_dir, error)) {
    if (entry.path().string() != run->report_path) {
      run->stray_files.push_back(entry.path().string());
    }
  }
}

// The parallel run's results equal the reference's, and its console
// (with the user listener's events) the serial run's.
void ExpectParallelLikeSerial(const FixtureRun& reference,
                              const FixtureRun& serial,
                              const FixtureRun& parallel,
                              const std::string& format) {
  ExpectSameResults(reference, parallel, format);
  // The user listener's events first: a smaller diff than the console's.
  const std::string listener_events =
      LinesStartingWith(serial.process.out, "[listener]");
  if (!listener_events.empty()) {
    EXPECT_TRUE(
        SameText("user listener events", serial.command, listener_events,
                 parallel.command,
                 LinesStartingWith(parallel.process.out, "[listener]")));
  }
  ExpectSameConsole(serial, parallel, /*strip_running_main=*/false);
  // The timing file is kept in the scratch directory: nothing stops it.
  EXPECT_EQ(parallel.process.err.find("timings not kept"), std::string::npos)
      << parallel.Context();
}

}  // namespace

FixtureRun RunFixture(const Fixture& fixture, const RunSpec& spec,
                      const ScratchDir& scratch, const std::string& label) {
  FixtureRun run;
  run.label = label;
  std::vector<std::string> argv;
  // A program that runs the fixtures (Wine for a Windows build).
  const char* const launcher = std::getenv("GTEST_PARALLEL_E2E_LAUNCHER");
  if (launcher != nullptr) argv.push_back(launcher);
  argv.push_back(spec.build == Build::kReference ? fixture.reference_path
                                                 : fixture.path);
  argv.insert(argv.end(), spec.args.begin(), spec.args.end());
  std::string report_dir;
  if (!spec.report_format.empty()) {
    report_dir = scratch.NewSubdir(label);
    run.report_path = report_dir + "/report." + spec.report_format;
    argv.push_back("--gtest_output=" + spec.report_format + ":" +
                   ProgramPath(run.report_path));
  }
  EnvChanges env = spec.env;
  env.emplace("XDG_CACHE_HOME", ProgramPath(scratch.path() + "/cache"));
  run.command = CommandLine(argv, env);
  if (!spec.working_dir.empty()) {
    run.command =
        "cd " + CommandLine({spec.working_dir}, {}) + " && " + run.command;
  }
  run.process = RunProcess(argv, env, kRunTimeoutSeconds, spec.working_dir);
  if (launcher != nullptr) RunAgainIfWineFailed(argv, env, spec, &run);
  run.process.out = WithUnixLineEnds(run.process.out);
  run.process.err = WithUnixLineEnds(run.process.err);
  if (launcher != nullptr) {
    // Now and then a Wine process that ends while one of its threads is
    // busy prints a complaint of Wine's or of the Linux loader (nothing a
    // Windows program can print); the exit status still counts.
    for (const char* wine_noise :
         {"Inconsistency detected by ld.so: ", "wine client error:"}) {
      run.process.err = WithoutLinesStartingWith(run.process.err, wine_noise);
    }
  }
  if (!report_dir.empty()) ReadReport(report_dir, &run);
  return run;
}

FixtureRun CheckScenario(const Scenario& scenario) {
  const Fixture& fixture = FixtureNamed(scenario.fixture);
  ScratchDir scratch;
  const std::string& format = scenario.report_format;

  // The reference does not know the gtest_parallel flags.
  std::vector<std::string> reference_args;
  for (const std::string& arg : scenario.args) {
    if (arg.rfind("--gtest_parallel", 0) != 0) reference_args.push_back(arg);
  }
  const FixtureRun reference =
      RunFixture(fixture,
                 {Build::kReference, reference_args, scenario.env, format,
                  scenario.working_dir},
                 scratch, "reference");
  if (scenario.exit_code.has_value()) {
    EXPECT_EQ(reference.process.exit_code, *scenario.exit_code)
        << "unexpected exit code of the reference run\n"
        << reference.Context();
  }
  // Otherwise the reports would compare equal for want of any.
  if (!format.empty()) {
    EXPECT_TRUE(reference.report_exists)
        << "the reference run wrote no report at " << reference.report_path
        << "\n"
        << reference.Context();
  }

  const FixtureRun serial =
      RunFixture(fixture,
                 {Build::kGtestParallel, scenario.args, scenario.env, format,
                  scenario.working_dir},
                 scratch, "serial");
  ExpectSameResults(reference, serial, format);
  ExpectSameConsole(reference, serial, /*strip_running_main=*/true);

  for (int workers : scenario.workers) {
    std::vector<std::string> args = scenario.args;
    args.push_back("--gtest_parallel=" + std::to_string(workers));
    const FixtureRun parallel =
        RunFixture(fixture,
                   {Build::kGtestParallel, args, scenario.env, format,
                    scenario.working_dir},
                   scratch, "parallel=" + std::to_string(workers));
    ExpectParallelLikeSerial(reference, serial, parallel, format);
  }
  return serial;
}

}  // namespace gtest_parallel_e2e
