// File helpers of the SQLite backend on Windows (see sqlite_files.h):
// std::filesystem does the work; the per-user temporary directory, which
// only its user may enter, holds the private directory.
#include <windows.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "sqlite_files.h"

namespace gtest_parallel::internal {
namespace {

namespace fs = std::filesystem;

std::string Failure(const std::string& doing, const std::error_code& error) {
  return doing + ": " + error.message();
}

}  // namespace

std::string Errno(const std::string& doing) {
  return doing + ": " + std::strerror(errno);
}

bool FileExists(const std::string& path) {
  std::error_code error;
  return fs::exists(fs::u8path(path), error);
}

Status PrivateDirectory(std::string* path) {
  std::error_code error;
  // In a worker, TMP and TEMP are the worker's own; the run's is named
  // apart.
  const char* shared = std::getenv("GTEST_PARALLEL_SHARED_TMPDIR");
  fs::path directory = shared != nullptr && *shared != '\0'
                           ? fs::u8path(shared)
                           : fs::temp_directory_path(error);
  if (error) {
    return Status(ErrorCode::kPermissionDenied,
                  Failure("no temporary directory", error));
  }
  directory /= "gtest_parallel_sqlite";
  *path = directory.u8string();
  fs::create_directories(directory, error);
  if (error) {
    return Status(ErrorCode::kPermissionDenied,
                  Failure("cannot make " + *path, error));
  }
  if (!fs::is_directory(fs::symlink_status(directory, error))) {
    return Status(ErrorCode::kPermissionDenied,
                  *path + " is not a directory of this user");
  }
  return Status();
}

void RemoveDirectoryIfEmpty(const std::string& path) {
  // Removes an empty directory only; fails, harmlessly, otherwise.
  RemoveDirectoryW(fs::u8path(path).c_str());
}

FileLock::~FileLock() {
  // Opened for deletion on close: closing it removes it.
  CloseHandle(reinterpret_cast<HANDLE>(handle_));
}

Status FileLock::TryLock(const std::string& path,
                         std::unique_ptr<FileLock>* lock) {
  // Shared with no one: a second opener fails until the handle is closed.
  HANDLE file = CreateFileW(
      fs::u8path(path).c_str(), GENERIC_READ | DELETE, 0, nullptr, OPEN_ALWAYS,
      FILE_ATTRIBUTE_NORMAL | FILE_FLAG_DELETE_ON_CLOSE, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    const DWORD code = GetLastError();
    if (code == ERROR_SHARING_VIOLATION || code == ERROR_ACCESS_DENIED) {
      return Status(ErrorCode::kTemplateInUse,
                    "another process holds the lock file " + path);
    }
    const std::error_code error(static_cast<int>(code), std::system_category());
    return Status(ErrorCode::kInternal,
                  Failure("cannot make lock file " + path, error));
  }
  lock->reset(new FileLock(path, reinterpret_cast<intptr_t>(file)));
  return Status();
}

Status CreateEmptyFile(const std::string& path) {
  HANDLE file = CreateFileW(fs::u8path(path).c_str(), GENERIC_WRITE, 0, nullptr,
                            CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    const DWORD code = GetLastError();
    const std::error_code error(static_cast<int>(code), std::system_category());
    return Status(code == ERROR_FILE_EXISTS ? ErrorCode::kAlreadyExists
                                            : ErrorCode::kPermissionDenied,
                  error.message());
  }
  CloseHandle(file);
  return Status();
}

Status CopyFile(const std::string& from, const std::string& to) {
  // CopyFileW copies blocks (with block cloning on ReFS); it fails when the
  // target exists, as the interface asks.
  if (!CopyFileW(fs::u8path(from).c_str(), fs::u8path(to).c_str(), TRUE)) {
    const DWORD code = GetLastError();
    const std::error_code error(static_cast<int>(code), std::system_category());
    return Status(code == ERROR_FILE_EXISTS      ? ErrorCode::kAlreadyExists
                  : code == ERROR_FILE_NOT_FOUND ? ErrorCode::kNotFound
                                                 : ErrorCode::kInternal,
                  Failure("cannot copy " + from + " to " + to, error));
  }
  return Status();
}

Status WriteWholeFile(const std::string& path, const unsigned char* data,
                      int64_t size) {
  const fs::path target = fs::u8path(path);
  fs::path temporary = target;
  temporary += ".tmp" + std::to_string(GetCurrentProcessId());
  bool ok;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data),
              static_cast<std::streamsize>(size));
    out.close();
    ok = static_cast<bool>(out);
  }
  std::error_code error;
  if (ok) fs::rename(temporary, target, error);  // Replaces the target.
  if (!ok || error) {
    fs::remove(temporary, error);
    return Status(ErrorCode::kInternal, "cannot write " + path);
  }
  return Status();
}

Status ReadWholeFile(const std::string& path, unsigned char** data,
                     int64_t* size) {
  *data = nullptr;
  std::ifstream in(fs::u8path(path), std::ios::binary | std::ios::ate);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read " + path);
  *size = static_cast<int64_t>(in.tellg());
  in.seekg(0);
  // One spare byte: sqlite3_malloc64(0) would be null.
  *data = static_cast<unsigned char*>(sqlite3_malloc64(*size + 1));
  if (*data == nullptr || !in.read(reinterpret_cast<char*>(*data),
                                   static_cast<std::streamsize>(*size))) {
    sqlite3_free(*data);
    *data = nullptr;
    return Status(ErrorCode::kInternal, "cannot read " + path);
  }
  return Status();
}

}  // namespace gtest_parallel::internal
