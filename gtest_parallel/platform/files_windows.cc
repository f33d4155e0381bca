// Files, pipes and locks on Windows: ReadFile and WriteFile on HANDLEs, a
// polling wait on anonymous pipes (which allow no other way), exclusive
// opens as locks, and the repair of a worker's standard output.

// windows.h first, as the files below need it.
#include "platform/windows_handles.h"
// _get_osfhandle, _open_osfhandle, _dup2.
#include <fcntl.h>
#include <io.h>

#include <cstdint>
#include <cstdio>

#include "platform/files.h"

namespace gtest_parallel {
namespace internal {

void WriteWakeByte(Handle wake) {
  const char byte = 1;
  DWORD written = 0;
  WriteFile(H(wake), &byte, 1, &written, nullptr);
}

long ReadSome(Handle handle, char* buffer, size_t size) {
  DWORD got = 0;
  if (!ReadFile(H(handle), buffer, static_cast<DWORD>(size), &got, nullptr)) {
    return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
  }
  return static_cast<long>(got);
}

std::string ReadAt(Handle handle, int64_t offset, size_t size) {
  std::string text(size, '\0');
  size_t done = 0;
  while (done < size) {
    OVERLAPPED at{};
    const uint64_t position = static_cast<uint64_t>(offset) + done;
    at.Offset = static_cast<DWORD>(position & 0xffffffffu);
    at.OffsetHigh = static_cast<DWORD>(position >> 32);
    DWORD got = 0;
    if (!ReadFile(H(handle), &text[done], static_cast<DWORD>(size - done), &got,
                  &at) ||
        got == 0) {
      break;
    }
    done += got;
  }
  text.resize(done);
  return text;
}

int64_t FileSize(Handle handle) {
  LARGE_INTEGER size;
  if (!GetFileSizeEx(H(handle), &size)) return -1;
  return size.QuadPart;
}

void DropRange(Handle /*handle*/, int64_t /*from*/, int64_t /*to*/) {
  // Punching holes needs a sparse file; the output files are not. Best
  // effort, as files.h allows: nothing happens.
}

bool WriteAll(Handle handle, const char* data, size_t size) {
  while (size > 0) {
    DWORD written = 0;
    if (!WriteFile(H(handle), data, static_cast<DWORD>(size), &written,
                   nullptr)) {
      return false;
    }
    data += written;
    size -= written;
  }
  return true;
}

int WaitReadable(const std::vector<Handle>& handles, int timeout_ms,
                 std::vector<bool>* ready) {
  // Anonymous pipes cannot be waited on: look, and sleep a little between
  // looks (1 ms, which is also how late a wake-up can be).
  const ULONGLONG deadline =
      timeout_ms < 0 ? 0
                     : GetTickCount64() + static_cast<ULONGLONG>(timeout_ms);
  ready->assign(handles.size(), false);
  for (;;) {
    int count = 0;
    for (size_t i = 0; i < handles.size(); ++i) {
      DWORD available = 0;
      if (!PeekNamedPipe(H(handles[i]), nullptr, 0, nullptr, &available,
                         nullptr) ||
          available > 0) {
        (*ready)[i] = true;  // Data, or end of stream (a read will say).
        ++count;
      }
    }
    if (count > 0) return count;
    if (timeout_ms >= 0 && GetTickCount64() >= deadline) return 0;
    Sleep(1);
  }
}

WakePipe::WakePipe() {
  HANDLE read = nullptr, write = nullptr;
  if (CreatePipe(&read, &write, nullptr, 0)) {
    read_ = ToHandle(read);
    write_ = ToHandle(write);
  }
}

WakePipe::~WakePipe() {
  if (read_ != kNoHandle) CloseHandle(H(read_));
  if (write_ != kNoHandle) CloseHandle(H(write_));
}

void WakePipe::Wake() { WriteWakeByte(write_); }

void WakePipe::Drain() {
  DWORD available = 0;
  while (PeekNamedPipe(H(read_), nullptr, 0, nullptr, &available, nullptr) &&
         available > 0) {
    char buffer[256];
    DWORD got = 0;
    if (!ReadFile(H(read_), buffer,
                  available < sizeof(buffer) ? available : sizeof(buffer), &got,
                  nullptr)) {
      return;
    }
  }
}

int64_t StandardOutputSize(Handle output) {
  std::fflush(nullptr);
  // What printf writes to: the C runtime's descriptor 1.
  const HANDLE out = reinterpret_cast<HANDLE>(_get_osfhandle(1));
  BY_HANDLE_FILE_INFORMATION seen, own;
  if (out != nullptr && out != INVALID_HANDLE_VALUE &&
      GetFileInformationByHandle(out, &seen) &&
      GetFileInformationByHandle(H(output), &own) &&
      seen.dwVolumeSerialNumber == own.dwVolumeSerialNumber &&
      seen.nFileIndexHigh == own.nFileIndexHigh &&
      seen.nFileIndexLow == own.nFileIndexLow) {
    return FileSize(output);
  }
  // A test pointed stdout elsewhere or closed it: descriptors 1 and 2 and
  // the standard handles are pointed back at the output file.
  HANDLE copy = nullptr;
  if (DuplicateHandle(GetCurrentProcess(), H(output), GetCurrentProcess(),
                      &copy, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
    const int fd = _open_osfhandle(reinterpret_cast<intptr_t>(copy),
                                   _O_BINARY | _O_APPEND);
    if (fd >= 0) {
      // With 1 or 2 closed, the new descriptor may be one of them.
      if (fd != 1) _dup2(fd, 1);
      if (fd != 2) _dup2(fd, 2);
      if (fd > 2) _close(fd);
    } else {
      CloseHandle(copy);
    }
  }
  SetStdHandle(STD_OUTPUT_HANDLE, reinterpret_cast<HANDLE>(_get_osfhandle(1)));
  SetStdHandle(STD_ERROR_HANDLE, reinterpret_cast<HANDLE>(_get_osfhandle(2)));
  std::clearerr(stdout);
  std::clearerr(stderr);
  return FileSize(output);
}

int64_t StandardOutputEnd(Handle output, int64_t /*at_least*/) {
  return StandardOutputSize(output);
}

Handle DuplicateStandardOutput() {
  HANDLE copy = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), GetStdHandle(STD_OUTPUT_HANDLE),
                       GetCurrentProcess(), &copy, 0, FALSE,
                       DUPLICATE_SAME_ACCESS)) {
    return kNoHandle;
  }
  return ToHandle(copy);
}

HandleIdentity IdentityOf(Handle handle) {
  HandleIdentity identity;
  DWORD flags = 0;
  identity.open =
      handle != kNoHandle && GetHandleInformation(H(handle), &flags) != 0;
  return identity;
}

Handle HoldLock(const std::string& path) {
  // No sharing: nobody else opens it while this process holds it.
  HANDLE file =
      CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                  OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return kNoHandle;
  return reinterpret_cast<Handle>(file);
}

void ReleaseLock(Handle lock) {
  if (lock != kNoHandle) CloseHandle(reinterpret_cast<HANDLE>(lock));
}

bool IsPrivateDirectory(const std::string& path) {
  const DWORD attributes = GetFileAttributesA(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES &&
         (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 &&
         (attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0;
}

bool LockIsFree(const std::string& path) {
  HANDLE file =
      CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                  OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return false;
  CloseHandle(file);
  return true;
}

}  // namespace internal
}  // namespace gtest_parallel
