// Helpers of the scheduler's unit tests (scheduler_test.cc,
// scheduler_split_test.cc, scheduler_balance_test.cc): suites with given
// test costs, and an event-driven simulation of whole runs.
#ifndef GTEST_PARALLEL_TEST_UNIT_SCHEDULER_TEST_UTIL_H_
#define GTEST_PARALLEL_TEST_UNIT_SCHEDULER_TEST_UTIL_H_

#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/scheduler.h"

namespace gtest_parallel {
namespace internal {
namespace scheduler_testing {

// A grant of tests to a worker.
using Grant = Scheduler::Grant;
// The tests of one suite, as the scheduler takes them.
using Work = Scheduler::Work;

// Suite ids differ from suite indexes, and test ids encode where they are:
// suite index i, position p -> test 10000 * (i + 1) + p.
inline int SuiteId(int index) { return 7 + 10 * index; }
// The id of the test at `position` in the suite of index `index`.
inline int TestId(int index, int position) {
  return 10000 * (index + 1) + position;
}
// The suite index of a test id.
inline int IndexOfTest(int test) { return test / 10000 - 1; }
// The position of a test id in its suite.
inline int PositionOf(int test) { return test % 10000; }

// Suites with the given test costs, in order.
std::vector<Work> Suites(const std::vector<std::vector<double>>& costs);

// Suites of equal-cost tests (no costs given).
std::vector<Work> EqualSuites(const std::vector<int>& sizes);

// The ids of the tests at positions first..last of suite index `index`.
std::vector<int> Tests(int index, int first, int last);

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
  double Run();

  // Empty when every promise was kept.
  const std::string& violation() const { return violation_; }
  // Every grant in the order made, with its worker.
  const std::vector<std::pair<int, Grant>>& grants() const { return grants_; }
  // How many workers died.
  int deaths() const { return deaths_; }

  // The number of suites that more than one worker entered.
  int SplitSuites() const;

  // The cost of a test.
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

  // Checks, at the end of Run(), that every test was granted and run once
  // and every suite finished.
  void CheckFinished(const Scheduler& scheduler);
  // Records the first broken promise.
  void Fail(const std::string& what);
  // Checks a grant to worker w against its state *me, and updates that.
  void Check(int w, const Grant& grant, bool first_of_run, Worker* me);
  // Whether a worker dies now (SetDeaths).
  bool Dies();
  // The factor of a test's duration (SetNoise).
  double Noise();

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
                                             int max_size, double max_cost);

// The best any schedule can do, and the largest single test.
struct Bounds {
  double lower = 0;
  double longest = 0;
};

// The bounds of a run of suites with these costs on `workers` workers.
Bounds BoundsOf(const std::vector<std::vector<double>>& costs, int workers);

}  // namespace scheduler_testing
}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_TEST_UNIT_SCHEDULER_TEST_UTIL_H_
