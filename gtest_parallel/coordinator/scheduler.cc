// Guided self-scheduling of test grants (see scheduler.h).
#include "coordinator/scheduler.h"

#include <algorithm>
#include <stdexcept>

namespace gtest_parallel {
namespace internal {
namespace {

// A suite whose remainder costs at most this many chunks goes whole to one
// worker: splitting it would buy little balance for another SetUpTestSuite.
constexpr double kWholeSuiteSlack = 1.5;

}  // namespace

Scheduler::Scheduler(int workers, std::vector<Work> suites)
    : workers_(std::max(1, workers)), worker_state_(workers_ + 1) {
  suites_.reserve(suites.size());
  for (Work& work : suites) {
    if (work.tests.empty()) continue;
    if (!work.costs.empty() && work.costs.size() != work.tests.size()) {
      throw std::invalid_argument("Scheduler: costs and tests differ in size");
    }
    SuiteState state;
    state.suite = work.suite;
    state.splittable = work.splittable;
    state.items.reserve(work.tests.size());
    for (size_t i = 0; i < work.tests.size(); ++i) {
      const double cost = work.costs.empty() ? 1.0 : work.costs[i];
      const Item item{static_cast<int>(i), work.tests[i], cost};
      state.remaining.push_back(item);
      state.items.push_back(item);
      state.remaining_cost += cost;
    }
    remaining_tests_ += state.remaining.size();
    remaining_cost_ += state.remaining_cost;
    index_of_[work.suite] = static_cast<int>(suites_.size());
    suites_.push_back(std::move(state));
  }
}

int Scheduler::IndexOf(int suite) const {
  auto found = index_of_.find(suite);
  return found == index_of_.end() ? -1 : found->second;
}

double Scheduler::ChunkCost() const {
  return remaining_cost_ / (2.0 * workers_);
}

double Scheduler::Weight(int index) const {
  const SuiteState& state = suites_[index];
  return state.remaining_cost / std::max(1, state.active);
}

int Scheduler::ChooseSuite(const WorkerState& me) {
  // Suites before first_fresh_ have all been entered (or had nothing to
  // run), and once entered a suite stays so: the search goes on from there.
  while (first_fresh_ < suites_.size() &&
         (suites_[first_fresh_].granted_once ||
          suites_[first_fresh_].remaining.empty())) {
    ++first_fresh_;
  }
  int chosen =
      first_fresh_ < suites_.size() ? static_cast<int>(first_fresh_) : -1;
  // The heaviest work first: a suite others have split whose remaining
  // tests, shared among the workers in it, outweigh the next fresh suite
  // (then waiting for it would leave that suite to end the run); a tie
  // goes to the fresh suite, which costs no second SetUpTestSuite.
  double heaviest = chosen < 0 ? 0 : Weight(chosen);
  for (size_t i = 0; i < first_fresh_ && i < suites_.size(); ++i) {
    const SuiteState& state = suites_[i];
    if (state.remaining.empty() || me.left.count(static_cast<int>(i))) {
      continue;
    }
    if (chosen < 0 || Weight(static_cast<int>(i)) > heaviest) {
      heaviest = Weight(static_cast<int>(i));
      chosen = static_cast<int>(i);
    }
  }
  return chosen;
}

int Scheduler::Take(int index, int after, bool whole_if_small, Grant* grant) {
  SuiteState& state = suites_[index];
  grant->suite = state.suite;
  grant->tests.clear();
  grant->first_of_suite = !state.granted_once;
  state.granted_once = true;
  auto begin =
      std::find_if(state.remaining.begin(), state.remaining.end(),
                   [after](const Item& item) { return item.position > after; });
  const double chunk = ChunkCost();
  double available = 0;
  for (auto it = begin; it != state.remaining.end(); ++it) {
    available += it->cost;
  }
  const bool whole = !state.splittable ||
                     (whole_if_small && available <= chunk * kWholeSuiteSlack);
  double taken = 0;
  int last = after;
  auto end = begin;
  while (end != state.remaining.end() &&
         (end == begin || whole || taken + end->cost <= chunk)) {
    taken += end->cost;
    grant->tests.push_back(end->test);
    last = end->position;
    ++end;
  }
  state.remaining.erase(begin, end);
  grant->last = state.remaining.empty();
  state.remaining_cost -= taken;
  remaining_cost_ -= taken;
  remaining_tests_ -= grant->tests.size();
  if (state.remaining.empty()) state.remaining_cost = 0;
  if (remaining_tests_ == 0) remaining_cost_ = 0;
  return last;
}

bool Scheduler::Next(int worker, Grant* grant) {
  if (stopped_ || worker < 1 || worker > workers_) return false;
  WorkerState& me = worker_state_[worker];
  // Retries first: they hold up the report of their test. A worker takes
  // its own failure's retry only when nothing else is left for it.
  auto take_retry = [&](bool own_too) {
    for (auto it = retries_.begin(); it != retries_.end(); ++it) {
      if (it->avoid == worker && !own_too) continue;
      SuiteState& state = suites_[it->suite_index];
      grant->suite = state.suite;
      grant->tests.assign(1, it->test);
      grant->first_of_suite = false;
      grant->last = true;
      state.active++;
      me.suite_index = it->suite_index;
      me.last_position = -1;
      me.retry = true;
      retries_.erase(it);
      return true;
    }
    return false;
  };
  if (take_retry(false)) return true;
  const int chosen = ChooseSuite(me);
  if (chosen < 0) return take_retry(true);
  me.last_position = Take(chosen, -1, true, grant);
  suites_[chosen].active++;
  me.suite_index = chosen;
  me.retry = false;
  return !grant->tests.empty();
}

bool Scheduler::More(int worker, int suite, Grant* grant) {
  if (stopped_ || worker < 1 || worker > workers_) return false;
  WorkerState& me = worker_state_[worker];
  const int index = IndexOf(suite);
  if (index < 0 || me.suite_index != index || me.retry) return false;
  const int last = Take(index, me.last_position, false, grant);
  if (grant->tests.empty()) return false;
  me.last_position = last;
  return true;
}

void Scheduler::Leave(int worker, int suite) {
  if (worker < 1 || worker > workers_) return;
  WorkerState& me = worker_state_[worker];
  const int index = IndexOf(suite);
  if (index < 0 || me.suite_index != index) return;
  suites_[index].active--;
  me.left.insert(index);
  me.suite_index = -1;
  me.last_position = -1;
}

void Scheduler::GiveBack(int suite, const std::vector<int>& tests) {
  const int index = IndexOf(suite);
  if (index < 0) return;
  SuiteState& state = suites_[index];
  for (int test : tests) {
    // Rare (a worker died): a search will do.
    auto known =
        std::find_if(state.items.begin(), state.items.end(),
                     [test](const Item& item) { return item.test == test; });
    if (known == state.items.end()) continue;
    const Item& item = *known;
    auto at = std::lower_bound(
        state.remaining.begin(), state.remaining.end(), item.position,
        [](const Item& a, int position) { return a.position < position; });
    if (at != state.remaining.end() && at->position == item.position) {
      continue;  // Already waiting.
    }
    state.remaining.insert(at, item);
    state.remaining_cost += item.cost;
    remaining_cost_ += item.cost;
    remaining_tests_++;
  }
}

void Scheduler::NotRun(int suite, const std::vector<int>& tests) {
  const int index = IndexOf(suite);
  if (index < 0 || tests.empty()) return;
  GiveBack(suite, tests);
  // Whoever left the suite may enter it again for these.
  for (WorkerState& worker : worker_state_) worker.left.erase(index);
}

bool Scheduler::Pending(int suite, int test) const {
  const int index = IndexOf(suite);
  if (index < 0) return false;
  const auto is_test = [test](const Item& item) { return item.test == test; };
  const std::deque<Item>& remaining = suites_[index].remaining;
  return std::any_of(remaining.begin(), remaining.end(), is_test) ||
         std::any_of(retries_.begin(), retries_.end(),
                     [&](const PendingRetry& retry) {
                       return retry.suite_index == index && retry.test == test;
                     });
}

void Scheduler::Retry(int suite, int test, int avoid) {
  const int index = IndexOf(suite);
  if (index >= 0) retries_.push_back(PendingRetry{index, test, avoid});
}

std::vector<int> Scheduler::Abandon(int suite) {
  std::vector<int> abandoned;
  const int index = IndexOf(suite);
  if (index < 0) return abandoned;
  SuiteState& state = suites_[index];
  for (const Item& item : state.remaining) abandoned.push_back(item.test);
  remaining_tests_ -= state.remaining.size();
  remaining_cost_ -= state.remaining_cost;
  if (remaining_tests_ == 0) remaining_cost_ = 0;
  state.remaining.clear();
  state.remaining_cost = 0;
  for (auto it = retries_.begin(); it != retries_.end();) {
    if (it->suite_index == index) {
      abandoned.push_back(it->test);
      it = retries_.erase(it);
    } else {
      ++it;
    }
  }
  return abandoned;
}

void Scheduler::ForgetWorker(int worker) {
  if (worker < 1 || worker > workers_) return;
  WorkerState& me = worker_state_[worker];
  if (me.suite_index >= 0) suites_[me.suite_index].active--;
  me = WorkerState();
}

bool Scheduler::SuiteFinished(int suite) const {
  const int index = IndexOf(suite);
  if (index < 0) return false;
  const bool retry_pending = std::any_of(
      retries_.begin(), retries_.end(),
      [index](const PendingRetry& r) { return r.suite_index == index; });
  return suites_[index].remaining.empty() && suites_[index].active == 0 &&
         !retry_pending;
}

}  // namespace internal
}  // namespace gtest_parallel
