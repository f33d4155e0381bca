// Unit tests of the scheduler's (scheduler.h) second chances: tests given
// back by a dead worker, tests a suite's run did not reach, and retries.
#include <gtest/gtest.h>

#include <vector>

#include "coordinator/scheduler.h"
#include "scheduler_test_util.h"

namespace gtest_parallel {
namespace internal {
namespace scheduler_testing {
namespace {

TEST(SchedulerTest, GivenBackZeroCostTestsAreGrantedAgain) {
  Scheduler scheduler(2, Suites({{0.0, 0.0, 0.0}}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  ASSERT_EQ(grant.tests, Tests(0, 0, 2));
  // Worker 1 dies while running the last test.
  scheduler.GiveBack(SuiteId(0), {TestId(0, 2)});
  scheduler.ForgetWorker(1);
  ASSERT_EQ(scheduler.remaining_tests(), 1u);
  Grant again;
  const bool granted = scheduler.Next(1, &again) || scheduler.Next(2, &again);
  EXPECT_TRUE(granted);
  EXPECT_EQ(again.tests, std::vector<int>{TestId(0, 2)});
}

// Tests a worker was granted but whose run of the suite did not reach them
// (GoogleTest ran the suite in another order) come back as a new run of the
// suite, which the same worker may start although it left the suite.
TEST(SchedulerTest, NotRunTestsAreGrantedAgainAsANewRun) {
  Scheduler scheduler(1, EqualSuites({4}));
  Grant grant;
  std::vector<int> granted;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  do {
    granted.insert(granted.end(), grant.tests.begin(), grant.tests.end());
  } while (scheduler.More(1, SuiteId(0), &grant));
  ASSERT_EQ(granted, Tests(0, 0, 3));
  EXPECT_FALSE(scheduler.Pending(SuiteId(0), TestId(0, 1)));
  scheduler.Leave(1, SuiteId(0));
  scheduler.NotRun(SuiteId(0), {TestId(0, 1), TestId(0, 3)});
  EXPECT_TRUE(scheduler.Pending(SuiteId(0), TestId(0, 1)));
  EXPECT_TRUE(scheduler.Pending(SuiteId(0), TestId(0, 3)));
  EXPECT_FALSE(scheduler.Pending(SuiteId(0), TestId(0, 2)));
  EXPECT_FALSE(scheduler.SuiteFinished(SuiteId(0)));
  std::vector<int> again;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_FALSE(grant.first_of_suite);
  do {
    again.insert(again.end(), grant.tests.begin(), grant.tests.end());
  } while (scheduler.More(1, SuiteId(0), &grant));
  EXPECT_EQ(again, (std::vector<int>{TestId(0, 1), TestId(0, 3)}));
  EXPECT_FALSE(scheduler.Pending(SuiteId(0), TestId(0, 1)));
  scheduler.Leave(1, SuiteId(0));
  EXPECT_TRUE(scheduler.SuiteFinished(SuiteId(0)));
}

TEST(SchedulerTest, PendingCountsRetriesAndNotUnknownTests) {
  Scheduler scheduler(2, EqualSuites({1, 1}));
  Grant grant;
  EXPECT_TRUE(scheduler.Pending(SuiteId(1), TestId(1, 0)));  // Not granted.
  ASSERT_TRUE(scheduler.Next(1, &grant));
  ASSERT_EQ(grant.tests, Tests(0, 0, 0));
  EXPECT_FALSE(scheduler.Pending(SuiteId(0), TestId(0, 0)));
  scheduler.Retry(SuiteId(0), TestId(0, 0), 1);
  EXPECT_TRUE(scheduler.Pending(SuiteId(0), TestId(0, 0)));
  EXPECT_FALSE(scheduler.Pending(4242, TestId(0, 0)));  // Unknown suite.
  EXPECT_FALSE(scheduler.Pending(SuiteId(0), 99));      // Unknown test.
  // Nothing given back for an unknown suite, or nothing at all.
  scheduler.NotRun(4242, {TestId(0, 0)});
  scheduler.NotRun(SuiteId(1), {});
  EXPECT_EQ(scheduler.remaining_tests(), 2u);  // The retry and suite 1's.
}

}  // namespace
}  // namespace scheduler_testing
}  // namespace internal
}  // namespace gtest_parallel
