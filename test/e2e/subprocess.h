// Runs a program to completion with its stdout and stderr captured
// separately, for the end-to-end tests.
#ifndef GTEST_PARALLEL_TEST_E2E_SUBPROCESS_H_
#define GTEST_PARALLEL_TEST_E2E_SUBPROCESS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gtest_parallel_e2e {

// Changes to the environment of a child: a value sets the variable, nullopt
// removes it.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

struct ProcessResult {
  std::string out;
  std::string err;
  // The exit code when the process exited, -1 otherwise.
  int exit_code = -1;
  // The signal that killed the process, 0 otherwise.
  int signal = 0;
  // Set when the process was killed for running too long, or when processes
  // it left behind kept its output open; says what happened.
  std::string problem;

  // "exit code 1", "killed by signal 9", ... for messages.
  std::string Describe() const;
};

// Runs argv[0] (a path) with arguments argv[1..], stdin from /dev/null, in
// the environment of this process minus every variable that could change
// how a GoogleTest program runs (GTEST_*, TESTBRIDGE_*, ...), plus `env`.
// The child gets a process group of its own; after `timeout_seconds` the
// whole group is killed. It runs in `working_dir` unless that is empty (then
// in the working directory of this process).
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const EnvChanges& env, int timeout_seconds,
                         const std::string& working_dir = "");

// A shell-like rendering of `env` and `argv`, for reproducing a run by hand.
std::string CommandLine(const std::vector<std::string>& argv,
                        const EnvChanges& env);

}  // namespace gtest_parallel_e2e

#endif  // GTEST_PARALLEL_TEST_E2E_SUBPROCESS_H_
