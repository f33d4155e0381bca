// File descriptor helpers that the POSIX implementation files of platform/
// share (process_posix.cc, files_posix.cc); not for use outside platform/.
#ifndef GTEST_PARALLEL_PLATFORM_FDS_POSIX_H_
#define GTEST_PARALLEL_PLATFORM_FDS_POSIX_H_

#include <string>

#include "platform/files.h"

namespace gtest_parallel {
namespace internal {

// Our pipe ends are moved at or above this, clear of the fds a worker finds
// its channel on (after stdin, stdout, stderr).
inline constexpr int kHighFd = 10;

// A close-on-exec copy of `fd`, at kHighFd or above.
int PrivateCopy(int fd);

// A close-on-exec pipe whose ends sit at or above kHighFd.
bool MakePipe(int fds[2], std::string* error);

// Closes `*handle` if open and sets it to kNoHandle.
void CloseFd(Handle* handle);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PLATFORM_FDS_POSIX_H_
