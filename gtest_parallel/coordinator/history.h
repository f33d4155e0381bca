// Test durations and failures remembered between runs, so that the next run
// starts the tests that failed last time first, then the longest ones.
//
// One text file per test executable: a line per test, "<ms>\t<failed>\t
// <Suite.Name>" (ms -1: not known), after a header line "#\t<fingerprint of
// the test list>\t<number of tests>" when the run's own tests come first, in
// the order the plan numbers them. By default it lives in
// $XDG_CACHE_HOME/gtest_parallel (or
// ~/.cache/gtest_parallel), named after the executable and a hash of its
// path; --gtest_parallel_timing_file (or GTEST_PARALLEL_TIMING_FILE) puts it
// elsewhere, "none" turns it off.
#ifndef GTEST_PARALLEL_HISTORY_H_
#define GTEST_PARALLEL_HISTORY_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "coordinator/scheduler.h"
#include "flags/options.h"

namespace gtest_parallel {
namespace internal {

class History {
 public:
  struct Entry {
    int64_t ms = 0;
    bool failed = false;
  };

  History() = default;
  // The names point into the object's own storage.
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // The default file for `executable` (an absolute path); empty when there
  // is no home or cache directory.
  static std::string DefaultPath(const std::string& executable);

  // Reads `path`; a missing or unreadable file is an empty history, and
  // malformed lines are skipped.
  void Load(const std::string& path);
  // Writes the history back (atomically: a temporary file, then rename),
  // unless it is what the file held. False, with `error`, when that fails.
  bool Save(std::string* error) const;

  // The number of tests of the list a file written after Index holds
  // (its header), read without the rest: -1 when there is none.
  static int ListedTestCount(const std::string& path);

  // By name: null when the test is unknown.
  const Entry* Find(const std::string& test) const;
  void Set(const std::string& test, Entry entry);
  bool empty() const;
  const std::string& path() const { return path_; }
  // The names of the tests recorded as failed, numbered ones (Index) first
  // in their order, then the others in no particular order.
  std::vector<std::string> FailedNames() const;

  // Numbers this run's tests 0..count-1, in the order `name_of` (which puts
  // a test's "Suite.Name" into its second argument) knows them, the list
  // being told apart by `fingerprint`. After Index the calls below cost no
  // hashing, and Save writes this list first, in order, under a header with
  // the fingerprint. Call once. Called before Load, a file so written for
  // the same list is read by position, no name looked up; otherwise (or
  // called after Load) the loaded names are looked up.
  void Index(int count, uint64_t fingerprint,
             std::function<void(int, std::string*)> name_of);
  // By number: null when the test is unknown.
  const Entry* Find(int test) const;
  void Set(int test, Entry entry);

 private:
  // Parses the "<ms>\t<0|1>\t<name>" lines of text_ from offset `at` on:
  // the first by_id->size() into *by_id by position (unless null), the rest
  // into entries_ by name.
  void Parse(size_t at, std::vector<Entry>* by_id);
  // Moves the entries_ of numbered tests into by_id_.
  void Bind();

  std::string path_;
  std::string text_;               // The file as read; loaded names are in it.
  std::deque<std::string> added_;  // Names of tests new in this run.
  // By name: every entry before Index(); after it, the entries of tests
  // that are not in the numbered list.
  std::unordered_map<std::string_view, Entry> entries_;
  // After Index(): by number, the entry (ms < 0: none) of each test.
  std::function<void(int, std::string*)> name_of_;
  uint64_t fingerprint_ = 0;
  std::vector<Entry> by_id_;
  // Whether Save has anything to write that the file does not hold.
  bool changed_ = true;
};

// Costs and order for the scheduler from `history` (its numbered tests,
// see History::Index): each test costs its last duration in ms (at least 1;
// an unknown test 1); suites with a test that failed last time come first,
// then the longest suites. Without any history the given order is kept.
//
// Which suites may be split over several workers follows `split`. For
// kAuto, splitting is allowed only when it pays a lot: when whole suites,
// however placed (longest first on the least loaded worker), would end more
// than kSplitShare times later than the total cost over `workers` -- one
// suite longer than a worker's share, or a few more suites than workers --
// and then only for the fewest longest suites that, split, let the others
// go whole within that bound: every worker that enters a suite runs its
// SetUpTestSuite, so a suite split without need costs set-ups for nothing.
// Never for a suite with a test that failed last time (its tests may fail
// together, the way tests sharing a fixed path do). Without a history every
// test costs the same, so that test counts decide.
std::vector<Scheduler::Work> PlanFromHistory(
    const History& history, std::vector<Scheduler::Work> suites,
    SplitPolicy split, int workers);
inline constexpr double kSplitShare = 1.25;

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_HISTORY_H_
