// Per-worker temporary and working directories (see scratch.h).
#include "coordinator/scratch.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <system_error>
#include <vector>

#include "gtest_parallel/internal/util.h"
#include "platform/cache_directory.h"
#include "platform/files.h"
#include "platform/process.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

namespace fs = std::filesystem;

constexpr char kRootPrefix[] = "gtest_parallel-";
constexpr char kLockName[] = ".lock";
// Mirrors of working directories, kept between runs (making thousands of
// links can take a while): <prefix><hash of the directory>-<slot>, each
// with a lock file "<directory>.lock" that its run holds.
constexpr char kMirrorPrefix[] = "gtest_parallel_cwd-";
constexpr int kMaxMirrors = 256;
// A parent directory with more entries than this (/tmp, a home with
// thousands of files) is not mirrored: "../x" then fails to resolve.
constexpr size_t kMaxParentEntries = 2000;
// How old a directory's modification time must be before it stamps a
// mirror (see Stamp): older than any clock tick of a file system.
constexpr auto kStampSettleTime = std::chrono::seconds(2);

#if defined(_WIN32)
constexpr const char* kVariables[] = {"TEST_TMPDIR", "TMP", "TEMP"};
#else
constexpr const char* kVariables[] = {"TEST_TMPDIR", "TMPDIR"};
#endif

// Where the run's directory goes: the user's TEST_TMPDIR, else the
// system's temporary directory.
fs::path BaseDirectory() {
  const char* test_tmpdir = std::getenv("TEST_TMPDIR");
  if (test_tmpdir != nullptr && *test_tmpdir != '\0') return test_tmpdir;
  std::error_code ignored;
  fs::path system = fs::temp_directory_path(ignored);
  return system.empty() ? fs::path("/tmp") : system;
}

// What the system's functions take for the temporary directory.
std::string SystemTemporaryDirectory() {
#if defined(_WIN32)
  std::error_code ignored;
  return fs::temp_directory_path(ignored).string();
#else
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
#endif
}

// Where the mirrors of working directories are kept: with gtest_parallel's
// other files kept between runs (not in TEST_TMPDIR, which may be a test
// action's own), else in the system's temporary directory.
fs::path MirrorDirectory() {
  const std::string cache = CacheDirectory();
  if (!cache.empty()) {
    const fs::path mirrors = fs::path(cache) / "workdirs";
    std::error_code failure;
    fs::create_directories(mirrors, failure);
    if (!failure && IsPrivateDirectory(mirrors.string())) return mirrors;
  }
  return SystemTemporaryDirectory();
}

// Removes the directories of earlier runs that ended without removing
// them: their lock is free.
void RemoveAbandoned(const fs::path& base) {
  std::error_code error;
  for (fs::directory_iterator it(base, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kRootPrefix, 0) != 0) continue;
    const fs::path lock = it->path() / kLockName;
    std::error_code ignored;
    if (fs::exists(lock, ignored) && LockIsFree(lock.string())) {
      fs::remove_all(it->path(), ignored);
    }
  }
}

// True for the directories gtest_parallel makes next to each other: a link
// to one would be a loop.
bool IsOurs(const std::string& name) {
  return name.rfind(kRootPrefix, 0) == 0 || name.rfind(kMirrorPrefix, 0) == 0;
}

// Makes `into` hold a link to each entry of `from` and nothing else
// (except `keep`): the links already right stay, anything else -- what
// tests made there the last time -- goes, and the missing links are added.
bool SyncLinks(const fs::path& from, const fs::path& into,
               const std::string& keep, std::string* error) {
  std::set<std::string> wanted;
  std::error_code failure;
  for (fs::directory_iterator it(from, failure), end; !failure && it != end;
       it.increment(failure)) {
    const std::string name = it->path().filename().string();
    if (name != keep && !IsOurs(name)) wanted.insert(name);
  }
  if (failure) {
    *error = "cannot list " + from.string() + ": " + failure.message();
    return false;
  }
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(into, failure), end; !failure && it != end;
       it.increment(failure)) {
    const std::string name = it->path().filename().string();
    if (name == keep) continue;
    std::error_code ignored;
    if (wanted.count(name) != 0 && it->is_symlink(ignored) &&
        fs::read_symlink(it->path(), ignored) == from / name) {
      wanted.erase(name);
    } else {
      stale.push_back(it->path());
    }
  }
  for (const fs::path& path : stale) {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  for (const std::string& name : wanted) {
    std::error_code link_error;
    fs::create_symlink(from / name, into / name, link_error);
    if (link_error) {
      *error = "cannot link " + (into / name).string() + " to " +
               (from / name).string() + ": " + link_error.message();
      return false;
    }
  }
  return true;
}

size_t CountEntries(const fs::path& directory, size_t limit) {
  size_t count = 0;
  std::error_code error;
  for (fs::directory_iterator it(directory, error), end;
       !error && it != end && count <= limit; it.increment(error)) {
    ++count;
  }
  return count;
}

// The modification times of `directories`, which change whenever an entry
// is added to one, removed or renamed: equal stamps mean a mirror made
// between them is still up to date. Empty (no stamp) when a directory is
// missing or changed too recently to tell a later change in the same clock
// tick apart.
std::string Stamp(const std::vector<fs::path>& directories) {
  const auto now = fs::file_time_type::clock::now();
  std::string stamp;
  for (const fs::path& directory : directories) {
    std::error_code failure;
    const auto time = fs::last_write_time(directory, failure);
    if (failure || now - time < kStampSettleTime) return "";
    stamp += std::to_string(time.time_since_epoch().count()) + " " +
             directory.string() + "\n";
  }
  return stamp;
}

std::string ReadStamp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Brings `home`, a mirror of the working directory `original`, up to date:
// `home` holds links to the entries of original's parent and a directory
// named like `original` holding links to its entries. Returns the latter.
// What a sync leaves is stamped in <home>.stamp: while no directory
// involved changed, the next sync has nothing to do.
bool SyncMirror(const fs::path& original, const fs::path& home,
                std::string* cwd, std::string* error) {
  const fs::path parent = original.parent_path();
  const std::string name = original.filename().string();
  const bool upper = !name.empty() && parent != original;
  const fs::path mirror = upper ? home / name : home;
  const std::vector<fs::path> stamped =
      upper ? std::vector<fs::path>{original, parent, home, mirror}
            : std::vector<fs::path>{original, home};
  const std::string stamp_path = home.string() + ".stamp";
  const std::string before = Stamp(stamped);
  *cwd = mirror.string();
  if (!before.empty() && before == ReadStamp(stamp_path)) return true;
  std::error_code failure;
  if (upper) {
    // One level up as well: "../data" must still resolve.
    fs::create_directories(home, failure);
    if (CountEntries(parent, kMaxParentEntries) <= kMaxParentEntries &&
        !SyncLinks(parent, home, name, error)) {
      return false;
    }
  }
  fs::create_directories(mirror, failure);
  if (failure) {
    *error = "cannot make " + mirror.string() + ": " + failure.message();
    return false;
  }
  if (!SyncLinks(original, mirror, "", error)) return false;
  const std::string after = Stamp(stamped);
  std::ofstream(stamp_path, std::ios::binary | std::ios::trunc) << after;
  return true;
}

}  // namespace

ScratchSpace& ScratchSpace::Get() {
  static ScratchSpace* space = new ScratchSpace;
  return *space;
}

bool ScratchSpace::MakeRootLocked(std::string* error) {
  if (!root_.empty()) return true;
  const fs::path base = BaseDirectory();
  std::error_code failure;
  fs::create_directories(base, failure);
  RemoveAbandoned(base);
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path root = base / (kRootPrefix + std::to_string(CurrentPid()) +
                                  "-" + std::to_string(random() % 1000000));
    if (!fs::create_directory(root, failure)) {
      if (failure) break;
      continue;  // It exists: another name.
    }
    fs::permissions(root, fs::perms::owner_all, failure);
    lock_ = HoldLock((root / kLockName).string());
    root_ = root.string();
    return true;
  }
  *error = "cannot make the workers' scratch directory under " + base.string() +
           ": " + (failure ? failure.message() : "every name is taken");
  return false;
}

bool ScratchSpace::MakeLocked(const std::string& name, bool private_cwd,
                              WorkerScratch* scratch, std::string* error) {
  if (!MakeRootLocked(error)) return false;
  const fs::path home = fs::path(root_) / name;
  const fs::path tmp = home / "tmp";
  std::error_code failure;
  fs::create_directories(tmp, failure);
  if (failure) {
    *error = "cannot make " + tmp.string() + ": " + failure.message();
    return false;
  }
  scratch->tmp = tmp.string();
  scratch->cwd.clear();
  if (!private_cwd) return true;
  std::string mirror;
  if (!AcquireMirrorLocked(&mirror, &scratch->cwd, error)) {
    *error +=
        " (--gtest_parallel_workdir=shared runs the workers in the "
        "working directory itself)";
    return false;
  }
  // Kept directories (--gtest_parallel_keep_scratch) show where it is.
  fs::create_directory_symlink(mirror, home / "cwd", failure);
  return true;
}

bool ScratchSpace::AcquireMirrorLocked(std::string* home, std::string* cwd,
                                       std::string* error) {
  std::error_code failure;
  const fs::path original = fs::current_path(failure);
  if (failure) {
    *error = "cannot get the working directory: " + failure.message();
    return false;
  }
  const fs::path base = MirrorDirectory();
  const std::string stem =
      kMirrorPrefix + ToBase36(Fnv1a64(original.string()), 13) + "-";
  for (int slot = 0; slot < kMaxMirrors; ++slot) {
    const fs::path mirror = base / (stem + std::to_string(slot));
    const Handle lock = HoldLock(mirror.string() + ".lock");
    if (lock == kNoHandle) continue;  // Another run's (or this run's).
    fs::create_directory(mirror, failure);
    // In a shared /tmp, only a directory of our own is safe to fill.
    if (!IsPrivateDirectory(mirror.string())) {
      ReleaseLock(lock);
      continue;
    }
    if (!SyncMirror(original, mirror, cwd, error)) {
      ReleaseLock(lock);
      return false;
    }
    *home = mirror.string();
    mirrors_.push_back(Mirror{original.string(), *home, lock});
    return true;
  }
  *error = "cannot make a private working directory under " + base.string() +
           ": no free one of " + stem + "0.." + std::to_string(kMaxMirrors - 1);
  return false;
}

bool ScratchSpace::ForWorker(int id, bool private_cwd, WorkerScratch* scratch,
                             std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto known = workers_.find(id);
  if (known != workers_.end()) {
    *scratch = known->second;
    return true;
  }
  if (!MakeLocked("worker" + std::to_string(id), private_cwd, scratch, error)) {
    return false;
  }
  workers_[id] = *scratch;
  return true;
}

bool ScratchSpace::Fresh(bool private_cwd, WorkerScratch* scratch,
                         std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  return MakeLocked("alone" + std::to_string(++fresh_), private_cwd, scratch,
                    error);
}

std::string ScratchSpace::Finish(bool keep) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Mirror& mirror : mirrors_) {
    // What the tests made goes now; the links stay for the next run.
    std::string ignored_cwd, ignored_error;
    if (!keep) {
      SyncMirror(mirror.original, mirror.home, &ignored_cwd, &ignored_error);
    }
    ReleaseLock(mirror.lock);
  }
  mirrors_.clear();
  const std::string root = root_;
  if (root.empty()) return "";
  // First the lock: Windows removes no file that is open.
  ReleaseLock(lock_);
  lock_ = -1;
  if (!keep) {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
  root_.clear();
  workers_.clear();
  return keep ? root : "";
}

std::vector<std::string> ScratchSpace::Environment(
    const WorkerScratch& scratch) {
  std::vector<std::string> entries;
  // The run's shared temporary directory stays what it was for the
  // coordinator (inherited, when the coordinator is itself a worker).
  if (std::getenv(kSharedTmpVariable) == nullptr) {
    entries.push_back(std::string(kSharedTmpVariable) + "=" +
                      SystemTemporaryDirectory());
  }
  for (const char* name : kVariables) {
    entries.push_back(std::string(name) + "=" + scratch.tmp);
  }
  return entries;
}

bool ScratchSpace::IsScratchVariable(const std::string& name) {
  for (const char* variable : kVariables) {
    if (name == variable) return true;
  }
  return false;
}

}  // namespace internal
}  // namespace gtest_parallel
