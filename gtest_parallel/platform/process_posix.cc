// The process layer on POSIX systems: posix_spawn, pipes and a status page
// in shared memory.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>

#include "platform/fds_posix.h"
#include "platform/files.h"
#include "platform/process.h"
#include "protocol/variables.h"

#if defined(__linux__)
#include <sys/syscall.h>
#endif
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

namespace gtest_parallel {
namespace internal {
namespace {

// Fds the worker finds its channel on (after stdin, stdout, stderr).
constexpr int kChildCommandsFd = 3;
constexpr int kChildEventsFd = 4;
constexpr int kChildStatusFd = 5;

const char* SignalName(int signal) {
  switch (signal) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGINT:
      return "SIGINT";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGHUP:
      return "SIGHUP";
    case SIGXCPU:
      return "SIGXCPU";
    case SIGXFSZ:
      return "SIGXFSZ";
    case SIGSYS:
      return "SIGSYS";
    case SIGALRM:
      return "SIGALRM";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    default:
      return nullptr;
  }
}

// An unlinked, close-on-exec temporary file, at or above kHighFd.
int AnonymousFile(int extra_flags, std::string* error) {
  const char* dir = getenv("TMPDIR");
  std::string path =
      std::string(dir && *dir ? dir : "/tmp") + "/gtest_parallel.XXXXXX";
  const int fd = mkostemp(&path[0], O_CLOEXEC | extra_flags);
  if (fd < 0) {
    *error = "cannot create a file in " + path.substr(0, path.rfind('/')) +
             ": " + strerror(errno);
    return -1;
  }
  unlink(path.c_str());
  const int high = fcntl(fd, F_DUPFD_CLOEXEC, kHighFd);
  close(fd);
  return high;
}

// Maps a WorkerStatus held by the file `fd`; null on failure.
WorkerStatus* MapStatus(int fd) {
  void* memory = mmap(nullptr, sizeof(WorkerStatus), PROT_READ | PROT_WRITE,
                      MAP_SHARED, fd, 0);
  return memory == MAP_FAILED ? nullptr : static_cast<WorkerStatus*>(memory);
}

// A pidfd for `pid` (Linux 5.3 and later, close-on-exec), or kNoHandle.
Handle OpenExitWatch(pid_t pid) {
#if defined(__linux__) && defined(SYS_pidfd_open)
  const long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) return static_cast<Handle>(fd);
#else
  (void)pid;
#endif
  return kNoHandle;
}

class PosixChild : public ChildProcess {
 public:
  PosixChild(pid_t pid, int commands, int events, int output,
             WorkerStatus* status)
      : pid_(pid),
        commands_(commands),
        events_(events),
        output_(output),
        status_page_(status) {}
  ~PosixChild() override {
    CloseCommands();
    CloseEvents();
    CloseFd(&output_);
    CloseFd(&exit_watch_);
    munmap(status_page_, sizeof(WorkerStatus));
  }

  int64_t pid() const override { return pid_; }
  Handle commands() const override { return commands_; }
  Handle events() const override { return events_; }
  Handle output() const override { return output_; }
  Handle exit_watch() const override { return exit_watch_; }
  const WorkerStatus& status() const override { return *status_page_; }
  void CloseCommands() override { CloseFd(&commands_); }
  void CloseEvents() override { CloseFd(&events_); }

  void Terminate() override { Signal(SIGTERM); }
  void Kill() override { Signal(SIGKILL); }

  bool TryWait(ExitStatus* status) override {
    if (!reaped_) {
      int raw = 0;
      const pid_t got = waitpid(pid_, &raw, WNOHANG);
      if (got == 0) return false;
      if (got == pid_) {
        status_.exited = WIFEXITED(raw);
        status_.code = status_.exited ? WEXITSTATUS(raw) : 0;
        status_.signal = WIFSIGNALED(raw) ? WTERMSIG(raw) : 0;
      } else {
        status_.exited = true;  // Reaped elsewhere: nothing more to learn.
        status_.code = -1;
      }
      reaped_ = true;
      CloseFd(&exit_watch_);
    }
    *status = status_;
    return true;
  }

 private:
  void Signal(int signal) {
    // The whole group: the worker and whatever its tests started. The group
    // outlives a reaped leader while its children live, so signal it even
    // then; the leader's pid is signalled only while it is ours to reap.
    kill(-pid_, signal);
    if (!reaped_) kill(pid_, signal);
  }

  pid_t pid_;
  Handle commands_, events_, output_;
  Handle exit_watch_ = OpenExitWatch(pid_);
  WorkerStatus* status_page_;
  bool reaped_ = false;
  ExitStatus status_;
};

}  // namespace

std::string ExitStatus::Describe() const {
  if (exited) return "exited with status " + std::to_string(code);
  const char* name = SignalName(signal);
  return std::string("was killed by ") +
         (name ? name : "signal " + std::to_string(signal)) + " (" +
         strsignal(signal) + ")";
}

namespace {

// The parent's ends and the child's ends of a worker's channel, its output
// file and its status page; -1 where not open.
struct ChannelFiles {
  int commands[2] = {-1, -1};
  int events[2] = {-1, -1};
  int output = -1;
  int status_fd = -1;
  WorkerStatus* status = nullptr;

  void CloseAll() {
    for (int fd :
         {commands[0], commands[1], events[0], events[1], output, status_fd}) {
      if (fd >= 0) close(fd);
    }
    if (status != nullptr) munmap(status, sizeof(WorkerStatus));
  }
};

// Opens the pipes, the output file and the mapped status page of a worker;
// false with *error (and nothing left open) when one cannot be made.
bool OpenChannelFiles(ChannelFiles* files, std::string* error) {
  bool ok = MakePipe(files->commands, error) && MakePipe(files->events, error);
  if (ok) files->output = AnonymousFile(O_APPEND, error);
  if (ok && files->output >= 0) files->status_fd = AnonymousFile(0, error);
  if (files->status_fd >= 0 &&
      ftruncate(files->status_fd, sizeof(WorkerStatus)) == 0) {
    files->status = MapStatus(files->status_fd);
    if (files->status == nullptr) {
      *error = std::string("mmap: ") + strerror(errno);
    }
  }
  if (files->status == nullptr) {
    files->CloseAll();
    return false;
  }
  StartWorkerStatus(files->status);
  return true;
}

// Pointers to the strings, null-terminated, for exec.
std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) {
    pointers.push_back(const_cast<char*>(s.c_str()));
  }
  pointers.push_back(nullptr);
  return pointers;
}

// Starts request's program with the child's ends of `files` in place, in a
// process group of its own, with default signal handling; the
// posix_spawn error number, 0 on success.
int SpawnWithChannel(const SpawnRequest& request, const ChannelFiles& files,
                     pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, files.output, 1);
  posix_spawn_file_actions_adddup2(&actions, files.output, 2);
  posix_spawn_file_actions_adddup2(&actions, files.commands[0],
                                   kChildCommandsFd);
  posix_spawn_file_actions_adddup2(&actions, files.events[1], kChildEventsFd);
  posix_spawn_file_actions_adddup2(&actions, files.status_fd, kChildStatusFd);
  if (!request.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, request.cwd.c_str());
  }
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int signal : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD}) {
    sigaddset(&defaults, signal);
  }
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP |
                                            POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> env = request.env;
  env.push_back(std::string(kChannelVariable) + "=" +
                std::to_string(kChildCommandsFd) + "," +
                std::to_string(kChildEventsFd) + "," +
                std::to_string(kChildStatusFd));
  std::vector<char*> argv = CStrings(request.argv);
  std::vector<char*> envp = CStrings(env);
  const int failed = posix_spawn(pid, argv[0], &actions, &attributes,
                                 argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return failed;
}

}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::Spawn(const SpawnRequest& request,
                                                  std::string* error) {
  ChannelFiles files;
  if (!OpenChannelFiles(&files, error)) return nullptr;
  pid_t pid = -1;
  const int failed = SpawnWithChannel(request, files, &pid);
  // The child's ends are the child's now.
  for (int* fd : {&files.commands[0], &files.events[1], &files.status_fd}) {
    close(*fd);
    *fd = -1;
  }
  if (failed != 0) {
    *error = "could not start " + request.argv[0] + ": " + strerror(failed);
    files.CloseAll();
    return nullptr;
  }
  return std::make_unique<PosixChild>(pid, files.commands[1], files.events[0],
                                      files.output, files.status);
}

bool TakeWorkerChannel(Handle* commands, Handle* events, WorkerStatus** status,
                       std::string* error) {
  const char* value = getenv(kChannelVariable);
  if (value == nullptr) return false;
  int in = -1, out = -1, shared = -1;
  char extra;
  const bool parsed =
      sscanf(value, "%d,%d,%d%c", &in, &out, &shared, &extra) == 3 &&
      fcntl(in, F_GETFD) >= 0 && fcntl(out, F_GETFD) >= 0 &&
      fcntl(shared, F_GETFD) >= 0;
  if (!parsed)
    *error = std::string("bad ") + kChannelVariable + " '" + value + "'";
  unsetenv(kChannelVariable);
  if (!parsed) return false;
  *commands = PrivateCopy(in);
  *events = PrivateCopy(out);
  *status = MapStatus(shared);
  close(in);
  close(out);
  close(shared);
  if (*status == nullptr) {
    *error = std::string("cannot map the worker status: ") + strerror(errno);
    return false;
  }
  return true;
}

std::string SelfExecutable(const char* argv0) {
#if defined(__linux__)
  char path[PATH_MAX];
  const ssize_t size = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (size > 0) return std::string(path, static_cast<size_t>(size));
#elif defined(__APPLE__)
  char path[PATH_MAX];
  uint32_t size = sizeof(path);
  if (_NSGetExecutablePath(path, &size) == 0) return path;
#endif
  return argv0 != nullptr ? argv0 : "";
}

int64_t CurrentPid() { return getpid(); }

void SetOwnEnvironment(const std::string& name, const std::string& value) {
  setenv(name.c_str(), value.c_str(), 1);
}

}  // namespace internal
}  // namespace gtest_parallel
