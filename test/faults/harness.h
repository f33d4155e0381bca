// Runs a fixture program as a child process for the fault tests: its own
// process group, stdout and stderr captured, every wait bounded, and a
// unique FAULTS_RUN_ID=<id> in its environment so that every process it
// leads to (workers, their children) can be found in /proc afterwards.
#ifndef GTEST_PARALLEL_TEST_FAULTS_HARNESS_H_
#define GTEST_PARALLEL_TEST_FAULTS_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/environment.h"
#include "support/subprocess.h"

namespace faults {

// How a fixture run went.
struct RunResult {
  std::string out;         // The first kKeptBytes bytes of stdout.
  std::string err;         // The first kKeptBytes bytes of stderr.
  size_t out_bytes = 0;    // All of stdout, including what was not kept.
  int exit_code = -1;      // -1 when killed by a signal.
  int signal = 0;          // The signal that killed it, 0 when it exited.
  bool timed_out = false;  // It was killed for running too long.
  double seconds = 0;      // From start to exit.

  static constexpr size_t kKeptBytes = 64 << 20;

  // "exit code 1", "killed by signal 9 (Killed)", "timed out ...".
  std::string Describe() const;
};

// One fixture run, watched while it goes and waited for.
class FixtureRun {
 public:
  // Starts `argv` (argv[0] a path) as test_support::Subprocess does (stdin
  // from /dev/null, this process's environment scrubbed of GTEST_*,
  // FAULTS_* and the like), with `env` ("NAME=VALUE") and a fresh
  // FAULTS_RUN_ID added.
  FixtureRun(std::vector<std::string> argv, std::vector<std::string> env);
  // Kills whatever of the run is still alive.
  ~FixtureRun();

  FixtureRun(const FixtureRun&) = delete;
  FixtureRun& operator=(const FixtureRun&) = delete;

  // Empty when the process started.
  const std::string& error() const { return process_.error(); }
  pid_t pid() const { return process_.pid(); }
  const std::string& run_id() const { return run_id_; }
  // A shell command reproducing the run (without FAULTS_RUN_ID).
  std::string CommandLine() const;
  // Seconds since the start.
  double Elapsed() const;
  // Stdout and stderr so far.
  const std::string& out() const { return process_.out(); }
  const std::string& err() const { return process_.err(); }

  // Reads output until stdout contains `text` (true) or `seconds` pass or
  // the process ends (false).
  bool WaitForOutput(const std::string& text, double seconds);
  // The same for stderr.
  bool WaitForError(const std::string& text, double seconds);
  // Reads output until the file `path` exists (true) or `seconds` pass or
  // the process ends (false).
  bool WaitForFile(const std::string& path, double seconds);
  // Waits until at least `count` live processes carry the run id.
  bool WaitForProcesses(size_t count, double seconds);
  // Sends `signal` to the fixture process (not its group).
  void Signal(int signal);
  // Waits for the process to end and its output to close. After `seconds`
  // it kills every process of the run and reports timed_out.
  const RunResult& Wait(double seconds);

  // Sends SIGKILL to every live process carrying the run id until none is
  // left (at most a few rounds).
  void KillEverything();

 private:
  // Reads output until `*stream` contains `text` (true) or `seconds` pass
  // or the process ends (false).
  bool WaitFor(const std::string* stream, const std::string& text,
               double seconds);

  const std::vector<std::string> argv_;
  const test_support::EnvChanges env_;
  const std::string run_id_;
  const std::chrono::steady_clock::time_point start_;
  test_support::Subprocess process_;
  RunResult result_;
};

// Live processes whose environment holds FAULTS_RUN_ID=`run_id`.
std::vector<pid_t> MarkedProcesses(const std::string& run_id);

// Waits up to `seconds` for the processes of `run_id` to disappear; returns
// "" if they did, or a description of those left ("pid 12 (sleep 1000)").
std::string Leftovers(const std::string& run_id, double seconds);

}  // namespace faults

#endif  // GTEST_PARALLEL_TEST_FAULTS_HARNESS_H_
