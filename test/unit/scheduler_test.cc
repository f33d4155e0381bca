// Unit tests for the distribution of tests to workers (scheduler.h): what
// Next, More, Leave, GiveBack, ForgetWorker and Stop grant, and random
// simulated runs that check every test is granted once. The splitting of
// suites is tested in scheduler_split_test.cc, retries in
// scheduler_retry_test.cc.
#include "coordinator/scheduler.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "scheduler_test_util.h"

namespace gtest_parallel {
namespace internal {
namespace scheduler_testing {
namespace {

TEST(SchedulerTest, SingleWorkerGetsEverythingInRunOrder) {
  Scheduler scheduler(1, EqualSuites({3, 1, 4}));
  EXPECT_EQ(scheduler.remaining_tests(), 8u);
  std::vector<int> order;
  Grant grant;
  while (scheduler.Next(1, &grant)) {
    const int suite = grant.suite;
    EXPECT_TRUE(grant.first_of_suite);
    do {
      EXPECT_EQ(grant.suite, suite);
      order.insert(order.end(), grant.tests.begin(), grant.tests.end());
    } while (scheduler.More(1, suite, &grant));
    scheduler.Leave(1, suite);
  }
  std::vector<int> expected = Tests(0, 0, 2);
  expected.push_back(TestId(1, 0));
  for (int test : Tests(2, 0, 3)) expected.push_back(test);
  EXPECT_EQ(order, expected);
  EXPECT_EQ(scheduler.remaining_tests(), 0u);
}

TEST(SchedulerTest, ASuiteNotToSplitGoesWholeToOneWorker) {
  std::vector<Work> suites = EqualSuites({40, 1});
  suites[0].splittable = false;
  Scheduler scheduler(4, suites);
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_EQ(grant.tests, Tests(0, 0, 39));
  EXPECT_TRUE(grant.last);
  // The others find nothing of it to help with.
  ASSERT_TRUE(scheduler.Next(2, &grant));
  EXPECT_EQ(grant.suite, SuiteId(1));
  scheduler.Leave(2, SuiteId(1));
  EXPECT_FALSE(scheduler.Next(3, &grant));
  // A dead worker's tests of it go whole to another.
  scheduler.ForgetWorker(1);
  scheduler.GiveBack(SuiteId(0), Tests(0, 10, 39));
  ASSERT_TRUE(scheduler.Next(3, &grant));
  EXPECT_EQ(grant.tests, Tests(0, 10, 39));
}

TEST(SchedulerTest, NextOffersUnenteredSuitesInOrder) {
  Scheduler scheduler(3, EqualSuites({2, 2, 2}));
  for (int w = 1; w <= 3; ++w) {
    Grant grant;
    ASSERT_TRUE(scheduler.Next(w, &grant));
    EXPECT_EQ(grant.suite, SuiteId(w - 1));
    EXPECT_EQ(grant.tests.front(), TestId(w - 1, 0));
    EXPECT_TRUE(grant.first_of_suite);
  }
}

TEST(SchedulerTest, FirstGrantOfASuiteIsMarked) {
  Scheduler scheduler(2, EqualSuites({100}));
  Grant first, second, more;
  ASSERT_TRUE(scheduler.Next(1, &first));
  EXPECT_TRUE(first.first_of_suite);
  ASSERT_TRUE(scheduler.Next(2, &second));  // Helps with the same suite.
  EXPECT_EQ(second.suite, first.suite);
  EXPECT_FALSE(second.first_of_suite);
  ASSERT_TRUE(scheduler.More(1, first.suite, &more));
  EXPECT_FALSE(more.first_of_suite);
}

TEST(SchedulerTest, NextHelpsTheSuiteWithMostWorkLeft) {
  // Every suite entered; then a worker helps the one with the most cost
  // left, whatever its position or test count.
  Scheduler scheduler(
      3, Suites({std::vector<double>(40, 1.0), std::vector<double>(10, 20.0)}));
  Grant grant;
  for (int w = 1; w <= 2; ++w) {
    ASSERT_TRUE(scheduler.Next(w, &grant));
    EXPECT_EQ(grant.suite, SuiteId(w - 1));
  }
  ASSERT_TRUE(scheduler.Next(3, &grant));
  EXPECT_EQ(grant.suite, SuiteId(1));
  EXPECT_FALSE(grant.first_of_suite);
}

TEST(SchedulerTest, NextHelpsAHeavierSplitSuiteBeforeAFreshOne) {
  // Suite 1 is split and has 180 left; the fresh suite 2 costs 30: the
  // heavier work comes first, or suite 1's tail would end the run.
  Scheduler scheduler(
      4, Suites({std::vector<double>(4, 1.0), std::vector<double>(10, 20.0),
                 std::vector<double>(60, 0.5)}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_EQ(grant.suite, SuiteId(0));
  ASSERT_TRUE(scheduler.Next(2, &grant));
  EXPECT_EQ(grant.suite, SuiteId(1));
  EXPECT_EQ(grant.tests, Tests(1, 0, 0));
  ASSERT_TRUE(scheduler.Next(3, &grant));
  EXPECT_EQ(grant.suite, SuiteId(1));
  EXPECT_FALSE(grant.first_of_suite);
  EXPECT_EQ(grant.tests, Tests(1, 1, 1));
}

TEST(SchedulerTest, NextTakesAFreshSuiteRatherThanHelpWithALighterOne) {
  // Suite 0 has 23 left with a worker in it; the fresh suite 1 costs 30.
  Scheduler scheduler(
      2, Suites({std::vector<double>(40, 1.0), std::vector<double>{30.0}}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_EQ(grant.suite, SuiteId(0));
  EXPECT_EQ(grant.tests, Tests(0, 0, 16));
  ASSERT_TRUE(scheduler.Next(2, &grant));
  EXPECT_EQ(grant.suite, SuiteId(1));
  EXPECT_TRUE(grant.first_of_suite);
}

TEST(SchedulerTest, NextCountsTheWorkersAlreadyHelping) {
  // Suite 0, split, has 50 left with one worker in it: the second worker
  // helps rather than start the fresh suite of 40. Then 40 are left for
  // two workers (20 each): the third worker takes the fresh suite.
  Scheduler scheduler(
      3, Suites({std::vector<double>(6, 10.0), std::vector<double>(4, 10.0)}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_EQ(grant.suite, SuiteId(0));
  EXPECT_EQ(grant.tests, Tests(0, 0, 0));
  ASSERT_TRUE(scheduler.Next(2, &grant));
  EXPECT_EQ(grant.suite, SuiteId(0));
  EXPECT_EQ(grant.tests, Tests(0, 1, 1));
  ASSERT_TRUE(scheduler.Next(3, &grant));
  EXPECT_EQ(grant.suite, SuiteId(1));
}

TEST(SchedulerTest, RandomRunsGrantEveryTestOnceInRunOrder) {
  for (unsigned seed = 1; seed <= 60; ++seed) {
    std::mt19937 random(seed);
    const int workers = std::uniform_int_distribution<int>(1, 9)(random);
    const int suites = std::uniform_int_distribution<int>(1, 30)(random);
    const int max_size = seed % 3 == 0 ? 200 : 30;
    const double max_cost = seed % 2 == 0 ? 10.0 : 1.0;
    Simulation simulation(workers,
                          RandomCosts(&random, suites, max_size, max_cost));
    simulation.SetNoise(seed);
    simulation.Run();
    ASSERT_EQ(simulation.violation(), "")
        << "seed " << seed << ", " << workers << " workers";
  }
}

TEST(SchedulerTest, RandomRunsWithDyingWorkersStillRunEveryTestOnce) {
  int deaths = 0;
  for (unsigned seed = 1; seed <= 60; ++seed) {
    std::mt19937 random(seed);
    const int workers = std::uniform_int_distribution<int>(1, 6)(random);
    const int suites = std::uniform_int_distribution<int>(1, 20)(random);
    Simulation simulation(workers, RandomCosts(&random, suites, 40, 5.0));
    simulation.SetNoise(seed);
    simulation.SetDeaths(0.1, 10);
    simulation.Run();
    ASSERT_EQ(simulation.violation(), "")
        << "seed " << seed << ", " << workers << " workers";
    deaths += simulation.deaths();
  }
  EXPECT_GT(deaths, 50);  // The scenario did exercise GiveBack.
}

TEST(SchedulerTest, MoreGrantsOnlyTestsAfterTheWorkersLastOne) {
  Scheduler scheduler(2, EqualSuites({100}));
  Grant a1, b1, a2, a3;
  ASSERT_TRUE(scheduler.Next(1, &a1));  // From the front.
  ASSERT_TRUE(scheduler.Next(2, &b1));  // Right after a1.
  ASSERT_TRUE(scheduler.More(1, SuiteId(0), &a2));
  EXPECT_GT(PositionOf(a2.tests.front()), PositionOf(b1.tests.back()));
  // Worker 2 dies: its tests come back, but they lie before worker 1's
  // position, so worker 1 must not get them.
  scheduler.GiveBack(SuiteId(0), b1.tests);
  scheduler.ForgetWorker(2);
  ASSERT_TRUE(scheduler.More(1, SuiteId(0), &a3));
  for (int test : a3.tests) {
    EXPECT_GT(PositionOf(test), PositionOf(a2.tests.back()));
  }
  // The new worker 2 picks them up, in order, from the first.
  Grant b2;
  ASSERT_TRUE(scheduler.Next(2, &b2));
  EXPECT_EQ(b2.tests.front(), b1.tests.front());
}

TEST(SchedulerTest, MoreIsRefusedOutsideTheWorkersSuite) {
  Scheduler scheduler(2, EqualSuites({50, 50}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  ASSERT_EQ(grant.suite, SuiteId(0));
  EXPECT_FALSE(scheduler.More(1, SuiteId(1), &grant));  // Not its suite.
  EXPECT_FALSE(scheduler.More(1, 12345, &grant));       // Unknown suite.
  EXPECT_FALSE(scheduler.More(2, SuiteId(0), &grant));  // Never entered.
  scheduler.Leave(1, SuiteId(0));
  EXPECT_FALSE(scheduler.More(1, SuiteId(0), &grant));  // Left.
}

TEST(SchedulerTest, LeftSuiteIsNeverReenteredByNext) {
  Scheduler scheduler(2, EqualSuites({100}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  scheduler.Leave(1, SuiteId(0));  // Leaves with tests still waiting.
  ASSERT_GT(scheduler.remaining_tests(), 0u);
  EXPECT_FALSE(scheduler.Next(1, &grant));
  // Another worker may still run them.
  ASSERT_TRUE(scheduler.Next(2, &grant));
  EXPECT_EQ(grant.suite, SuiteId(0));
}

TEST(SchedulerTest, LeftSuiteIsSkippedForOthers) {
  Scheduler scheduler(2, EqualSuites({100, 100}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  ASSERT_EQ(grant.suite, SuiteId(0));
  scheduler.Leave(1, SuiteId(0));
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_EQ(grant.suite, SuiteId(1));
  scheduler.Leave(1, SuiteId(1));
  // Both suites still have tests, but worker 1 left both.
  EXPECT_FALSE(scheduler.Next(1, &grant));
}

TEST(SchedulerTest, ForgottenWorkerMayReenter) {
  Scheduler scheduler(1, EqualSuites({100}));
  Grant first;
  ASSERT_TRUE(scheduler.Next(1, &first));
  scheduler.Leave(1, SuiteId(0));
  Grant grant;
  ASSERT_FALSE(scheduler.Next(1, &grant));
  scheduler.ForgetWorker(1);
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_EQ(grant.suite, SuiteId(0));
  EXPECT_GT(PositionOf(grant.tests.front()), PositionOf(first.tests.back()));
}

TEST(SchedulerTest, GiveBackReoffersTestsAheadOfTheRest) {
  Scheduler scheduler(2, EqualSuites({100}));
  Grant a, b;
  ASSERT_TRUE(scheduler.Next(1, &a));
  ASSERT_TRUE(scheduler.Next(2, &b));
  const size_t before = scheduler.remaining_tests();
  scheduler.GiveBack(SuiteId(0), a.tests);
  EXPECT_EQ(scheduler.remaining_tests(), before + a.tests.size());
  scheduler.ForgetWorker(1);
  // The given-back tests come first, in run order, then b's successors.
  std::vector<int> regranted;
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  do {
    regranted.insert(regranted.end(), grant.tests.begin(), grant.tests.end());
  } while (regranted.size() <= a.tests.size() &&
           scheduler.More(1, SuiteId(0), &grant));
  ASSERT_GT(regranted.size(), a.tests.size());
  EXPECT_EQ(
      std::vector<int>(regranted.begin(), regranted.begin() + a.tests.size()),
      a.tests);
  EXPECT_GT(PositionOf(regranted[a.tests.size()]), PositionOf(b.tests.back()));
}

TEST(SchedulerTest, GiveBackIgnoresWaitingUnknownAndRepeatedTests) {
  Scheduler scheduler(2, EqualSuites({20, 20}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  const std::vector<int> granted = grant.tests;
  const size_t before = scheduler.remaining_tests();
  scheduler.GiveBack(SuiteId(0), {TestId(0, 19)});  // Never granted.
  scheduler.GiveBack(SuiteId(0), {TestId(1, 0)});   // Another suite's.
  scheduler.GiveBack(SuiteId(0), {99});             // Unknown test.
  scheduler.GiveBack(4242, granted);                // Unknown suite.
  EXPECT_EQ(scheduler.remaining_tests(), before);
  scheduler.GiveBack(SuiteId(0), granted);
  scheduler.GiveBack(SuiteId(0), granted);  // Twice is once.
  EXPECT_EQ(scheduler.remaining_tests(), before + granted.size());
}

TEST(SchedulerTest, StopEndsAllGrants) {
  Scheduler scheduler(2, EqualSuites({100, 100}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_FALSE(scheduler.stopped());
  scheduler.Stop();
  EXPECT_TRUE(scheduler.stopped());
  EXPECT_FALSE(scheduler.More(1, SuiteId(0), &grant));
  EXPECT_FALSE(scheduler.Next(2, &grant));
  scheduler.Leave(1, SuiteId(0));
  EXPECT_FALSE(scheduler.Next(1, &grant));
  EXPECT_GT(scheduler.remaining_tests(), 0u);
}

TEST(SchedulerTest, SuiteFinishedOnceAllGrantedAndLeft) {
  Scheduler scheduler(1, EqualSuites({2, 2}));
  EXPECT_FALSE(scheduler.SuiteFinished(SuiteId(0)));
  EXPECT_FALSE(scheduler.SuiteFinished(999));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  ASSERT_EQ(grant.tests, Tests(0, 0, 1));
  EXPECT_FALSE(scheduler.SuiteFinished(SuiteId(0)));  // Worker 1 is in it.
  EXPECT_FALSE(scheduler.More(1, SuiteId(0), &grant));
  scheduler.Leave(1, SuiteId(0));
  EXPECT_TRUE(scheduler.SuiteFinished(SuiteId(0)));
  EXPECT_FALSE(scheduler.SuiteFinished(SuiteId(1)));  // Not started.
  // A test given back reopens it.
  scheduler.GiveBack(SuiteId(0), {TestId(0, 1)});
  EXPECT_FALSE(scheduler.SuiteFinished(SuiteId(0)));
}

TEST(SchedulerTest, ForgetWorkerTakesItOutOfItsSuite) {
  Scheduler scheduler(2, EqualSuites({2}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  while (scheduler.More(1, SuiteId(0), &grant)) {
  }
  ASSERT_EQ(scheduler.remaining_tests(), 0u);
  EXPECT_FALSE(scheduler.SuiteFinished(SuiteId(0)));
  scheduler.ForgetWorker(1);
  EXPECT_TRUE(scheduler.SuiteFinished(SuiteId(0)));
  // Its old suite is no longer its current one.
  EXPECT_FALSE(scheduler.More(1, SuiteId(0), &grant));
}

TEST(SchedulerTest, WorkerNumbersOutOfRangeGetNothing) {
  Scheduler scheduler(2, EqualSuites({10}));
  Grant grant;
  EXPECT_FALSE(scheduler.Next(0, &grant));
  EXPECT_FALSE(scheduler.Next(3, &grant));
  EXPECT_FALSE(scheduler.Next(-1, &grant));
  EXPECT_EQ(scheduler.remaining_tests(), 10u);
  scheduler.Leave(3, SuiteId(0));  // Ignored, no crash.
  scheduler.ForgetWorker(0);
  EXPECT_TRUE(scheduler.Next(2, &grant));
}

TEST(SchedulerTest, NoWorkersMeansOne) {
  Scheduler scheduler(0, EqualSuites({3}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_FALSE(scheduler.Next(2, &grant));
}

TEST(SchedulerTest, MismatchedCostsAreRejected) {
  std::vector<Work> suites = EqualSuites({3});
  suites[0].costs = {1.0, 2.0};
  EXPECT_THROW(Scheduler(2, suites), std::invalid_argument);
}

TEST(SchedulerTest, EmptySuitesAreNeverGranted) {
  Scheduler scheduler(1, EqualSuites({0, 2, 0}));
  EXPECT_EQ(scheduler.remaining_tests(), 2u);
  std::vector<int> granted;
  Grant grant;
  while (scheduler.Next(1, &grant)) {
    const int suite = grant.suite;
    do {
      EXPECT_EQ(grant.suite, SuiteId(1));
      granted.insert(granted.end(), grant.tests.begin(), grant.tests.end());
    } while (scheduler.More(1, suite, &grant));
    scheduler.Leave(1, suite);
  }
  EXPECT_EQ(granted, Tests(1, 0, 1));
}

TEST(SchedulerTest, NothingToDoWithoutSuites) {
  Scheduler scheduler(4, {});
  Grant grant;
  EXPECT_EQ(scheduler.remaining_tests(), 0u);
  EXPECT_FALSE(scheduler.Next(1, &grant));
}

}  // namespace
}  // namespace scheduler_testing
}  // namespace internal
}  // namespace gtest_parallel
