// windows.h, included the way the Windows implementation files of platform/
// need it, and the HANDLE helpers they share (process_windows.cc,
// files_windows.cc, signals_windows.cc); not for use outside platform/.
#ifndef GTEST_PARALLEL_PLATFORM_WINDOWS_HANDLES_H_
#define GTEST_PARALLEL_PLATFORM_WINDOWS_HANDLES_H_

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601  // PROC_THREAD_ATTRIBUTE_HANDLE_LIST.
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "platform/files.h"

namespace gtest_parallel {
namespace internal {

// A Handle as the HANDLE it holds.
inline HANDLE H(Handle handle) { return reinterpret_cast<HANDLE>(handle); }

// A HANDLE as a Handle; kNoHandle for null and INVALID_HANDLE_VALUE.
inline Handle ToHandle(HANDLE handle) {
  return handle == nullptr || handle == INVALID_HANDLE_VALUE
             ? kNoHandle
             : reinterpret_cast<Handle>(handle);
}

// Writes the one byte that wakes a thread waiting on a WakePipe.
void WriteWakeByte(Handle wake);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PLATFORM_WINDOWS_HANDLES_H_
