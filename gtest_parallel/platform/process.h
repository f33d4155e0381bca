// Starting and watching worker processes: one interface, implemented by
// process_posix.cc (posix_spawn) and process_windows.cc (CreateProcess).
//
// A worker gets two pipes, commands (coordinator to worker) and events
// (worker to coordinator), an unlinked append-only file as its stdout and
// stderr, and a WorkerStatus in shared memory. Its standard input is the
// null device. On POSIX it leads a process group of its own, so that a
// timeout or a crash takes its children with it.
#ifndef GTEST_PARALLEL_PLATFORM_PROCESS_H_
#define GTEST_PARALLEL_PLATFORM_PROCESS_H_

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "platform/files.h"
#include "protocol/protocol.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {

// How a process ended.
struct ExitStatus {
  bool exited = false;  // Returned or called exit(); see code.
  int code = 0;
  int signal = 0;  // The signal that killed it, when !exited.
  // "exited with status 3", "was killed by SIGSEGV".
  std::string Describe() const;
};

// What to start.
struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is the executable's path.
  std::vector<std::string> env;   // Complete environment, "NAME=value".
  std::string cwd;                // Its working directory; empty: ours.
};

// A started worker process and the coordinator's ends of its pipes.
class ChildProcess {
 public:
  virtual ~ChildProcess() = default;

  // Starts a worker; null with `error` set when that fails. The worker finds
  // its ends of the command and event pipes through the variable named by
  // kChannelVariable, which Spawn adds to the environment.
  static std::unique_ptr<ChildProcess> Spawn(const SpawnRequest& request,
                                             std::string* error);

  virtual int64_t pid() const = 0;
  virtual Handle commands() const = 0;  // Write end.
  virtual Handle events() const = 0;    // Read end.
  virtual Handle output() const = 0;    // The output file, for ReadAt.
  // Readable in WaitReadable once the process has ended and until it is
  // reaped (a Linux pidfd); kNoHandle where the system has none, and then
  // the caller has to look with TryWait now and then.
  virtual Handle exit_watch() const = 0;
  virtual const WorkerStatus& status() const = 0;

  // Closes our end of a pipe (kNoHandle afterwards).
  virtual void CloseCommands() = 0;
  virtual void CloseEvents() = 0;

  // Asks the process and its children to stop (SIGTERM), or stops them at
  // once (SIGKILL / TerminateJobObject).
  virtual void Terminate() = 0;
  virtual void Kill() = 0;

  // Reaps the process without blocking; true once it has ended.
  virtual bool TryWait(ExitStatus* status) = 0;
};

// Starts a WorkerStatus in freshly mapped memory: nothing running yet.
inline WorkerStatus* StartWorkerStatus(void* memory) {
  auto* status = new (memory) WorkerStatus();
  status->cancel = 0;
  status->scope = 0;
  status->suite = -1;
  status->test = -1;
  status->since_ms = 0;
  status->output_offset = 0;
  status->last_test = -1;
  status->fault = 0;
  status->fault_fd = -1;
  return status;
}

// The worker's ends of the command (read) and event (write) pipes and its
// status, taken from kChannelVariable, which is then removed from the
// environment so that processes the tests start do not inherit it. False
// when absent.
bool TakeWorkerChannel(Handle* commands, Handle* events, WorkerStatus** status,
                       std::string* error);

// Path of the running executable.
std::string SelfExecutable(const char* argv0);

// Current process id.
int64_t CurrentPid();

// Sets variable `name` of this process's own environment to `value`, for
// the test code it runs and the processes it starts.
void SetOwnEnvironment(const std::string& name, const std::string& value);

#if defined(_WIN32)
// `argument` in double quotes, escaped so that CommandLineToArgvW and the C
// runtime read it back as one argument: backslashes are literal except
// before a quote.
std::string QuotedArgument(const std::string& argument);
#endif

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PLATFORM_PROCESS_H_
