// File helpers of the SQLite backend: private directories, fast file
// copies, and whole-file reads and writes for in-memory database images.
#ifndef GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_FILES_H_
#define GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_FILES_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "gtest_parallel/status.h"

namespace gtest_parallel::internal {

// "<doing>: <strerror(errno)>".
std::string Errno(const std::string& doing);

// True if something exists at path.
bool FileExists(const std::string& path);

// Sets *path to $TMPDIR/gtest_parallel_sqlite_<uid>, made 0700 and checked
// to be a directory of this user that nobody else can enter.
Status PrivateDirectory(std::string* path);

// Removes the directory at path if it is empty; leaves it otherwise.
void RemoveDirectoryIfEmpty(const std::string& path);

// An exclusive lock on a file of its own, made when the lock is taken and
// removed when it is released (destroyed, or by the end of the process).
class FileLock {
 public:
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // Takes the lock of path without waiting: kTemplateInUse while another
  // process holds it.
  static Status TryLock(const std::string& path,
                        std::unique_ptr<FileLock>* lock);

 private:
  FileLock(std::string path, intptr_t handle)
      : path_(std::move(path)), handle_(handle) {}

  std::string path_;
  intptr_t handle_;  // A file descriptor, or a Windows HANDLE.
};

// Creates an empty file at path (mode 0644); kAlreadyExists if something
// is there.
Status CreateEmptyFile(const std::string& path);

// Copies a file: a reflink where the file system has them, else
// copy_file_range, else read/write. The target must not exist.
Status CopyFile(const std::string& from, const std::string& to);

// Writes size bytes to a temporary file renamed to path (mode 0600).
Status WriteWholeFile(const std::string& path, const unsigned char* data,
                      int64_t size);

// Reads the file at path into *data, allocated with sqlite3_malloc64 (one
// byte longer than *size), for sqlite3_deserialize.
Status ReadWholeFile(const std::string& path, unsigned char** data,
                     int64_t* size);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_FILES_H_
