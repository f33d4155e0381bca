// Test durations and failures remembered between runs, so that the next run
// starts the tests that failed last time first, then the longest ones.
//
// One text file per test executable: a line per test, "<ms>\t<failed>\t
// <Suite.Name>". By default it lives in $XDG_CACHE_HOME/gtest_parallel (or
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

#include "scheduler.h"

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
  // Writes the history back (atomically: a temporary file, then rename).
  // False, with `error`, when that fails.
  bool Save(std::string* error) const;

  // By name: null when the test is unknown.
  const Entry* Find(const std::string& test) const;
  void Set(const std::string& test, Entry entry);
  bool empty() const { return entries_.empty(); }
  const std::string& path() const { return path_; }

  // Numbers this run's tests 0..count-1, `name_of` putting a test's
  // "Suite.Name" into its second argument: each name is looked up once
  // here (not at all without a history), so that the calls below, made
  // once per test and run, cost no hashing. Call after Load.
  void Index(int count, std::function<void(int, std::string*)> name_of);
  // By number: null when the test is unknown.
  const Entry* Find(int test) const;
  void Set(int test, Entry entry);

 private:
  std::string path_;
  std::string text_;               // The file as read; loaded names are in it.
  std::deque<std::string> added_;  // Names of tests new in this run.
  std::unordered_map<std::string_view, Entry> entries_;
  // Set up by Index(): the entry of each numbered test, or null; and what
  // this run measured of numbered tests without an entry.
  std::function<void(int, std::string*)> name_of_;
  std::vector<Entry*> known_;
  std::vector<Entry> fresh_;
  std::vector<bool> has_fresh_;
};

// Costs and order for the scheduler from `history` (its numbered tests,
// see History::Index): each test costs its last duration in ms (at least 1;
// an unknown test 1); suites with a test that failed last time come first,
// then the longest suites. Without any history the given order is kept.
std::vector<Scheduler::Work> PlanFromHistory(
    const History& history, std::vector<Scheduler::Work> suites);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_HISTORY_H_
