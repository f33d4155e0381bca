// The progress line's estimate of the time left (Progress::SecondsLeft):
// from the timing history where it knows the tests, from the mean of the
// finished ones where it does not, less what running tests have done.
#include "coordinator/progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace gtest_parallel {
namespace internal {
namespace {

// A progress line that draws nothing (the start line goes to stderr).
Progress Started(int tests, int workers, int64_t expected_ms, int unknown) {
  Progress progress(/*live=*/false);
  progress.Start(tests, workers, expected_ms, unknown, "");
  return progress;
}

TEST(ProgressTest, NoEstimateBeforeAnythingIsKnown) {
  Progress progress = Started(4, 2, 0, 4);
  EXPECT_LT(progress.SecondsLeft(), 0);
}

TEST(ProgressTest, TheHistoryGivesAnEstimateFromTheStart) {
  // 10 tests of 1 s on 2 workers.
  Progress progress = Started(10, 2, 10000, 0);
  EXPECT_DOUBLE_EQ(progress.SecondsLeft(), 5.0);
  progress.TestFinished(false, 1000, 1000);
  progress.TestFinished(true, 1000, 1000);
  EXPECT_DOUBLE_EQ(progress.SecondsLeft(), 4.0);
  EXPECT_EQ(progress.finished(), 2);
}

TEST(ProgressTest, FinishingShortTestsFirstDoesNotShrinkTheEstimate) {
  // One 20 s test and 20 of 10 ms: a count-based estimate would say
  // "almost done" once the short ones finish.
  Progress progress = Started(21, 2, 20000 + 20 * 10, 0);
  for (int i = 0; i < 20; ++i) progress.TestFinished(false, 10, 10);
  progress.SetRunning({{"Long.Test", 1.0, 20000}});
  EXPECT_NEAR(progress.SecondsLeft(), 19.0, 1e-9);
}

TEST(ProgressTest, UnknownTestsCountAtTheMeanOfTheFinishedOnes) {
  // One test the history knows (left: 1 s), three it does not.
  Progress progress = Started(4, 1, 1000, 3);
  progress.TestFinished(false, -1, 2000);
  EXPECT_DOUBLE_EQ(progress.SecondsLeft(), 1.0 + 2 * 2.0);
}

TEST(ProgressTest, WithoutAHistoryTheCountAndThePaceSoFar) {
  Progress progress = Started(4, 2, 0, 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  progress.TestFinished(false, -1, 10);
  // Three tests left at the pace so far (one in 50 ms or more), not at the
  // 10 ms the finished one took over the two workers.
  const double left = progress.SecondsLeft();
  EXPECT_GE(left, 0.15);
  EXPECT_LT(left, 10.0);
}

TEST(ProgressTest, RunningTestsCountWhatTheyHaveDone) {
  Progress progress = Started(4, 2, 8000, 0);
  progress.SetRunning({{"A.a", 1.5, 2000}, {"B.b", 0.5, 2000}});
  EXPECT_DOUBLE_EQ(progress.SecondsLeft(), 3.0);
  // A test past its expected time counts for no more than expected.
  progress.SetRunning({{"A.a", 9.0, 2000}, {"B.b", 9.0, 2000}});
  EXPECT_DOUBLE_EQ(progress.SecondsLeft(), 2.0);
}

TEST(ProgressTest, NothingLeftOnceEveryTestFinished) {
  Progress progress = Started(1, 1, 1000, 0);
  progress.TestFinished(false, 1000, 900);
  EXPECT_LT(progress.SecondsLeft(), 0);
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
