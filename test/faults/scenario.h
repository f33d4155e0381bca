// One fixture run and everything it left to check: console, XML report,
// exit status, wall time and processes left behind. The fixture programs'
// paths are in fixture_programs.h.
#ifndef GTEST_PARALLEL_TEST_FAULTS_SCENARIO_H_
#define GTEST_PARALLEL_TEST_FAULTS_SCENARIO_H_

#include <string>
#include <vector>

#include "console_text.h"
#include "harness.h"
#include "support/files.h"
#include "support/report.h"

namespace faults {

// The support library's scratch directories, file reads and XML reports,
// part of what this header gives the fault tests.
using test_support::ReadFile;
using test_support::Report;
using test_support::ScratchDir;
using test_support::TestCase;

struct Outcome {
  std::string command;  // Reproduces the run.
  RunResult run;
  Report report;          // The XML report; no tests if none was written.
  std::string leftovers;  // Processes left behind (see Leftovers()).

  // Command, exit status, leftovers and the ends of stdout and stderr, for
  // failure messages.
  std::string Context() const;
};

// The argv running `fixture` with `args` and an XML report at `xml_path`,
// without a timing history (earlier runs must not change the schedule).
std::vector<std::string> FixtureArgv(const std::string& fixture,
                                     const std::vector<std::string>& args,
                                     const std::string& xml_path);

// Waits up to `timeout` seconds for `run` to end (killing everything of it
// after that), reads the report at `xml_path` and looks for processes left
// behind (allowing them 1 s to go).
Outcome Finish(FixtureRun* run, const std::string& xml_path, double timeout);

// Runs `fixture` with `args` and environment `env` to the end (see Finish).
Outcome RunFixture(const std::string& fixture, std::vector<std::string> args,
                   std::vector<std::string> env = {}, double timeout = 120);

// The full names of the tests `fixture --gtest_list_tests` lists with
// `args`, e.g. "A/PassingTest.Works/0".
std::vector<std::string> ListTests(const std::string& fixture,
                                   std::vector<std::string> args = {});

// The console lines of one test, from "[ RUN      ] <full_name>" to the
// line ending it; "" if it is not there.
std::string ConsoleSection(const std::string& out,
                           const std::string& full_name);

}  // namespace faults

#endif  // GTEST_PARALLEL_TEST_FAULTS_SCENARIO_H_
