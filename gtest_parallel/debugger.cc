// Telling whether a debugger is attached (see debugger.h), one way per
// system.
#include "debugger.h"

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#elif defined(__linux__)
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
  bool traced = false;
  char line[256];
  while (std::fgets(line, sizeof(line), status) != nullptr) {
    if (std::strncmp(line, kField, sizeof(kField) - 1) == 0) {
      traced = std::strtol(line + sizeof(kField) - 1, nullptr, 10) != 0;
      break;
    }
  }
  std::fclose(status);
  return traced;
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
