// This process's descendants: adopting the orphans its children leave,
// finding and ending leftover processes, and dying with the parent.
// Implemented by process_tree_posix.cc (Linux: subreaper, /proc, pdeathsig)
// and process_tree_windows.cc, where the worker's job object does most of
// this and little is left to do.
#ifndef GTEST_PARALLEL_PLATFORM_PROCESS_TREE_H_
#define GTEST_PARALLEL_PLATFORM_PROCESS_TREE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// Makes processes that this process's children leave behind become this
// process's children when orphaned, so that they can be found (Linux);
// with `adopt` false, stops doing so.
void AdoptOrphans(bool adopt = true);

// True if this process has child processes, running or ended but not yet
// waited for (none are reaped). POSIX; false on Windows, where the worker's
// job object ends what its tests leave behind.
bool HasChildren();

// The child processes running now, not counting ended ones (Linux; empty
// elsewhere).
std::vector<int64_t> LiveChildren();

// "pid 1234 (sleep)".
std::string DescribeProcess(int64_t pid);

// Kills a child process and reaps it.
void KillChild(int64_t pid);

// Arranges for this process to die when its parent does (Linux); checks
// that `parent` is still the parent. False if the parent is already gone.
// Dying, it first kills every process below it (see EndProcessTree), so
// that nothing a test started outlives a coordinator killed by SIGKILL.
bool DieWithParent(int64_t parent);

// Kills every descendant of this process, however deep and whatever
// session it moved to (with AdoptOrphans() in effect, orphans become this
// process's children and are found), then ends this process with `code`
// at once. Async-signal-safe (Linux; elsewhere it only ends the process).
[[noreturn]] void EndProcessTree(int code);

// Kills and reaps this process's children that are not in `keep` and not
// in its process group: with AdoptOrphans() in the coordinator, what dead
// workers' tests left running (daemons that left the worker's process
// group included). Returns how many it killed (Linux; 0 elsewhere).
int KillAdoptedOrphans(const std::vector<int64_t>& keep);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PLATFORM_PROCESS_TREE_H_
