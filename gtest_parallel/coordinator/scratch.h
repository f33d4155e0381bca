// Each worker's own scratch space: a temporary directory and a working
// directory no other worker writes in.
//
// GoogleTest runs a suite's tests one after another, and real fixtures rely
// on it: they delete and recreate "test.db3" in the working directory, or
// use testing::TempDir() + "db_test" as their database. Workers running
// side by side would share those paths. So every worker gets
//   - its own TEST_TMPDIR and TMPDIR (TEMP and TMP on Windows): GoogleTest's
//     testing::TempDir() and most temporary-file functions read them;
//   - its own working directory (unless --gtest_parallel_workdir=shared):
//     a directory of symbolic links to every entry of the original working
//     directory, inside a directory of links to the entries of its parent,
//     so that relative reads ("testdata/x", "../data/x") find the same
//     files, while a file a test creates, or removes and creates again,
//     stays the worker's. Making links is slow on some file systems (0.2 ms
//     each on a busy ext4), so these mirrors are kept between runs, in
//     gtest_parallel's cache directory (cache_directory.h; else the
//     system's temporary one) as workdirs/gtest_parallel_cwd-<hash of the
//     working directory>-<slot>: a run locks the ones it uses, brings them up
//     to date (new links, none for entries gone, nothing the last run's tests
//     left), and at its end removes what its tests made in them.
// Writing into a file that already existed goes through the link to the
// original, as it would in a serial run.
//
// Everything lives under one directory per run,
// <TEST_TMPDIR or TMPDIR or /tmp>/gtest_parallel-<pid>-XXXXXX, removed when
// the run ends; a run that was killed leaves its directory behind, and the
// next run removes it (a lock held for the run's lifetime tells the two
// apart).
#ifndef GTEST_PARALLEL_SCRATCH_H_
#define GTEST_PARALLEL_SCRATCH_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// The directories of one worker.
struct WorkerScratch {
  std::string tmp;  // Its TEST_TMPDIR and TMPDIR.
  std::string cwd;  // Its working directory; empty: the coordinator's.
};

// The scratch directories of this process's run; one per process.
class ScratchSpace {
 public:
  static ScratchSpace& Get();

  // The directories of worker `id` (1..N), made on first use and the same
  // for every process that serves the worker. `private_cwd`: whether it
  // gets a working directory of its own. False, with `error`, when they
  // cannot be made.
  bool ForWorker(int id, bool private_cwd, WorkerScratch* scratch,
                 std::string* error);
  // New directories, used by no worker (for running a test alone).
  bool Fresh(bool private_cwd, WorkerScratch* scratch, std::string* error);

  // Removes every directory of the run. With `keep`, leaves them and
  // returns where they are.
  std::string Finish(bool keep);

  // The environment entries that point a process at `scratch`.
  static std::vector<std::string> Environment(const WorkerScratch& scratch);
  // True for the variables Environment sets.
  static bool IsScratchVariable(const std::string& name);

 private:
  ScratchSpace() = default;
  bool MakeRootLocked(std::string* error);
  bool MakeLocked(const std::string& name, bool private_cwd,
                  WorkerScratch* scratch, std::string* error);
  // Takes a mirror of the working directory no other process uses, brought
  // up to date: its directory in *home, the working directory in *cwd.
  bool AcquireMirrorLocked(std::string* home, std::string* cwd,
                           std::string* error);

  // A working directory's mirror this run holds.
  struct Mirror {
    std::string original;  // The working directory.
    std::string home;
    intptr_t lock = -1;
  };

  std::mutex mutex_;
  std::string root_;  // Empty until first used.
  intptr_t lock_ = -1;
  std::map<int, WorkerScratch> workers_;
  std::vector<Mirror> mirrors_;
  int fresh_ = 0;
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_SCRATCH_H_
