// File helpers of the SQLite backend: private directories, fast file
// copies, and whole-file reads and writes for in-memory database images.
#ifndef GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_FILES_H_
#define GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_FILES_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "gtest_parallel/status.h"

namespace gtest_parallel::internal {

// "<doing>: <strerror(errno)>".
std::string Errno(const std::string& doing);

// True if something exists at path.
bool FileExists(const std::string& path);

// Sets *path to $TMPDIR/gtest_parallel_sqlite_<uid>, made 0700 and checked
// to be a directory of this user that nobody else can enter.
Status PrivateDirectory(std::string* path);

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
