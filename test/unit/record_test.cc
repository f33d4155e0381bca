// Records (what a test, suite phase or environment phase produced) and the
// store that hands finished ones from the I/O thread to the replay.
#include "coordinator/record.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace gtest_parallel {
namespace internal {
namespace {

Part MakePart(testing::TestPartResult::Type type, const std::string& message) {
  Part part;
  part.type = type;
  part.message = message;
  return part;
}

TEST(RecordTest, OutputBeyondTheLimitIsCutAtTheFront) {
  Record record;
  record.AddOutput("0123456789", 8);
  record.AddPart(MakePart(testing::TestPartResult::kSuccess, "ok"));
  record.AddOutput("abcd", 8);
  // 14 bytes kept within 8: the oldest 6 go, the part stays in its place.
  ASSERT_EQ(record.items.size(), 3u);
  EXPECT_EQ(record.items[0].output, "6789");
  EXPECT_TRUE(record.items[1].is_part);
  EXPECT_EQ(record.items[2].output, "abcd");
  EXPECT_EQ(record.output_bytes, 8u);
  EXPECT_EQ(record.output_dropped, 6u);
}

TEST(RecordTest, FailedCountsOnlyFailuresTheTestDidNotClear) {
  Record record;
  EXPECT_FALSE(record.Failed());
  record.AddPart(MakePart(testing::TestPartResult::kSkip, "skipped"));
  EXPECT_FALSE(record.Failed());
  record.AddPart(MakePart(testing::TestPartResult::kNonFatalFailure, "bad"));
  EXPECT_TRUE(record.Failed());
  // The test cleared its results: only parts after the first two count.
  record.ClearParts(0);
  EXPECT_EQ(record.cleared_parts, 2u);
  EXPECT_FALSE(record.Failed());
  record.AddPart(MakePart(testing::TestPartResult::kFatalFailure, "worse"));
  EXPECT_TRUE(record.Failed());
}

TEST(RecordTest, MergeKeepsOneOfEachPartAndTheLastValueOfAProperty) {
  Record mine, theirs;
  mine.AddPart(MakePart(testing::TestPartResult::kFatalFailure, "same"));
  mine.properties.push_back(Property{"key", "mine"});
  mine.elapsed_ms = 5;
  theirs.AddPart(MakePart(testing::TestPartResult::kFatalFailure, "same"));
  theirs.AddOutput("their output", 100);
  theirs.properties.push_back(Property{"key", "theirs"});
  theirs.properties.push_back(Property{"other", "x"});
  theirs.elapsed_ms = 7;
  mine.Merge(theirs);
  ASSERT_EQ(mine.items.size(), 2u);
  EXPECT_EQ(mine.items[1].output, "their output");
  ASSERT_EQ(mine.properties.size(), 2u);
  EXPECT_EQ(mine.properties[0].value, "theirs");
  EXPECT_EQ(mine.elapsed_ms, 12);
}

Record WithElapsed(int64_t elapsed_ms, bool failed = false) {
  Record record;
  record.elapsed_ms = elapsed_ms;
  record.worker = 2;
  if (failed) {
    record.AddPart(MakePart(testing::TestPartResult::kFatalFailure, "f"));
  }
  return record;
}

TEST(ReadyRecordsTest, HandsOverEachRecordOnce) {
  ReadyRecords ready;
  ready.Reserve(2);
  EXPECT_FALSE(ready.Has(0));
  ready.Put(0, WithElapsed(10));
  ready.Put(7, WithElapsed(70));  // Beyond what was reserved.
  EXPECT_TRUE(ready.Has(0));
  EXPECT_TRUE(ready.Has(7));
  Record record;
  ASSERT_TRUE(ready.Take(7, &record));
  EXPECT_EQ(record.elapsed_ms, 70);
  EXPECT_FALSE(ready.Take(7, &record));
  // The freed place serves the next record.
  ready.Put(3, WithElapsed(30));
  ASSERT_TRUE(ready.Take(3, &record));
  EXPECT_EQ(record.elapsed_ms, 30);
  ready.Clear();
  EXPECT_FALSE(ready.Has(0));
}

TEST(ReadyRecordsTest, ArrivalsSayWhatCameInAndInWhichOrder) {
  ReadyRecords ready;
  ready.Reserve(4);
  ready.Put(2, WithElapsed(20, true));
  ready.Put(1, WithElapsed(10));
  // Untracked until asked for.
  EXPECT_TRUE(ready.TakeArrivals().empty());
  ready.TrackArrivals();
  ready.Put(3, WithElapsed(30, true));
  ready.Put(0, WithElapsed(5));
  const std::vector<ReadyRecords::Arrival> arrivals = ready.TakeArrivals();
  ASSERT_EQ(arrivals.size(), 2u);
  EXPECT_EQ(arrivals[0].key, 3);
  EXPECT_TRUE(arrivals[0].failed);
  EXPECT_EQ(arrivals[0].elapsed_ms, 30);
  EXPECT_EQ(arrivals[0].worker, 2);
  EXPECT_EQ(arrivals[1].key, 0);
  EXPECT_FALSE(arrivals[1].failed);
  EXPECT_TRUE(ready.TakeArrivals().empty());
  Record record;
  EXPECT_TRUE(ready.Take(2, &record));  // Still there to be taken.
}

TEST(ReadyRecordsTest, RecordsPutFromAnotherThreadArrive) {
  ReadyRecords ready;
  ready.Reserve(100);
  ready.TrackArrivals();
  std::thread io([&] {
    for (int key = 0; key < 100; ++key) ready.Put(key, WithElapsed(key));
  });
  io.join();
  Record record;
  for (int key = 99; key >= 0; --key) {
    ASSERT_TRUE(ready.Take(key, &record)) << key;
    EXPECT_EQ(record.elapsed_ms, key);
  }
  EXPECT_EQ(ready.TakeArrivals().size(), 100u);
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
