// Child processes for the end-to-end and fault tests: started with
// posix_spawn in a process group of their own, stdin from /dev/null, in a
// scrubbed environment (environment.h), stdout and stderr captured through
// pipes, and killed with their whole group when they run too long.
#ifndef GTEST_PARALLEL_TEST_SUPPORT_SUBPROCESS_H_
#define GTEST_PARALLEL_TEST_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "support/environment.h"

namespace test_support {

// A running child process. Its output is read, and the process reaped, as
// its owner calls Pump(); what is left of it is killed at destruction.
class Subprocess {
 public:
  // For `kept_bytes`: keep all of stdout and stderr.
  static constexpr size_t kKeepAll = std::numeric_limits<size_t>::max();

  // Starts argv[0] (a path) with arguments argv[1..] in the environment
  // ChildEnvironment(env), in `working_dir` unless that is empty (then in
  // the working directory of this process). Of stdout and of stderr, the
  // first `kept_bytes` bytes are kept.
  Subprocess(const std::vector<std::string>& argv, const EnvChanges& env,
             const std::string& working_dir = "", size_t kept_bytes = kKeepAll);
  // Kills the process group if the process still runs, and reaps it.
  ~Subprocess();

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Why the process could not be started; empty when it was.
  const std::string& error() const { return error_; }
  // The process id (also its process group's), -1 when it did not start.
  pid_t pid() const { return pid_; }
  // Stdout and stderr so far (the kept part).
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  // All the bytes written to stdout so far, kept or not.
  size_t out_bytes() const { return out_bytes_; }
  // Whether the process has ended and been reaped (or never started).
  bool exited() const { return exited_; }
  // When exited() became true.
  std::chrono::steady_clock::time_point exited_at() const { return exited_at_; }
  // The exit code when the process exited, -1 otherwise.
  int exit_code() const { return exit_code_; }
  // The signal that killed the process, 0 otherwise.
  int signal() const { return signal_; }
  // Whether stdout and stderr are both closed (no process holds them).
  bool output_closed() const { return out_fd_ < 0 && err_fd_ < 0; }

  // Reaps the process if it ended, then reads the output available within
  // `timeout_ms` (sleeps that long when the output is closed).
  void Pump(int timeout_ms);
  // Sends `signal` to the process (not its group) while it runs.
  void Signal(int signal);
  // Sends SIGKILL to the process group and, while it runs, to the process;
  // Pump() reaps it.
  void Kill();

 private:
  // Starts the process with its stdout and stderr on the write ends of
  // `out` and `err`; returns 0 or the error number of posix_spawn.
  int Spawn(const std::vector<std::string>& argv, const EnvChanges& env,
            const std::string& working_dir, int out, int err);
  // Reaps the process if it ended (waits for it without WNOHANG).
  void Reap(int options);
  // Reads what `*fd` has into `*sink`; closes it at end of file.
  void Drain(int* fd, std::string* sink);
  // Marks the process as ended now (it never started).
  void GiveUp(const std::string& error);

  const size_t kept_bytes_;
  std::string error_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  size_t out_bytes_ = 0;
  bool exited_ = false;
  std::chrono::steady_clock::time_point exited_at_;
  int exit_code_ = -1;
  int signal_ = 0;
};

// How a process run to its end by RunProcess went.
struct ProcessResult {
  std::string out;
  std::string err;
  // The exit code when the process exited, -1 otherwise.
  int exit_code = -1;
  // The signal that killed the process, 0 otherwise.
  int signal = 0;
  // Set when the process could not be started, was killed for running too
  // long, or when processes it left behind kept its output open; says what
  // happened.
  std::string problem;

  // "exit code 1", "killed by signal 9 (Killed)", ... for messages.
  std::string Describe() const;
};

// Runs `argv` in `env` and `working_dir` as Subprocess does, to its end.
// After `timeout_seconds` the whole process group is killed; output still
// open 10 s after the process ended (held by processes it left behind) is
// given up, and its group killed.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const EnvChanges& env, int timeout_seconds,
                         const std::string& working_dir = "");

// The path of the program `name` as a shell finds it: `name` itself when it
// holds a '/', else the first executable file of that name in the
// directories of PATH; `name` itself when there is none (starting it then
// fails). For running programs such as psql by name: Subprocess and
// RunProcess take a path.
std::string FindProgram(const std::string& name);

// A shell-like rendering of `env` and `argv` ("env A=1 -u B prog arg"), for
// reproducing a run by hand.
std::string CommandLine(const std::vector<std::string>& argv,
                        const EnvChanges& env);

}  // namespace test_support

#endif  // GTEST_PARALLEL_TEST_SUPPORT_SUBPROCESS_H_
