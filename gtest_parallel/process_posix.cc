// The process layer on POSIX systems: posix_spawn, pipes and poll.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "process.h"

#if defined(__linux__)
#include <sys/prctl.h>
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
// Our pipe ends are moved at or above this, clear of the fds above.
constexpr int kHighFd = 10;

const char* SignalName(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGINT: return "SIGINT";
    case SIGPIPE: return "SIGPIPE";
    case SIGTRAP: return "SIGTRAP";
    case SIGQUIT: return "SIGQUIT";
    case SIGHUP: return "SIGHUP";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGSYS: return "SIGSYS";
    case SIGALRM: return "SIGALRM";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    default: return nullptr;
  }
}

// A close-on-exec pipe whose ends sit at or above kHighFd.
bool MakePipe(int fds[2], std::string* error) {
  int raw[2];
  if (pipe(raw) != 0) {
    *error = std::string("pipe() failed: ") + strerror(errno);
    return false;
  }
  for (int i = 0; i < 2; ++i) {
    fds[i] = fcntl(raw[i], F_DUPFD_CLOEXEC, kHighFd);
    close(raw[i]);
  }
  if (fds[0] < 0 || fds[1] < 0) {
    *error = std::string("fcntl(F_DUPFD_CLOEXEC) failed: ") + strerror(errno);
    return false;
  }
  return true;
}

void CloseFd(Handle* handle) {
  if (*handle != kNoHandle) close(static_cast<int>(*handle));
  *handle = kNoHandle;
}

class PosixChild : public ChildProcess {
 public:
  PosixChild(pid_t pid, int commands, int events, int output)
      : pid_(pid), commands_(commands), events_(events), output_(output) {}
  ~PosixChild() override {
    CloseCommands();
    CloseEvents();
    CloseOutput();
  }

  int64_t pid() const override { return pid_; }
  Handle commands() const override { return commands_; }
  Handle events() const override { return events_; }
  Handle output() const override { return output_; }
  void CloseCommands() override { CloseFd(&commands_); }
  void CloseEvents() override { CloseFd(&events_); }
  void CloseOutput() override { CloseFd(&output_); }

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

std::unique_ptr<ChildProcess> ChildProcess::Spawn(const SpawnRequest& request,
                                                  std::string* error) {
  int commands[2], events[2], output[2];
  if (!MakePipe(commands, error)) return nullptr;
  if (!MakePipe(events, error) || !MakePipe(output, error)) {
    close(commands[0]);
    close(commands[1]);
    return nullptr;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output[1], 1);
  posix_spawn_file_actions_adddup2(&actions, output[1], 2);
  posix_spawn_file_actions_adddup2(&actions, commands[0], kChildCommandsFd);
  posix_spawn_file_actions_adddup2(&actions, events[1], kChildEventsFd);

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
                std::to_string(kChildEventsFd));
  std::vector<char*> argv, envp;
  for (const std::string& arg : request.argv) {
    argv.push_back(const_cast<char*>(arg.c_str()));
  }
  argv.push_back(nullptr);
  for (const std::string& entry : env) {
    envp.push_back(const_cast<char*>(entry.c_str()));
  }
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int failed = posix_spawn(&pid, argv[0], &actions, &attributes,
                                 argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(commands[0]);
  close(events[1]);
  close(output[1]);
  if (failed != 0) {
    *error = "could not start " + request.argv[0] + ": " + strerror(failed);
    close(commands[1]);
    close(events[0]);
    close(output[0]);
    return nullptr;
  }
  return std::make_unique<PosixChild>(pid, commands[1], events[0], output[0]);
}

bool TakeWorkerChannel(Handle* commands, Handle* events, std::string* error) {
  const char* value = getenv(kChannelVariable);
  if (value == nullptr) return false;
  int in = -1, out = -1;
  char extra;
  if (sscanf(value, "%d,%d%c", &in, &out, &extra) != 2 ||
      fcntl(in, F_GETFD) < 0 || fcntl(out, F_GETFD) < 0) {
    *error = std::string("bad ") + kChannelVariable + " '" + value + "'";
    unsetenv(kChannelVariable);
    return false;
  }
  unsetenv(kChannelVariable);
  *commands = DuplicatePrivate(in);
  *events = DuplicatePrivate(out);
  close(in);
  close(out);
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

long ReadSome(Handle handle, char* buffer, size_t size) {
  for (;;) {
    const ssize_t got = read(static_cast<int>(handle), buffer, size);
    if (got >= 0 || errno != EINTR) return static_cast<long>(got);
  }
}

bool WriteAll(Handle handle, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t wrote = write(static_cast<int>(handle), data, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += wrote;
    size -= static_cast<size_t>(wrote);
  }
  return true;
}

int WaitReadable(const std::vector<Handle>& handles, int timeout_ms,
                 std::vector<bool>* ready) {
  std::vector<pollfd> fds(handles.size());
  for (size_t i = 0; i < handles.size(); ++i) {
    fds[i].fd = static_cast<int>(handles[i]);
    fds[i].events = POLLIN;
  }
  ready->assign(handles.size(), false);
  int count;
  do {
    count = poll(fds.data(), fds.size(), timeout_ms);
  } while (count < 0 && errno == EINTR);
  if (count <= 0) return count;
  int found = 0;
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].fd >= 0 && fds[i].revents != 0) {
      (*ready)[i] = true;
      ++found;
    }
  }
  return found;
}

WakePipe::WakePipe() {
  int fds[2];
  std::string error;
  if (MakePipe(fds, &error)) {
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    read_ = fds[0];
    write_ = fds[1];
  }
}

WakePipe::~WakePipe() {
  CloseFd(&read_);
  CloseFd(&write_);
}

void WakePipe::Wake() {
  const char byte = 1;
  (void)!write(static_cast<int>(write_), &byte, 1);
}

void WakePipe::Drain() {
  char buffer[64];
  while (read(static_cast<int>(read_), buffer, sizeof(buffer)) > 0) {
  }
}

Handle DuplicatePrivate(Handle handle) {
  return fcntl(static_cast<int>(handle), F_DUPFD_CLOEXEC, kHighFd);
}

bool DieWithParent(int64_t parent) {
#if defined(__linux__)
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  return parent <= 0 || getppid() == static_cast<pid_t>(parent);
}

int64_t CurrentPid() { return getpid(); }

}  // namespace internal
}  // namespace gtest_parallel
