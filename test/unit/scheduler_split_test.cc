// Unit tests of how the scheduler (scheduler.h) splits suites into grants
// and balances the workers, mostly on event-driven simulations of whole
// runs.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "coordinator/scheduler.h"
#include "scheduler_test_util.h"

namespace gtest_parallel {
namespace internal {
namespace scheduler_testing {
namespace {

TEST(SchedulerTest, SmallSuitesAreGrantedWhole) {
  for (int workers : {2, 4, 8}) {
    SCOPED_TRACE(workers);
    Simulation simulation(
        workers, std::vector<std::vector<double>>(100, {1, 1, 1, 1, 1}));
    simulation.Run();
    ASSERT_EQ(simulation.violation(), "");
    // Far from the end of the run, every suite goes whole to one worker in
    // one grant; only the tail may be split for balance.
    for (const auto& [worker, grant] : simulation.grants()) {
      if (IndexOfTest(grant.tests.front()) < 80 && grant.first_of_suite) {
        EXPECT_EQ(grant.tests.size(), 5u) << "suite " << grant.suite;
      }
    }
    EXPECT_LE(simulation.SplitSuites(), workers);
  }
}

TEST(SchedulerTest, SuiteJustOverAChunkStaysWhole) {
  // Two workers, 20 tests: a chunk is a quarter of the run. Splitting the
  // first suite, a little over a chunk, would cost a second
  // SetUpTestSuite for no gain in balance.
  Scheduler scheduler(2, EqualSuites({6, 14}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));
  EXPECT_EQ(grant.tests, Tests(0, 0, 5));
  // The second suite is much more than a chunk: it is split.
  ASSERT_TRUE(scheduler.Next(2, &grant));
  EXPECT_EQ(grant.suite, SuiteId(1));
  EXPECT_LT(grant.tests.size(), 14u);
}

TEST(SchedulerTest, GrantThatEmptiesItsSuiteIsMarkedLast) {
  Scheduler scheduler(2, EqualSuites({6, 14}));
  Grant grant;
  ASSERT_TRUE(scheduler.Next(1, &grant));  // The whole first suite.
  EXPECT_TRUE(grant.last);
  ASSERT_TRUE(scheduler.Next(2, &grant));  // Part of the second.
  EXPECT_FALSE(grant.last);
  // Worker 2 takes the rest of its suite chunk by chunk; only the grant
  // that leaves nothing is marked, and after it More has nothing to give.
  bool last = false;
  while (scheduler.More(2, SuiteId(1), &grant)) {
    EXPECT_FALSE(last) << "a grant after the one marked last";
    last = grant.last;
  }
  EXPECT_TRUE(last);
}

TEST(SchedulerTest, ManySmallSuitesAreOfferedInOrder) {
  // One test per suite: each Next takes the next suite nobody entered.
  Scheduler scheduler(2, EqualSuites(std::vector<int>(500, 1)));
  Grant grant;
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(scheduler.Next(1 + i % 2, &grant));
    EXPECT_EQ(grant.suite, SuiteId(i));
    scheduler.Leave(1 + i % 2, grant.suite);
  }
  EXPECT_FALSE(scheduler.Next(1, &grant));
}

TEST(SchedulerTest, LargeSuiteIsSplitWithShrinkingChunks) {
  const int kWorkers = 4;
  Simulation simulation(kWorkers, {std::vector<double>(1000, 1.0)});
  simulation.Run();
  ASSERT_EQ(simulation.violation(), "");
  EXPECT_EQ(simulation.SplitSuites(), 1);
  std::set<int> workers;
  std::vector<size_t> sizes;
  for (const auto& [worker, grant] : simulation.grants()) {
    workers.insert(worker);
    sizes.push_back(grant.tests.size());
  }
  EXPECT_EQ(workers.size(), static_cast<size_t>(kWorkers));
  // No first grant takes more than a share of the suite, and later grants
  // never grow: the run drains with ever smaller chunks, down to single
  // tests.
  EXPECT_LE(sizes.front(), 1000u / kWorkers);
  for (size_t i = 1; i < sizes.size(); ++i) {
    EXPECT_LE(sizes[i], sizes[i - 1]) << "grant " << i;
  }
  EXPECT_EQ(sizes.back(), 1u);
  EXPECT_GT(sizes.size(), 2u * kWorkers);
}

TEST(SchedulerTest, LongTestIsGrantedAlone) {
  for (unsigned seed = 1; seed <= 30; ++seed) {
    std::mt19937 random(seed);
    const int workers = std::uniform_int_distribution<int>(2, 4)(random);
    std::vector<double> costs(60, 1.0);
    const int long_position = std::uniform_int_distribution<int>(0, 59)(random);
    costs[long_position] = 50;
    Simulation simulation(workers, {costs});
    simulation.Run();
    ASSERT_EQ(simulation.violation(), "");
    int found = 0;
    for (const auto& [worker, grant] : simulation.grants()) {
      for (int test : grant.tests) {
        if (PositionOf(test) != long_position) continue;
        ++found;
        EXPECT_EQ(grant.tests.size(), 1u)
            << "seed " << seed << ", long test at " << long_position;
      }
    }
    EXPECT_EQ(found, 1);
  }
}

TEST(SchedulerTest, EmptyCostsMeanEqualCosts) {
  std::vector<Work> implicit = EqualSuites({37, 5, 64});
  std::vector<Work> explicit_costs = implicit;
  for (Work& work : explicit_costs) work.costs.assign(work.tests.size(), 1.0);
  Scheduler a(3, implicit);
  Scheduler b(3, explicit_costs);
  for (int w = 1; w <= 3; ++w) {
    Grant from_a, from_b;
    ASSERT_EQ(a.Next(w, &from_a), b.Next(w, &from_b));
    EXPECT_EQ(from_a.tests, from_b.tests);
  }
  Grant from_a, from_b;
  ASSERT_EQ(a.More(1, SuiteId(0), &from_a), b.More(1, SuiteId(0), &from_b));
  EXPECT_EQ(from_a.tests, from_b.tests);
}

TEST(SchedulerTest, ExpensiveTestsMakeSmallerGrants) {
  // The same suite shape, once cheap and once with expensive first tests:
  // the expensive tests are handed out in smaller grants.
  std::vector<double> cheap(100, 1.0);
  std::vector<double> costly = cheap;
  for (int i = 0; i < 20; ++i) costly[i] = 10;
  Scheduler cheap_scheduler(2, Suites({cheap}));
  Scheduler costly_scheduler(2, Suites({costly}));
  Grant cheap_grant, costly_grant;
  ASSERT_TRUE(cheap_scheduler.Next(1, &cheap_grant));
  ASSERT_TRUE(costly_scheduler.Next(1, &costly_grant));
  EXPECT_LT(costly_grant.tests.size(), cheap_grant.tests.size());
  EXPECT_GT(costly_grant.tests.size(), 1u);
}

TEST(SchedulerTest, NoGrantExceedsAFairShareOfWhatIsLeft) {
  // A grant costs at most 1/N of all that is left, unless it is a single
  // test.
  for (unsigned seed = 1; seed <= 30; ++seed) {
    std::mt19937 random(seed);
    const int workers = std::uniform_int_distribution<int>(1, 8)(random);
    const auto costs = RandomCosts(&random, 12, 80, 5.0);
    Simulation simulation(workers, costs);
    simulation.Run();
    ASSERT_EQ(simulation.violation(), "");
    double left = 0;
    for (const auto& suite : costs) {
      for (double cost : suite) left += cost;
    }
    for (const auto& [worker, grant] : simulation.grants()) {
      double cost = 0;
      for (int test : grant.tests) cost += simulation.Cost(test);
      if (grant.tests.size() > 1) {
        EXPECT_LE(cost, left / workers + 1e-9)
            << "seed " << seed << ", suite " << grant.suite;
      }
      left -= cost;
    }
  }
}

TEST(SchedulerTest, BalancedOnRandomSuites) {
  // With exact costs, the run ends within one test's cost of the best
  // possible makespan.
  for (unsigned seed = 1; seed <= 40; ++seed) {
    std::mt19937 random(seed);
    const int workers = std::uniform_int_distribution<int>(2, 8)(random);
    const int suites = std::uniform_int_distribution<int>(5, 40)(random);
    const auto costs = RandomCosts(&random, suites, 60, 2.0);
    Simulation simulation(workers, costs);
    const double makespan = simulation.Run();
    ASSERT_EQ(simulation.violation(), "");
    const Bounds bounds = BoundsOf(costs, workers);
    EXPECT_LE(makespan, bounds.lower + bounds.longest)
        << "seed " << seed << ", " << workers << " workers, best "
        << bounds.lower;
  }
}

TEST(SchedulerTest, SingleLargeSuiteIsBalanced) {
  for (int workers : {2, 3, 4, 8, 16}) {
    const std::vector<std::vector<double>> costs = {
        std::vector<double>(1000, 1.0)};
    Simulation simulation(workers, costs);
    const double makespan = simulation.Run();
    ASSERT_EQ(simulation.violation(), "");
    EXPECT_LE(makespan, BoundsOf(costs, workers).lower + 1.0) << workers;
  }
}

TEST(SchedulerTest, ManySmallSuitesAreBalanced) {
  for (int workers : {2, 4, 8}) {
    const std::vector<std::vector<double>> costs(100, {1, 1, 1, 1, 1});
    Simulation simulation(workers, costs);
    const double makespan = simulation.Run();
    ASSERT_EQ(simulation.violation(), "");
    EXPECT_LE(makespan, BoundsOf(costs, workers).lower + 1.0) << workers;
  }
}

TEST(SchedulerTest, LongTestFirstIsBalanced) {
  // A test as long as everything else together divided among the workers:
  // its worker runs it alone while the others share the rest.
  for (int workers : {2, 4, 8}) {
    std::vector<std::vector<double>> costs(30, std::vector<double>(10, 1.0));
    costs[0][0] = 300.0 / (workers - 1);
    Simulation simulation(workers, costs);
    const double makespan = simulation.Run();
    ASSERT_EQ(simulation.violation(), "");
    const Bounds bounds = BoundsOf(costs, workers);
    EXPECT_LE(makespan, bounds.lower + 1.0) << workers;
  }
}

TEST(SchedulerTest, LongSuiteFirstLeavesTheShortOnesForTheEnd) {
  // The timing history's order: a suite of four long tests, then ten
  // suites of short ones. The long tests are spread over the workers from
  // the start and the short suites fill in at the end: the run ends with
  // the best possible split, not with a long test that started late.
  for (int workers : {2, 4}) {
    std::vector<std::vector<double>> costs = {std::vector<double>(4, 1000.0)};
    for (int i = 0; i < 10; ++i) costs.emplace_back(20, 1.0);
    Simulation simulation(workers, costs);
    const double makespan = simulation.Run();
    ASSERT_EQ(simulation.violation(), "");
    // Whole short suites of 20 each: at most one more than an even split.
    EXPECT_LE(makespan, BoundsOf(costs, workers).lower + 20.0) << workers;
  }
}

TEST(SchedulerTest, SuitesNotToSplitAreEnteredOnceEach) {
  // Equal suites that splitting would not balance better (the plan marks
  // them not splittable): each is entered by one worker only, so each
  // SetUpTestSuite runs once.
  for (int workers : {2, 4}) {
    std::vector<Work> suites = EqualSuites(std::vector<int>(10, 50));
    for (Work& work : suites) work.splittable = false;
    Scheduler scheduler(workers, std::move(suites));
    std::map<int, int> entered;  // Suite -> Next grants of it.
    std::vector<int> current(workers + 1, -1);
    for (bool progress = true; progress;) {
      progress = false;
      for (int w = 1; w <= workers; ++w) {
        Grant grant;
        if (current[w] >= 0 && scheduler.More(w, current[w], &grant)) {
          progress = true;
          continue;
        }
        if (current[w] >= 0) scheduler.Leave(w, current[w]);
        current[w] = -1;
        if (!scheduler.Next(w, &grant)) continue;
        EXPECT_EQ(grant.tests.size(), 50u);
        ++entered[grant.suite];
        current[w] = grant.suite;
        progress = true;
      }
    }
    EXPECT_EQ(entered.size(), 10u);
    for (const auto& [suite, count] : entered) EXPECT_EQ(count, 1) << suite;
  }
}

// Tests whose expected cost is 0 must still be offered again after their
// worker died, although a suite of them has no remaining cost.

}  // namespace
}  // namespace scheduler_testing
}  // namespace internal
}  // namespace gtest_parallel
