// This process's descendants on POSIX systems: a child subreaper, the
// children listed in /proc, and the parent-death signal (Linux; little of it
// elsewhere).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "platform/process_tree.h"

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

namespace gtest_parallel {
namespace internal {

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

}  // namespace internal
}  // namespace gtest_parallel
