// The process layer on POSIX systems: posix_spawn, pipes and poll.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstring>

#include "platform/child_process.h"
#include "protocol/variables.h"

#if defined(__linux__)
#include <sys/prctl.h>
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
// Our pipe ends are moved at or above this, clear of the fds above.
constexpr int kHighFd = 10;

// A close-on-exec copy of `fd`, at kHighFd or above.
int PrivateCopy(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, kHighFd); }

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

void CloseFd(Handle* handle) {
  if (*handle != kNoHandle) close(static_cast<int>(*handle));
  *handle = kNoHandle;
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

long ReadSome(Handle handle, char* buffer, size_t size) {
  for (;;) {
    const ssize_t got = read(static_cast<int>(handle), buffer, size);
    if (got >= 0 || errno != EINTR) return static_cast<long>(got);
  }
}

std::string ReadAt(Handle handle, int64_t offset, size_t size) {
  std::string data(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t got = pread(static_cast<int>(handle), &data[done],
                              size - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<size_t>(got);
  }
  data.resize(done);
  return data;
}

int64_t FileSize(Handle handle) {
  struct stat info;
  if (fstat(static_cast<int>(handle), &info) != 0) return -1;
  return info.st_size;
}

void DropRange(Handle handle, int64_t from, int64_t to) {
#if defined(__linux__)
  if (to > from) {
    fallocate(static_cast<int>(handle),
              FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from, to - from);
  }
#else
  (void)handle;
  (void)from;
  (void)to;
#endif
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

namespace {

// Written by the handler, read by other threads: lock-free atomics, which
// a signal handler may use.
std::atomic<int> g_interrupts{0};
std::atomic<int> g_first_interrupt{0};
static_assert(std::atomic<int>::is_always_lock_free,
              "interrupt counters must be usable in a signal handler");
int g_interrupt_wake = -1;
pid_t g_catching_pid = 0;
bool g_ignoring_pipe = false;
struct sigaction g_saved_int, g_saved_term, g_saved_pipe;

void OnInterrupt(int signal) {
  const int saved_errno = errno;
  if (getpid() != g_catching_pid) {
    // A child forked without exec (a death test) dies of it as usual.
    ::signal(signal, SIG_DFL);
    raise(signal);
    errno = saved_errno;
    return;
  }
  // Stored before the count that makes it visible.
  int none = 0;
  g_first_interrupt.compare_exchange_strong(none, signal);
  g_interrupts.fetch_add(1);
  const char byte = 1;
  if (g_interrupt_wake >= 0) (void)!write(g_interrupt_wake, &byte, 1);
  errno = saved_errno;
}

}  // namespace

void CatchInterrupts(Handle wake, bool ignore_broken_pipes) {
  g_interrupt_wake = static_cast<int>(wake);
  g_catching_pid = getpid();
  g_ignoring_pipe = ignore_broken_pipes;
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = &OnInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &g_saved_int);
  sigaction(SIGTERM, &action, &g_saved_term);
  if (!ignore_broken_pipes) return;
  struct sigaction ignore;
  memset(&ignore, 0, sizeof(ignore));
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &g_saved_pipe);
}

void RestoreInterrupts() {
  sigaction(SIGINT, &g_saved_int, nullptr);
  sigaction(SIGTERM, &g_saved_term, nullptr);
  if (g_ignoring_pipe) sigaction(SIGPIPE, &g_saved_pipe, nullptr);
  g_ignoring_pipe = false;
  g_interrupt_wake = -1;
}

int InterruptCount() { return g_interrupts.load(); }
int FirstInterrupt() { return g_first_interrupt.load(); }

void AdoptOrphans(bool adopt) {
#if defined(__linux__)
  prctl(PR_SET_CHILD_SUBREAPER, adopt ? 1 : 0);
#else
  (void)adopt;
#endif
}

bool HasChildren() {
  // Looks without reaping: a test may still want to wait for its children.
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

namespace {

// True unless the process has ended (a zombie) or is gone.
bool Running(int64_t pid) {
  FILE* file = fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (file == nullptr) return false;
  char buffer[512] = {0};
  const bool read = fgets(buffer, sizeof(buffer), file) != nullptr;
  fclose(file);
  const char* end_of_name = strrchr(buffer, ')');
  return read && end_of_name != nullptr && end_of_name[1] == ' ' &&
         end_of_name[2] != 'Z' && end_of_name[2] != 'X';
}

}  // namespace

std::vector<int64_t> LiveChildren() {
  std::vector<int64_t> children;
#if defined(__linux__)
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return children;
  while (dirent* task = readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    FILE* file = fopen(
        (std::string("/proc/self/task/") + task->d_name + "/children").c_str(),
        "r");
    if (file == nullptr) continue;
    long long pid;
    while (fscanf(file, "%lld", &pid) == 1) {
      if (Running(pid)) children.push_back(pid);
    }
    fclose(file);
  }
  closedir(tasks);
#endif
  return children;
}

std::string DescribeProcess(int64_t pid) {
  std::string name;
  if (FILE* file =
          fopen(("/proc/" + std::to_string(pid) + "/comm").c_str(), "r")) {
    char buffer[64] = {0};
    if (fgets(buffer, sizeof(buffer), file) != nullptr) name = buffer;
    fclose(file);
  }
  while (!name.empty() && name.back() == '\n') name.pop_back();
  return "pid " + std::to_string(pid) + (name.empty() ? "" : " (" + name + ")");
}

void KillChild(int64_t pid) {
  kill(static_cast<pid_t>(pid), SIGKILL);
  waitpid(static_cast<pid_t>(pid), nullptr, 0);
}

int64_t StandardOutputSize(Handle output) {
  struct stat seen, own;
  if (fstat(STDOUT_FILENO, &seen) == 0 && S_ISREG(seen.st_mode)) {
    // Our output file is the only regular file stdout starts as; a test
    // that pointed stdout at a file of its own is caught by the identity.
    static dev_t device = 0;
    static ino_t inode = 0;
    if (inode == 0 && fstat(static_cast<int>(output), &own) == 0) {
      device = own.st_dev;
      inode = own.st_ino;
    }
    if (seen.st_dev == device && seen.st_ino == inode) return seen.st_size;
  }
  dup2(static_cast<int>(output), STDOUT_FILENO);
  dup2(static_cast<int>(output), STDERR_FILENO);
  clearerr(stdout);
  clearerr(stderr);
  return FileSize(output);
}

int64_t StandardOutputEnd(Handle output, int64_t at_least) {
  // One system call, cheaper than a stat.
  const off_t position = lseek(STDOUT_FILENO, 0, SEEK_CUR);
  if (position < 0 || position < at_least) return StandardOutputSize(output);
  return position;
}

Handle DuplicateStandardOutput() { return PrivateCopy(STDOUT_FILENO); }

namespace {

#if defined(__linux__)
// The signal a worker gets when its coordinator dies: one that can be
// caught, so that it takes its tests' processes with it, and that nothing
// else sends (valgrind keeps the last real-time signal for itself).
int ParentDeathSignal() { return SIGRTMIN + 3; }

void OnParentDeath(int /*signal*/) { EndProcessTree(1); }

// Appends the decimal digits of `value` to `out` (async-signal-safe).
char* AppendNumber(char* out, long value) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (count > 0) *out++ = digits[--count];
  return out;
}

// The layout getdents64 fills in.
struct DirectoryEntry {
  uint64_t inode;
  int64_t offset;
  unsigned short length;
  unsigned char type;
  char name[1];
};

// This process's children, every thread's, at most `capacity` of them:
// raw system calls and stack buffers only, so that a signal handler may
// call it.
size_t ChildrenOfSelf(pid_t* pids, size_t capacity) {
  const int tasks = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (tasks < 0) return 0;
  size_t count = 0;
  alignas(8) char entries[2048];
  long got;
  while ((got = syscall(SYS_getdents64, tasks, entries, sizeof(entries))) > 0) {
    for (long at = 0; at < got;) {
      const auto* entry = reinterpret_cast<const DirectoryEntry*>(entries + at);
      at += entry->length;
      if (entry->name[0] < '0' || entry->name[0] > '9') continue;
      char path[96] = "/proc/self/task/";
      char* end = path + strlen(path);
      for (const char* c = entry->name; *c != '\0' && end < path + 80; ++c) {
        *end++ = *c;
      }
      memcpy(end, "/children", sizeof("/children"));
      const int file = open(path, O_RDONLY | O_CLOEXEC);
      if (file < 0) continue;
      char text[4096];
      const ssize_t size = read(file, text, sizeof(text) - 1);
      close(file);
      long pid = 0;
      bool digits = false;
      for (ssize_t i = 0; i <= size; ++i) {
        if (i < size && text[i] >= '0' && text[i] <= '9') {
          pid = pid * 10 + (text[i] - '0');
          digits = true;
        } else if (digits) {
          if (count < capacity) pids[count++] = static_cast<pid_t>(pid);
          pid = 0;
          digits = false;
        }
      }
    }
  }
  close(tasks);
  return count;
}
#endif

}  // namespace

bool DieWithParent(int64_t parent) {
#if defined(__linux__)
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = OnParentDeath;
  sigfillset(&action.sa_mask);
  sigaction(ParentDeathSignal(), &action, nullptr);
  prctl(PR_SET_PDEATHSIG, ParentDeathSignal());
#endif
  return parent <= 0 || getppid() == static_cast<pid_t>(parent);
}

void EndProcessTree(int code) {
#if defined(__linux__)
  // Killing a child makes its children ours (AdoptOrphans): round after
  // round, the tree shrinks to nothing. Bounded all the same.
  pid_t pids[256];
  for (int round = 0; round < 10000; ++round) {
    const size_t count = ChildrenOfSelf(pids, 256);
    if (count == 0) break;
    for (size_t i = 0; i < count; ++i) kill(pids[i], SIGKILL);
    // Once one has been waited for, its children have been handed on.
    if (wait4(-1, nullptr, __WALL, nullptr) < 0 && errno != EINTR &&
        errno != ECHILD) {
      break;
    }
  }
#endif
  _exit(code);
}

int KillAdoptedOrphans(const std::vector<int64_t>& keep) {
  int killed = 0;
#if defined(__linux__)
  const pid_t group = getpgrp();
  for (int round = 0; round < 100; ++round) {
    pid_t pids[256];
    const size_t count = ChildrenOfSelf(pids, 256);
    std::vector<pid_t> doomed;
    for (size_t i = 0; i < count; ++i) {
      const bool kept =
          std::find(keep.begin(), keep.end(), pids[i]) != keep.end();
      // Children of the program's own, outside the workers' trees, stay in
      // its process group: those are not ours to end.
      if (!kept && getpgid(pids[i]) != group) doomed.push_back(pids[i]);
    }
    if (doomed.empty()) break;
    for (pid_t pid : doomed) kill(pid, SIGKILL);
    for (pid_t pid : doomed) {
      if (waitpid(pid, nullptr, __WALL) == pid) ++killed;
    }
  }
#else
  (void)keep;
#endif
  return killed;
}

HandleIdentity IdentityOf(Handle handle) {
  HandleIdentity identity;
  struct stat info;
  if (handle == kNoHandle || fstat(static_cast<int>(handle), &info) != 0) {
    return identity;
  }
  identity.open = true;
  identity.device = static_cast<uint64_t>(info.st_dev);
  identity.inode = static_cast<uint64_t>(info.st_ino);
  return identity;
}

int64_t CurrentPid() { return getpid(); }

Handle HoldLock(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return kNoHandle;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return kNoHandle;
  }
  return fd;
}

void ReleaseLock(Handle lock) {
  if (lock != kNoHandle) close(static_cast<int>(lock));
}

bool IsPrivateDirectory(const std::string& path) {
  struct stat info;
  if (lstat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) ||
      info.st_uid != geteuid()) {
    return false;
  }
  return (info.st_mode & 077) == 0 ||
         chmod(path.c_str(), info.st_mode & 0700) == 0;
}

bool LockIsFree(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  const bool free = flock(fd, LOCK_EX | LOCK_NB) == 0;
  close(fd);
  return free;
}

void SetOwnEnvironment(const std::string& name, const std::string& value) {
  setenv(name.c_str(), value.c_str(), 1);
}

}  // namespace internal
}  // namespace gtest_parallel
