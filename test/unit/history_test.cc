// Tests of the timing history: its file format and the order and costs it
// gives the scheduler.
#include "coordinator/history.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "scoped_environment.h"

namespace gtest_parallel {
namespace internal {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/gtp_history_" +
         std::to_string(getpid()) + "_" + name;
}

constexpr uint64_t kFingerprint = 0x1234abcd5678ef90ull;

void Name(int test, std::string* name) {
  *name = "S" + std::to_string(test / 10) + ".T" + std::to_string(test % 10);
}

TEST(HistoryTest, SavesAndLoadsEntries) {
  const std::string path = TempPath("roundtrip/dir/file.timings");
  History history;
  history.Load(path);
  EXPECT_TRUE(history.empty());
  history.Set("A.B", {123, false});
  history.Set("C.D", {0, true});
  std::string error;
  ASSERT_TRUE(history.Save(&error)) << error;
  History again;
  again.Load(path);
  ASSERT_NE(again.Find("A.B"), nullptr);
  EXPECT_EQ(again.Find("A.B")->ms, 123);
  EXPECT_FALSE(again.Find("A.B")->failed);
  ASSERT_NE(again.Find("C.D"), nullptr);
  EXPECT_TRUE(again.Find("C.D")->failed);
  EXPECT_EQ(again.Find("E.F"), nullptr);
  std::remove(path.c_str());
}

TEST(HistoryTest, KeepsWhatTheRunMeasuredByNumber) {
  const std::string path = TempPath("numbered.timings");
  std::ofstream(path) << "12\t0\tS0.T1\n30\t1\tOther.Test\n";
  History history;
  history.Load(path);
  history.Index(30, kFingerprint, Name);  // After Load: names looked up.
  ASSERT_NE(history.Find(1), nullptr);    // S0.T1
  EXPECT_EQ(history.Find(1)->ms, 12);
  EXPECT_EQ(history.Find(2), nullptr);
  EXPECT_EQ(history.Find(30), nullptr);
  history.Set(1, {7, true});     // Known: updated.
  history.Set(25, {40, false});  // New: S2.T5.
  history.Set(25, {41, false});  // Measured again (a repeat): the last wins.
  std::string error;
  ASSERT_TRUE(history.Save(&error)) << error;
  History again;
  again.Load(path);
  ASSERT_NE(again.Find("S0.T1"), nullptr);
  EXPECT_EQ(again.Find("S0.T1")->ms, 7);
  EXPECT_TRUE(again.Find("S0.T1")->failed);
  ASSERT_NE(again.Find("S2.T5"), nullptr);
  EXPECT_EQ(again.Find("S2.T5")->ms, 41);
  EXPECT_EQ(again.Find("S0.T2"), nullptr);       // Never measured.
  ASSERT_NE(again.Find("Other.Test"), nullptr);  // Not in this run: kept.
  EXPECT_EQ(again.Find("Other.Test")->ms, 30);
  // The header, a line per numbered test, then the other test.
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 32u);
  EXPECT_EQ(lines[0], "#\t1234abcd5678ef90\t30");
  EXPECT_EQ(lines[2], "7\t1\tS0.T1");
  EXPECT_EQ(lines[3], "-1\t0\tS0.T2");
  EXPECT_EQ(lines[31], "30\t1\tOther.Test");
  std::remove(path.c_str());
}

// A name that does not match the test's number: only a read by position
// can find the entry under it.
void OtherName(int test, std::string* name) {
  *name = "Renamed" + std::to_string(test);
}

TEST(HistoryTest, TheSameListIsReadByPosition) {
  const std::string path = TempPath("positional.timings");
  {
    History history;
    history.Index(30, kFingerprint, Name);
    history.Load(path);  // None yet.
    history.Set(3, {55, false});
    history.Set(29, {9, true});
    std::string error;
    ASSERT_TRUE(history.Save(&error)) << error;
  }
  History same;
  same.Index(30, kFingerprint, OtherName);
  same.Load(path);
  ASSERT_NE(same.Find(3), nullptr);
  EXPECT_EQ(same.Find(3)->ms, 55);
  ASSERT_NE(same.Find(29), nullptr);
  EXPECT_TRUE(same.Find(29)->failed);
  EXPECT_EQ(same.Find(4), nullptr);
  EXPECT_FALSE(same.empty());
  // Another list (fingerprint or count) is read by name.
  History other;
  other.Index(30, kFingerprint + 1, OtherName);
  other.Load(path);
  EXPECT_EQ(other.Find(3), nullptr);
  History by_name;
  by_name.Index(31, kFingerprint, Name);
  by_name.Load(path);
  ASSERT_NE(by_name.Find(3), nullptr);  // S0.T3, found by its name.
  EXPECT_EQ(by_name.Find(3)->ms, 55);
  EXPECT_EQ(by_name.Find(4), nullptr);  // Its "-1" line means unknown.
  std::remove(path.c_str());
}

// Whether the file at `path` contains `text`.
bool FileContains(const std::string& path, const std::string& text) {
  std::ifstream in(path, std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
  return content.find(text) != std::string::npos;
}

TEST(HistoryTest, AnUnchangedHistoryIsNotWrittenAgain) {
  const std::string path = TempPath("unchanged.timings");
  {
    History history;
    history.Index(30, kFingerprint, Name);
    history.Load(path);
    history.Set(3, {55, false});
    std::string error;
    ASSERT_TRUE(history.Save(&error)) << error;
  }
  History again;
  again.Index(30, kFingerprint, Name);
  again.Load(path);
  again.Set(3, {55, false});  // As it was.
  // A line the history did not read: it stays unless the file is written.
  std::ofstream(path, std::ios::app | std::ios::binary) << "7\t0\tMarker.T\n";
  std::string error;
  ASSERT_TRUE(again.Save(&error)) << error;
  EXPECT_TRUE(FileContains(path, "Marker.T"));
  again.Set(3, {56, false});
  ASSERT_TRUE(again.Save(&error)) << error;
  EXPECT_FALSE(FileContains(path, "Marker.T"));
  History last;
  last.Index(30, kFingerprint, Name);
  last.Load(path);
  ASSERT_NE(last.Find(3), nullptr);
  EXPECT_EQ(last.Find(3)->ms, 56);
  std::remove(path.c_str());
}

TEST(HistoryTest, ListedTestCountReadsTheHeaderOnly) {
  const std::string path = TempPath("count");
  std::remove(path.c_str());
  EXPECT_EQ(History::ListedTestCount(path), -1);  // No file.
  EXPECT_EQ(History::ListedTestCount(""), -1);
  {
    History history;
    history.Index(3, kFingerprint, Name);
    history.Load(path);
    history.Set(1, {5, false});
    std::string error;
    ASSERT_TRUE(history.Save(&error)) << error;
  }
  EXPECT_EQ(History::ListedTestCount(path), 3);
  {
    std::ofstream out(path, std::ios::trunc);
    out << "5\t0\tS0.T0\n";  // Written before Index: no header.
  }
  EXPECT_EQ(History::ListedTestCount(path), -1);
  std::remove(path.c_str());
}

TEST(HistoryTest, ReadsLinesEndingInCarriageReturns) {
  const std::string path = TempPath("crlf.timings");
  std::ofstream(path, std::ios::binary) << "12\t0\tOne.A\r\n30\t1\tTwo.B\r\n";
  History history;
  history.Load(path);
  ASSERT_NE(history.Find("One.A"), nullptr);
  EXPECT_EQ(history.Find("One.A")->ms, 12);
  ASSERT_NE(history.Find("Two.B"), nullptr);
  EXPECT_TRUE(history.Find("Two.B")->failed);
  EXPECT_EQ(history.Find("Two.B\r"), nullptr);
  std::remove(path.c_str());
}

TEST(HistoryTest, SkipsMalformedLines) {
  const std::string path = TempPath("malformed.timings");
  std::ofstream(path) << "12\t0\tGood.One\nnot a line\n-5\t0\tNeg.Ative\n"
                      << "7\t2\tBad.Flag\n9\t1\t\n30\t1\tGood.Two\n";
  History history;
  history.Load(path);
  EXPECT_NE(history.Find("Good.One"), nullptr);
  EXPECT_NE(history.Find("Good.Two"), nullptr);
  EXPECT_EQ(history.Find("Neg.Ative"), nullptr);
  EXPECT_EQ(history.Find("Bad.Flag"), nullptr);
  std::remove(path.c_str());
}

TEST(HistoryTest, SaveReportsAnUnwritablePlace) {
  History history;
  history.Load("/proc/gtest_parallel_cannot_write_here/x.timings");
  history.Set("A.B", {1, false});
  std::string error;
  EXPECT_FALSE(history.Save(&error));
  EXPECT_NE(error.find("/proc/gtest_parallel_cannot_write_here"),
            std::string::npos)
      << error;
}

TEST(HistoryTest, DefaultPathIsUnderTheCacheDirectory) {
  const ScopedEnvironment cache("XDG_CACHE_HOME", "/some/cache");
  const std::string path = History::DefaultPath("/path/to/my_tests");
  EXPECT_EQ(path.rfind("/some/cache/gtest_parallel/my_tests-", 0), 0u) << path;
  EXPECT_NE(path, History::DefaultPath("/other/path/to/my_tests"));
}

#ifdef _WIN32
TEST(HistoryTest, DefaultPathTakesTheNameOfAWindowsPath) {
  const ScopedEnvironment cache("XDG_CACHE_HOME", "C:\\cache");
  const std::string path = History::DefaultPath("Z:\\tests\\my_tests.exe");
  EXPECT_EQ(path.rfind("C:\\cache/gtest_parallel/my_tests.exe-", 0), 0u)
      << path;
}
#endif  // _WIN32

std::vector<Scheduler::Work> ThreeSuites() {
  return {{0, {0, 1}, {}}, {1, {10, 11}, {}}, {2, {20}, {}}};
}

TEST(PlanFromHistoryTest, KeepsTheOrderWithoutHistory) {
  History empty;
  empty.Index(30, kFingerprint, Name);
  const auto plan =
      PlanFromHistory(empty, ThreeSuites(), SplitPolicy::kAlways, 2);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].suite, 0);
  EXPECT_EQ(plan[1].suite, 1);
  EXPECT_EQ(plan[2].suite, 2);
  EXPECT_EQ(plan[0].costs, (std::vector<double>{1, 1}));
}

TEST(PlanFromHistoryTest, LongestSuitesFirstWithMeasuredCosts) {
  History history;
  history.Set("S0.T0", {5, false});
  history.Set("S1.T0", {100, false});
  history.Set("S1.T1", {0, false});
  history.Set("S2.T0", {40, false});
  history.Index(30, kFingerprint, Name);
  const auto plan =
      PlanFromHistory(history, ThreeSuites(), SplitPolicy::kAlways, 2);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].suite, 1);  // 100 + 1
  EXPECT_EQ(plan[1].suite, 2);  // 40
  EXPECT_EQ(plan[2].suite, 0);  // 5 + 1 (unknown)
  EXPECT_EQ(plan[0].costs, (std::vector<double>{100, 1}));
  EXPECT_EQ(plan[2].costs, (std::vector<double>{5, 1}));
}

TEST(PlanFromHistoryTest, WhatFailedLastTimeGoesFirst) {
  History history;
  history.Set("S1.T0", {1000, false});
  history.Set("S2.T0", {1, true});
  history.Index(30, kFingerprint, Name);
  const auto plan =
      PlanFromHistory(history, ThreeSuites(), SplitPolicy::kAlways, 2);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].suite, 2);
  EXPECT_EQ(plan[1].suite, 1);
}

// Four suites: one of 60 ms in three tests, three of 10 ms; at 2 workers a
// worker's fair share is 45 ms.
void FillSkewed(bool big_failed, History* history) {
  history->Set("S0.T0", {20, big_failed});
  history->Set("S0.T1", {20, false});
  history->Set("S0.T2", {20, false});
  history->Set("S1.T0", {10, false});
  history->Set("S2.T0", {10, false});
  history->Set("S3.T0", {10, false});
  history->Index(40, kFingerprint, Name);
}

std::vector<Scheduler::Work> FourSuites() {
  return {{0, {0, 1, 2}, {}}, {1, {10}, {}}, {2, {20}, {}}, {3, {30}, {}}};
}

bool Splittable(const std::vector<Scheduler::Work>& plan, int suite) {
  for (const Scheduler::Work& work : plan) {
    if (work.suite == suite) return work.splittable;
  }
  ADD_FAILURE() << "no suite " << suite;
  return false;
}

TEST(PlanFromHistoryTest, AutoSplitsWhenASuiteIsLongerThanAFairShare) {
  History history;
  FillSkewed(false, &history);
  const auto plan =
      PlanFromHistory(history, FourSuites(), SplitPolicy::kAuto, 2);
  EXPECT_TRUE(Splittable(plan, 0));  // 60 > 1.25 * 45.
  // The others then go whole: 20 at most per worker, and 60 to share.
  EXPECT_FALSE(Splittable(plan, 1));
  // At 1 worker the share is the whole run: nothing pays.
  const auto alone =
      PlanFromHistory(history, FourSuites(), SplitPolicy::kAuto, 1);
  EXPECT_FALSE(Splittable(alone, 0));
}

TEST(PlanFromHistoryTest, AutoKeepsWholeASuiteThatFailedLastTime) {
  History history;
  FillSkewed(true, &history);
  const auto plan =
      PlanFromHistory(history, FourSuites(), SplitPolicy::kAuto, 2);
  EXPECT_FALSE(Splittable(plan, 0));
  EXPECT_TRUE(Splittable(plan, 1));
}

TEST(PlanFromHistoryTest, NeverAndAlwaysAreWhatTheySay) {
  History history;
  FillSkewed(true, &history);
  const auto never =
      PlanFromHistory(history, FourSuites(), SplitPolicy::kNever, 2);
  const auto always =
      PlanFromHistory(history, FourSuites(), SplitPolicy::kAlways, 2);
  for (int suite = 0; suite < 4; ++suite) {
    EXPECT_FALSE(Splittable(never, suite)) << suite;
    EXPECT_TRUE(Splittable(always, suite)) << suite;
  }
}

TEST(PlanFromHistoryTest, AutoWithoutHistoryCountsTests) {
  History empty;
  empty.Index(40, kFingerprint, Name);
  // 3 tests of 6 at 2 workers: the share is 3, and 3 is not more.
  EXPECT_FALSE(Splittable(
      PlanFromHistory(empty, FourSuites(), SplitPolicy::kAuto, 2), 0));
  // At 4 workers the share is 1.5: three tests are worth splitting.
  EXPECT_TRUE(Splittable(
      PlanFromHistory(empty, FourSuites(), SplitPolicy::kAuto, 4), 0));
}

TEST(PlanFromHistoryTest, AutoSplitsWhenThereAreAFewMoreSuitesThanWorkers) {
  History empty;
  empty.Index(40, kFingerprint, Name);
  std::vector<Scheduler::Work> five = {
      {0, {0}, {}}, {1, {10}, {}}, {2, {20}, {}}, {3, {30}, {}}, {4, {1}, {}}};
  // Whole, one worker runs two of five: 2 > 1.25 * 5/4.
  EXPECT_TRUE(
      Splittable(PlanFromHistory(empty, five, SplitPolicy::kAuto, 4), 0));
  // Two each is a perfect balance.
  std::vector<Scheduler::Work> eight = five;
  for (int test : {2, 3, 11}) eight.push_back({5 + test, {test}, {}});
  EXPECT_FALSE(
      Splittable(PlanFromHistory(empty, eight, SplitPolicy::kAuto, 4), 0));
}

// `suites` suites of `tests` tests (at most 10) with history `ms` each,
// suite 0's tests `first_ms`, and the work to plan.
std::vector<Scheduler::Work> SuitesOf(int suites, int tests, int64_t first_ms,
                                      int64_t ms, History* history) {
  std::vector<Scheduler::Work> work;
  for (int suite = 0; suite < suites; ++suite) {
    Scheduler::Work one{suite, {}, {}};
    for (int test = 0; test < tests; ++test) {
      const int id = 10 * suite + test;
      std::string name;
      Name(id, &name);
      history->Set(name, {suite == 0 ? first_ms : ms, false});
      one.tests.push_back(id);
    }
    work.push_back(std::move(one));
  }
  history->Index(10 * suites, kFingerprint, Name);
  return work;
}

int SplittableCount(const std::vector<Scheduler::Work>& plan) {
  int count = 0;
  for (const Scheduler::Work& work : plan) count += work.splittable;
  return count;
}

TEST(PlanFromHistoryTest, AutoSplitsOnlyTheSuitesThatNeedIt) {
  // A suite of four 1 s tests and ten suites of 1 ms tests: the long suite
  // must be split, while the short ones, whole, fit around it. Splitting
  // them too would only run their SetUpTestSuite again on other workers.
  for (int workers : {2, 4}) {
    History history;
    const auto plan =
        PlanFromHistory(history, SuitesOf(11, 4, 1000, 1, &history),
                        SplitPolicy::kAuto, workers);
    // The long suite is split, and handed out last: the whole ones start
    // first and it fills in around them.
    ASSERT_EQ(plan.back().suite, 0);
    EXPECT_TRUE(plan.back().splittable) << workers;
    EXPECT_EQ(SplittableCount(plan), 1) << workers;
  }
}

TEST(PlanFromHistoryTest, AutoSplitsNoEqualSuitesThatBalanceWhole) {
  // Ten equal suites of quick tests (their time is in SetUpTestSuite, which
  // the history does not see): at 2 and 4 workers whole suites are close
  // enough to a perfect balance, so each runs its set-up once.
  for (int workers : {2, 4}) {
    History history;
    const auto plan = PlanFromHistory(history, SuitesOf(10, 10, 0, 0, &history),
                                      SplitPolicy::kAuto, workers);
    EXPECT_EQ(SplittableCount(plan), 0) << workers;
  }
  // At 8 workers two workers would run two suites each: splitting two
  // suites is enough, not all ten.
  History history;
  const auto plan = PlanFromHistory(history, SuitesOf(10, 10, 0, 0, &history),
                                    SplitPolicy::kAuto, 8);
  EXPECT_EQ(SplittableCount(plan), 2);
  EXPECT_TRUE(plan[8].splittable);
  EXPECT_TRUE(plan[9].splittable);
}

TEST(PlanFromHistoryTest, AutoHandsOutTheSuitesToSplitAfterTheWholeOnes) {
  // Twenty equal suites on sixteen workers: four are split. Handed out
  // first, they would leave four whole suites to start when the first
  // round ends (twice a suite's time); handed out last, they fill in.
  History measured, unused;
  const History empty;
  const auto suites = SuitesOf(20, 10, 20, 20, &measured);
  SuitesOf(20, 10, 0, 0, &unused);
  for (const History* history :
       {static_cast<const History*>(&measured), &empty}) {
    const auto plan = PlanFromHistory(*history, suites, SplitPolicy::kAuto, 16);
    ASSERT_EQ(plan.size(), 20u);
    EXPECT_EQ(SplittableCount(plan), 4);
    for (size_t i = 0; i < plan.size(); ++i) {
      EXPECT_EQ(plan[i].splittable, i >= 16) << i;
    }
  }
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
