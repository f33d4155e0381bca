// The scheduler tests' helpers (scheduler_test_util.h).
#include "scheduler_test_util.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace gtest_parallel {
namespace internal {
namespace scheduler_testing {

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

double Simulation::Run() {
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
  CheckFinished(scheduler);
  return makespan;
}

void Simulation::CheckFinished(const Scheduler& scheduler) {
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
}

int Simulation::SplitSuites() const {
  std::map<int, std::set<int>> workers_of;
  for (const auto& [worker, grant] : grants_) {
    workers_of[grant.suite].insert(worker);
  }
  int split = 0;
  for (const auto& entry : workers_of) split += entry.second.size() > 1;
  return split;
}

void Simulation::Fail(const std::string& what) {
  if (violation_.empty()) violation_ = what;
}

void Simulation::Check(int w, const Grant& grant, bool first_of_run,
                       Worker* me) {
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

bool Simulation::Dies() {
  if (deaths_ >= max_deaths_) return false;
  if (std::uniform_real_distribution<double>(0, 1)(random_) >=
      death_probability_) {
    return false;
  }
  ++deaths_;
  return true;
}

double Simulation::Noise() {
  return noise_ ? std::uniform_real_distribution<double>(0.5, 1.5)(random_)
                : 1.0;
}

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

}  // namespace scheduler_testing
}  // namespace internal
}  // namespace gtest_parallel
