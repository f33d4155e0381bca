// Files, pipes and locks on POSIX systems: read/write, poll, flock, and the
// repair of a worker's standard output.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "platform/fds_posix.h"
#include "platform/files.h"

namespace gtest_parallel {
namespace internal {

int PrivateCopy(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, kHighFd); }

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

}  // namespace internal
}  // namespace gtest_parallel
