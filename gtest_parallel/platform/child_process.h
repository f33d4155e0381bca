// Starting and watching worker processes: one interface, implemented by
// process_posix.cc (posix_spawn) and process_windows.cc (CreateProcess).
//
// A worker gets two pipes, commands (coordinator to worker) and events
// (worker to coordinator), an unlinked append-only file as its stdout and
// stderr, and a WorkerStatus in shared memory. Its standard input is the
// null device. On POSIX it leads a process group of its own, so that a
// timeout or a crash takes its children with it.
#ifndef GTEST_PARALLEL_CHILD_PROCESS_H_
#define GTEST_PARALLEL_CHILD_PROCESS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "protocol/protocol.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {

// A file descriptor (POSIX) or HANDLE (Windows).
using Handle = intptr_t;
inline constexpr Handle kNoHandle = -1;

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

// Reads what is available (blocking until something is): >0 bytes read,
// 0 at end of stream, <0 on error.
long ReadSome(Handle handle, char* buffer, size_t size);

// Reads `size` bytes at `offset` of a file (fewer at its end).
std::string ReadAt(Handle handle, int64_t offset, size_t size);

// Current size of a file, or -1.
int64_t FileSize(Handle handle);

// Frees the disk space of [from, to) of a file, keeping offsets (best
// effort: where the system cannot, nothing happens).
void DropRange(Handle handle, int64_t from, int64_t to);

// Writes everything, retrying on interruption; false on error.
bool WriteAll(Handle handle, const char* data, size_t size);

// Waits up to timeout_ms (-1: forever) until some handles are readable or at
// end of stream; sets ready[i] for those. Returns the number ready, 0 on
// timeout, <0 on error.
int WaitReadable(const std::vector<Handle>& handles, int timeout_ms,
                 std::vector<bool>* ready);

// A pipe within this process, to wake a thread blocked in WaitReadable.
class WakePipe {
 public:
  WakePipe();
  ~WakePipe();
  Handle read_end() const { return read_; }
  Handle write_end() const { return write_; }
  void Wake();
  void Drain();

 private:
  Handle read_ = kNoHandle;
  Handle write_ = kNoHandle;
};

// Catches SIGINT and SIGTERM (Ctrl-C and Ctrl-Break on Windows) and, if
// asked, ignores SIGPIPE until RestoreInterrupts(): each interrupt is
// counted and wakes `wake` (a WakePipe's write end). Children forked
// without exec still die of them.
void CatchInterrupts(Handle wake, bool ignore_broken_pipes = true);
void RestoreInterrupts();
// Interrupts so far, and the signal number of the first one.
int InterruptCount();
int FirstInterrupt();

// Size of the output file `output` as seen through stdout -- one system
// call. If a test closed stdout or pointed it elsewhere, stdout and stderr
// are first pointed back at `output`.
int64_t StandardOutputSize(Handle output);

// Where the output file `output` ends as seen through stdout, more cheaply
// than StandardOutputSize where that can be had: on POSIX, the position of
// stdout's append-only description, which every write through it leaves at
// the end. Falls back on StandardOutputSize (and its repair) when stdout is
// closed, cannot seek, or stands before `at_least` (it points elsewhere).
// A test that pointed stdout at another file further along is caught by the
// next StandardOutputSize.
int64_t StandardOutputEnd(Handle output, int64_t at_least);

// Makes processes that this process's children leave behind become this
// process's children when orphaned, so that they can be found (Linux);
// with `adopt` false, stops doing so.
void AdoptOrphans(bool adopt = true);

// True if this process has child processes, running or ended but not yet
// waited for (none are reaped). POSIX; false on Windows, where the worker's
// job object ends what its tests leave behind.
bool HasChildren();

// The child processes running now, not counting ended ones (Linux; empty
// elsewhere).
std::vector<int64_t> LiveChildren();

// "pid 1234 (sleep)".
std::string DescribeProcess(int64_t pid);

// Kills a child process and reaps it.
void KillChild(int64_t pid);

// A copy of this process's standard output handle that its children do not
// inherit (kNoHandle if there is none).
Handle DuplicateStandardOutput();

// Arranges for this process to die when its parent does (Linux); checks
// that `parent` is still the parent. False if the parent is already gone.
// Dying, it first kills every process below it (see EndProcessTree), so
// that nothing a test started outlives a coordinator killed by SIGKILL.
bool DieWithParent(int64_t parent);

// Kills every descendant of this process, however deep and whatever
// session it moved to (with AdoptOrphans() in effect, orphans become this
// process's children and are found), then ends this process with `code`
// at once. Async-signal-safe (Linux; elsewhere it only ends the process).
[[noreturn]] void EndProcessTree(int code);

// Kills and reaps this process's children that are not in `keep` and not
// in its process group: with AdoptOrphans() in the coordinator, what dead
// workers' tests left running (daemons that left the worker's process
// group included). Returns how many it killed (Linux; 0 elsewhere).
int KillAdoptedOrphans(const std::vector<int64_t>& keep);

// What a handle refers to, to tell later whether it was closed or replaced.
struct HandleIdentity {
  bool open = false;
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const HandleIdentity& o) const {
    return open == o.open && device == o.device && inode == o.inode;
  }
};
HandleIdentity IdentityOf(Handle handle);

// Current process id.
int64_t CurrentPid();

// Creates `path` if need be and locks it for as long as this process lives
// or until ReleaseLock; kNoHandle when that fails. Not inherited by child
// processes.
Handle HoldLock(const std::string& path);
void ReleaseLock(Handle lock);
// True when nobody holds the lock on `path` (its holder ended).
bool LockIsFree(const std::string& path);
// True when `path` is a directory (not a link to one) that only this
// process's user can change (POSIX; on Windows, any directory).
bool IsPrivateDirectory(const std::string& path);

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

#endif  // GTEST_PARALLEL_CHILD_PROCESS_H_
