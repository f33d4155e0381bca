// RunToken: a short name for one run of a test binary, part of the names of
// the databases the run creates (<base>_<token> and <base>_<token>_<k>), so
// that concurrent runs against one server never collide and a later run can
// tell whether the owner of leftover databases is still alive.
//
// Text form: "gtp" + host tag (6) + pid (5) + start time (8) + sequence (2),
// in lowercase base 36: 24 characters. The host tag hashes the boot id and
// PID namespace, so a pid is only ever checked on the machine (and
// container) that owns it; the start time tells a live owner from a reused
// pid.
#ifndef GTEST_PARALLEL_RUN_TOKEN_H_
#define GTEST_PARALLEL_RUN_TOKEN_H_

#include <cstdint>
#include <string>

namespace gtest_parallel {

// Identifies the process that owns a set of databases.
class RunToken {
 public:
  // Length of the text form.
  static constexpr size_t kLength = 24;
  // Largest sequence number (two base-36 digits).
  static constexpr int kMaxSequence = 36 * 36 - 1;

  // Whether the owner of a token is running.
  enum class Owner {
    kAlive,    // The owning process runs, on this machine.
    kDead,     // The owner ran on this machine and has exited.
    kUnknown,  // Another machine or container: cannot tell, keep.
  };

  // The token of this process. sequence tells apart several runs of one
  // process (e.g. two templates); 0..kMaxSequence.
  static RunToken ForThisProcess(int sequence = 0);
  // The token of process pid on this machine; false if it does not run.
  static bool ForProcess(int pid, int sequence, RunToken* token);
  // Parses the text form; false if text is not a token.
  static bool Parse(const std::string& text, RunToken* token);

  // The 24-character text form.
  std::string ToString() const;
  // Whether the owning process still runs (see Owner).
  Owner OwnerState() const;

  // The owner's process id.
  int pid() const { return pid_; }
  // The owner's start time, in clock ticks since boot.
  uint64_t start_time() const { return start_time_; }
  // The sequence number given to ForThisProcess/ForProcess.
  int sequence() const { return sequence_; }

 private:
  uint64_t host_tag_ = 0;
  int pid_ = 0;
  uint64_t start_time_ = 0;
  int sequence_ = 0;
};

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_RUN_TOKEN_H_
