// Files, pipes and locks behind one interface, implemented by files_posix.cc
// (file descriptors, poll, flock) and files_windows.cc (HANDLEs, polling
// anonymous pipes). Also the repair of a worker's standard output, which a
// test may close or point elsewhere.
#ifndef GTEST_PARALLEL_PLATFORM_FILES_H_
#define GTEST_PARALLEL_PLATFORM_FILES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// A file descriptor (POSIX) or HANDLE (Windows).
using Handle = intptr_t;
inline constexpr Handle kNoHandle = -1;

// Reads what is available (blocking until something is): >0 bytes read,
// 0 at end of stream, <0 on error.
long ReadSome(Handle handle, char* buffer, size_t size);

// Reads `size` bytes at `offset` of a file (fewer at its end).
std::string ReadAt(Handle handle, int64_t offset, size_t size);

// Current size of a file, or -1.
int64_t FileSize(Handle handle);

// Frees the disk space of [from, to) of a file, keeping offsets (best
// effort: where the system cannot, nothing happens).
void DropRange(Handle handle, int64_t from, int64_t to);

// Writes everything, retrying on interruption; false on error.
bool WriteAll(Handle handle, const char* data, size_t size);

// Waits up to timeout_ms (-1: forever) until some handles are readable or at
// end of stream; sets ready[i] for those. Returns the number ready, 0 on
// timeout, <0 on error.
int WaitReadable(const std::vector<Handle>& handles, int timeout_ms,
                 std::vector<bool>* ready);

// A pipe within this process, to wake a thread blocked in WaitReadable.
class WakePipe {
 public:
  WakePipe();
  ~WakePipe();
  Handle read_end() const { return read_; }
  Handle write_end() const { return write_; }
  void Wake();
  void Drain();

 private:
  Handle read_ = kNoHandle;
  Handle write_ = kNoHandle;
};

// Size of the output file `output` as seen through stdout -- one system
// call. If a test closed stdout or pointed it elsewhere, stdout and stderr
// are first pointed back at `output`.
int64_t StandardOutputSize(Handle output);

// Where the output file `output` ends as seen through stdout, more cheaply
// than StandardOutputSize where that can be had: on POSIX, the position of
// stdout's append-only description, which every write through it leaves at
// the end. Falls back on StandardOutputSize (and its repair) when stdout is
// closed, cannot seek, or stands before `at_least` (it points elsewhere).
// A test that pointed stdout at another file further along is caught by the
// next StandardOutputSize.
int64_t StandardOutputEnd(Handle output, int64_t at_least);

// A copy of this process's standard output handle that its children do not
// inherit (kNoHandle if there is none).
Handle DuplicateStandardOutput();

// What a handle refers to, to tell later whether it was closed or replaced.
struct HandleIdentity {
  bool open = false;
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const HandleIdentity& o) const {
    return open == o.open && device == o.device && inode == o.inode;
  }
};
// The identity of `handle` now (not open: closed or kNoHandle).
HandleIdentity IdentityOf(Handle handle);

// Creates `path` if need be and locks it for as long as this process lives
// or until ReleaseLock; kNoHandle when that fails. Not inherited by child
// processes.
Handle HoldLock(const std::string& path);
// Gives up a lock HoldLock took (nothing for kNoHandle).
void ReleaseLock(Handle lock);
// True when nobody holds the lock on `path` (its holder ended).
bool LockIsFree(const std::string& path);
// True when `path` is a directory (not a link to one) that only this
// process's user can change (POSIX; on Windows, any directory).
bool IsPrivateDirectory(const std::string& path);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PLATFORM_FILES_H_
