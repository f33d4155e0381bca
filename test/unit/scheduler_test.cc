// Unit tests for the distribution of tests to workers (scheduler.h),
// including event-driven simulations of whole runs.
#include "coordinator/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gtest_parallel {
namespace internal {
namespace {

using Grant = Scheduler::Grant;
using Work = Scheduler::Work;

// Suite ids differ from suite indexes, and test ids encode where they are:
// suite index i, position p -> test 10000 * (i + 1) + p.
int SuiteId(int index) { return 7 + 10 * index; }
int TestId(int index, int position) { return 10000 * (index + 1) + position; }
int IndexOfTest(int test) { return test / 10000 - 1; }
int PositionOf(int test) { return test % 10000; }

// Suites with the given test costs, in order.
std::vector<Work> Suites(const std::vector<std::vector<double>>& costs) {
  std::vector<Work> suites;
  for (size_t i = 0; i < costs.size(); ++i) {
    Work work;
    work.suite = SuiteId(static_cast<int>(i));
    for (size_t p = 0; p < costs[i].size(); ++p) {
      work.tests.push_back(TestId(static_cast<int>(i), static_cast<int>(p)));
    }
    work.costs = costs[i];
    suites.push_back(std::move(work));
  }
  return suites;
}

// Suites of equal-cost tests (no costs given).
std::vector<Work> EqualSuites(const std::vector<int>& sizes) {
  std::vector<std::vector<double>> costs;
  for (int size : sizes) costs.emplace_back(size, 1.0);
  std::vector<Work> suites = Suites(costs);
  for (Work& work : suites) work.costs.clear();
  return suites;
}

std::vector<int> Tests(int index, int first, int last) {
  std::vector<int> tests;
  for (int p = first; p <= last; ++p) tests.push_back(TestId(index, p));
  return tests;
}

// Runs a whole iteration with `workers` workers pulling work as real ones
// do: Next, then More until refused, then Leave and Next again. A grant
// takes the sum of its tests' durations. Checks the scheduler's promises on
// the way and records what happened.
class Simulation {
 public:
  Simulation(int workers, std::vector<std::vector<double>> costs)
      : workers_(workers), costs_(std::move(costs)) {}

  // Durations are the costs times a random factor in [0.5, 1.5].
  void SetNoise(unsigned seed) {
    noise_ = true;
    random_.seed(seed);
  }
  // Each grant's worker dies before finishing it with this probability:
  // its tests are given back and a new process takes the worker's number.
  void SetDeaths(double probability, int max_deaths) {
    death_probability_ = probability;
    max_deaths_ = max_deaths;
  }

  // Returns the time the last worker finished.
  double Run() {
    Scheduler scheduler(workers_, Suites(costs_));
    size_t total_tests = 0;
    for (const auto& suite : costs_) total_tests += suite.size();
    if (scheduler.remaining_tests() != total_tests) {
      Fail("remaining_tests() does not count every test");
    }
    using Event = std::pair<double, int>;  // (time, worker)
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
    std::vector<Worker> state(workers_ + 1);
    for (int w = 1; w <= workers_; ++w) events.push({0.0, w});
    double makespan = 0;
    while (!events.empty() && violation_.empty()) {
      const auto [now, w] = events.top();
      events.pop();
      Worker& me = state[w];
      if (me.suite >= 0 && !me.grant.empty() && Dies()) {
        scheduler.GiveBack(SuiteId(me.suite), me.grant);
        scheduler.ForgetWorker(w);
        me = Worker();
      }
      for (int test : me.grant) ++runs_[test];
      me.grant.clear();
      Grant grant;
      const size_t before = scheduler.remaining_tests();
      bool granted = false;
      if (me.suite >= 0) {
        granted = scheduler.More(w, SuiteId(me.suite), &grant);
        if (granted) {
          Check(w, grant, /*first_of_run=*/false, &me);
        } else {
          scheduler.Leave(w, SuiteId(me.suite));
          me.left.insert(me.suite);
          me.suite = -1;
        }
      }
      if (!granted) {
        granted = scheduler.Next(w, &grant);
        if (granted) Check(w, grant, /*first_of_run=*/true, &me);
      }
      if (!granted) {
        makespan = std::max(makespan, now);
        continue;
      }
      if (scheduler.remaining_tests() + grant.tests.size() != before) {
        Fail("remaining_tests() did not drop by the grant's size");
      }
      grants_.push_back({w, grant});
      me.grant = grant.tests;
      double duration = 0;
      for (int test : grant.tests) duration += Cost(test) * Noise();
      events.push({now + duration, w});
    }
    if (scheduler.remaining_tests() != 0) Fail("tests left ungranted");
    for (size_t i = 0; i < costs_.size(); ++i) {
      if (!scheduler.SuiteFinished(SuiteId(static_cast<int>(i)))) {
        Fail("suite " + std::to_string(i) + " not finished");
      }
      for (size_t p = 0; p < costs_[i].size(); ++p) {
        const int test = TestId(static_cast<int>(i), static_cast<int>(p));
        if (runs_[test] != 1) {
          Fail("test " + std::to_string(test) + " ran " +
               std::to_string(runs_[test]) + " times");
        }
      }
    }
    return makespan;
  }

  // Empty when every promise was kept.
  const std::string& violation() const { return violation_; }
  // Every grant in the order made, with its worker.
  const std::vector<std::pair<int, Grant>>& grants() const { return grants_; }
  int deaths() const { return deaths_; }

  // The number of suites that more than one worker entered.
  int SplitSuites() const {
    std::map<int, std::set<int>> workers_of;
    for (const auto& [worker, grant] : grants_) {
      workers_of[grant.suite].insert(worker);
    }
    int split = 0;
    for (const auto& entry : workers_of) split += entry.second.size() > 1;
    return split;
  }

  double Cost(int test) const {
    return costs_[IndexOfTest(test)][PositionOf(test)];
  }

 private:
  struct Worker {
    int suite = -1;          // Index of the suite being run.
    int last_position = -1;  // Of the last test granted in this run.
    std::set<int> left;      // Suites left since the process started.
    std::vector<int> grant;  // Being run.
  };

  void Fail(const std::string& what) {
    if (violation_.empty()) violation_ = what;
  }

  void Check(int w, const Grant& grant, bool first_of_run, Worker* me) {
    const std::string where = "worker " + std::to_string(w) + ", grant " +
                              std::to_string(grants_.size()) + ": ";
    if (grant.tests.empty()) return Fail(where + "empty grant");
    const int index = IndexOfTest(grant.tests.front());
    if (grant.suite != SuiteId(index)) return Fail(where + "wrong suite id");
    if (first_of_run) {
      if (me->left.count(index) != 0) {
        return Fail(where + "re-entered a suite it left");
      }
      me->suite = index;
      me->last_position = -1;
    } else if (index != me->suite) {
      return Fail(where + "More() switched suites");
    }
    for (int test : grant.tests) {
      if (IndexOfTest(test) != index) return Fail(where + "mixes suites");
      if (PositionOf(test) <= me->last_position) {
        return Fail(where + "not after the worker's previous tests");
      }
      me->last_position = PositionOf(test);
    }
    const bool first_of_suite = seen_suites_.insert(index).second;
    if (grant.first_of_suite != first_of_suite) {
      return Fail(where + "wrong first_of_suite");
    }
  }

  bool Dies() {
    if (deaths_ >= max_deaths_) return false;
    if (std::uniform_real_distribution<double>(0, 1)(random_) >=
        death_probability_) {
      return false;
    }
    ++deaths_;
    return true;
  }

  double Noise() {
    return noise_ ? std::uniform_real_distribution<double>(0.5, 1.5)(random_)
                  : 1.0;
  }

  const int workers_;
  const std::vector<std::vector<double>> costs_;
  bool noise_ = false;
  double death_probability_ = 0;
  int max_deaths_ = 0;
  int deaths_ = 0;
  std::mt19937 random_;
  std::map<int, int> runs_;
  std::set<int> seen_suites_;
  std::vector<std::pair<int, Grant>> grants_;
  std::string violation_;
};

// Random suites: `count` suites of 1..max_size tests costing 0.1..max_cost.
std::vector<std::vector<double>> RandomCosts(std::mt19937* random, int count,
                                             int max_size, double max_cost) {
  std::vector<std::vector<double>> costs(count);
  for (auto& suite : costs) {
    const int size = std::uniform_int_distribution<int>(1, max_size)(*random);
    for (int i = 0; i < size; ++i) {
      suite.push_back(
          std::uniform_real_distribution<double>(0.1, max_cost)(*random));
    }
  }
  return costs;
}

// The best any schedule can do, and the largest single test.
struct Bounds {
  double lower = 0;
  double longest = 0;
};
Bounds BoundsOf(const std::vector<std::vector<double>>& costs, int workers) {
  double total = 0;
  Bounds bounds;
  for (const auto& suite : costs) {
    for (double cost : suite) {
      total += cost;
      bounds.longest = std::max(bounds.longest, cost);
    }
  }
  bounds.lower = std::max(total / workers, bounds.longest);
  return bounds;
}

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
}  // namespace internal
}  // namespace gtest_parallel
