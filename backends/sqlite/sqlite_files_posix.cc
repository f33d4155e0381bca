// File helpers of the SQLite backend on POSIX systems (see sqlite_files.h).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_files.h"
#ifdef __linux__
#include <linux/fs.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace gtest_parallel::internal {

std::string Errno(const std::string& doing) {
  return doing + ": " + std::strerror(errno);
}

bool FileExists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

Status PrivateDirectory(std::string* path) {
  // In a worker, TMPDIR is the worker's own; the run's is named apart.
  const char* tmp = std::getenv("GTEST_PARALLEL_SHARED_TMPDIR");
  if (tmp == nullptr) tmp = std::getenv("TMPDIR");
  *path = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
          "/gtest_parallel_sqlite_" + std::to_string(geteuid());
  if (mkdir(path->c_str(), 0700) != 0 && errno != EEXIST) {
    return Status(ErrorCode::kPermissionDenied, Errno("cannot make " + *path));
  }
  struct stat info;
  if (lstat(path->c_str(), &info) != 0 || !S_ISDIR(info.st_mode) ||
      info.st_uid != geteuid() || (info.st_mode & 077) != 0) {
    return Status(ErrorCode::kPermissionDenied,
                  *path + " is not a private directory of this user");
  }
  return Status();
}

void RemoveDirectoryIfEmpty(const std::string& path) {
  // Fails, harmlessly, while anything is in it.
  rmdir(path.c_str());
}

FileLock::~FileLock() {
  // Removed before it is unlocked: whoever opened it meanwhile finds, once
  // it has the lock, that the path no longer leads to its file.
  unlink(path_.c_str());
  close(static_cast<int>(handle_));
}

Status FileLock::TryLock(const std::string& path,
                         std::unique_ptr<FileLock>* lock) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Status(ErrorCode::kPermissionDenied,
                    Errno("cannot make lock file " + path));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const bool busy = errno == EWOULDBLOCK;
      const std::string error = Errno("cannot lock " + path);
      close(fd);
      if (busy) {
        return Status(ErrorCode::kTemplateInUse,
                      "another process holds the lock file " + path);
      }
      return Status(ErrorCode::kInternal, error);
    }
    struct stat opened, named;
    if (fstat(fd, &opened) == 0 && stat(path.c_str(), &named) == 0 &&
        opened.st_dev == named.st_dev && opened.st_ino == named.st_ino) {
      lock->reset(new FileLock(path, fd));
      return Status();
    }
    close(fd);  // Released and removed by its last holder: again.
  }
  return Status(ErrorCode::kInternal, "cannot keep hold of " + path);
}

Status CreateEmptyFile(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(errno == EEXIST ? ErrorCode::kAlreadyExists
                                  : ErrorCode::kPermissionDenied,
                  std::strerror(errno));
  }
  close(fd);
  return Status();
}

Status CopyFile(const std::string& from, const std::string& to) {
  int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status(ErrorCode::kNotFound, Errno("cannot read " + from));
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0) {
    close(in);
    return Status(errno == EEXIST ? ErrorCode::kAlreadyExists
                                  : ErrorCode::kPermissionDenied,
                  Errno("cannot create " + to));
  }
  bool ok = false;
#ifdef FICLONE
  ok = ioctl(out, FICLONE, in) == 0;
#endif
  while (!ok) {
    ssize_t copied = copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (copied == 0) {
      ok = true;
    } else if (copied < 0) {
      break;
    }
  }
  if (!ok) {  // copy_file_range unsupported here: plain copy from the start.
    ok = lseek(in, 0, SEEK_SET) == 0 && ftruncate(out, 0) == 0 &&
         lseek(out, 0, SEEK_SET) == 0;
    char buffer[1 << 16];
    ssize_t size = 0;
    while (ok && (size = read(in, buffer, sizeof(buffer))) > 0) {
      ok = write(out, buffer, size) == size;
    }
    ok = ok && size == 0;
  }
  std::string error = ok ? "" : Errno("cannot copy " + from + " to " + to);
  close(in);
  if (close(out) != 0 && ok) {
    ok = false;
    error = Errno("cannot write " + to);
  }
  if (!ok) {
    unlink(to.c_str());
    return Status(ErrorCode::kInternal, error);
  }
  return Status();
}

Status WriteWholeFile(const std::string& path, const unsigned char* data,
                      int64_t size) {
  std::string temporary = path + ".tmp" + std::to_string(getpid());
  int fd =
      open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  for (int64_t done = 0; ok && done < size;) {
    ssize_t written = write(fd, data + done, size - done);
    ok = written > 0;
    done += ok ? written : 0;
  }
  std::string error = ok ? "" : Errno("cannot write " + temporary);
  if (fd >= 0 && close(fd) != 0 && ok) {
    ok = false;
    error = Errno("cannot write " + temporary);
  }
  if (ok && rename(temporary.c_str(), path.c_str()) != 0) {
    ok = false;
    error = Errno("cannot rename " + temporary);
  }
  if (!ok) {
    unlink(temporary.c_str());
    return Status(ErrorCode::kInternal, error);
  }
  return Status();
}

Status ReadWholeFile(const std::string& path, unsigned char** data,
                     int64_t* size) {
  *data = nullptr;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status(ErrorCode::kNotFound, Errno("cannot read " + path));
  struct stat info;
  bool ok = fstat(fd, &info) == 0;
  *size = ok ? info.st_size : 0;
  // One spare byte: sqlite3_malloc64(0) would be null.
  *data = static_cast<unsigned char*>(sqlite3_malloc64(*size + 1));
  ok = ok && *data != nullptr;
  for (int64_t done = 0; ok && done < *size;) {
    ssize_t got = read(fd, *data + done, *size - done);
    ok = got > 0;
    done += ok ? got : 0;
  }
  std::string error = ok ? "" : Errno("cannot read " + path);
  close(fd);
  if (!ok) {
    sqlite3_free(*data);
    *data = nullptr;
    return Status(ErrorCode::kInternal, error);
  }
  return Status();
}

}  // namespace gtest_parallel::internal
