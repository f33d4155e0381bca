// Telling whether a debugger is attached (see debugger.h), one way per
// system.
#include "platform/debugger.h"

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#elif defined(__linux__)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#elif defined(__APPLE__)
#include <sys/sysctl.h>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace gtest_parallel {
namespace internal {

bool DebuggerAttached() {
#if defined(_WIN32)
  return IsDebuggerPresent() != 0;
#elif defined(__linux__)
  // "TracerPid:\t<pid>", 0 when nothing traces the process.
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return false;
  constexpr char kField[] = "TracerPid:";
  long tracer = 0;
  char line[256];
  while (std::fgets(line, sizeof(line), status) != nullptr) {
    if (std::strncmp(line, kField, sizeof(kField) - 1) == 0) {
      tracer = std::strtol(line + sizeof(kField) - 1, nullptr, 10);
      break;
    }
  }
  std::fclose(status);
  if (tracer == 0) return false;
  // Tracers that only watch system calls set no breakpoints: a run under
  // them stays parallel.
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%ld/comm", tracer);
  char name[64] = {0};
  if (std::FILE* comm = std::fopen(path, "r")) {
    if (std::fgets(name, sizeof(name), comm) == nullptr) name[0] = '\0';
    std::fclose(comm);
  }
  name[std::strcspn(name, "\n")] = '\0';
  for (const char* watcher : {"strace", "ltrace"}) {
    if (std::strcmp(name, watcher) == 0) return false;
  }
  return true;
#elif defined(__APPLE__)
  int query[] = {CTL_KERN, KERN_PROC, KERN_PROC_PID,
                 static_cast<int>(getpid())};
  struct kinfo_proc info = {};
  size_t size = sizeof(info);
  if (sysctl(query, sizeof(query) / sizeof(query[0]), &info, &size, nullptr,
             0) != 0) {
    return false;
  }
  return (info.kp_proc.p_flag & P_TRACED) != 0;
#else
  return false;
#endif
}

}  // namespace internal
}  // namespace gtest_parallel
