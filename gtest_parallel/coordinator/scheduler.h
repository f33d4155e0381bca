// Dynamic distribution of tests to workers.
//
// Work is handed out as grants: a run of tests of one suite, in the order
// GoogleTest runs that suite. A worker that finishes a grant asks for more of
// the same suite (More) before it tears the suite down, and for a new suite
// (Next) after. Grants shrink as the run drains (guided self-scheduling), so
// workers finish together; a suite stays on one worker unless splitting it
// is needed for balance. A worker starting a suite run takes the heaviest
// work first (longest processing time first): the next suite nobody has
// entered, unless a suite others run has more cost left per worker in it,
// which it then helps with -- so that a long split suite offered first is
// not left to end the run while the short suites after it are worked off.
// A worker never re-enters a suite it has left, so
// SetUpTestSuite runs at most once per worker process and suite -- except
// to run a retry, which goes, one test at a time, to a worker other than
// the one the test failed on unless that one has nothing else to do.
// A suite marked not splittable always goes whole.
//
// Pure bookkeeping: no I/O, no GoogleTest; one instance per iteration.
#ifndef GTEST_PARALLEL_SCHEDULER_H_
#define GTEST_PARALLEL_SCHEDULER_H_

#include <cstddef>
#include <deque>
#include <set>
#include <unordered_map>
#include <vector>

namespace gtest_parallel {
namespace internal {

class Scheduler {
 public:
  // The tests of one suite to distribute, in run order, with their
  // expected costs (any unit; equal costs when nothing is known).
  struct Work {
    int suite = 0;
    std::vector<int> tests;
    std::vector<double> costs;  // Same size as tests, or empty for all 1.
    // False: the suite goes whole to one worker (a dead worker's tests of
    // it go whole to another).
    bool splittable = true;
  };

  // What a worker is told to run.
  struct Grant {
    int suite = -1;
    std::vector<int> tests;
    bool first_of_suite = false;  // The first grant made for this suite.
    // Nothing of the suite is left to grant after it (More would say no,
    // unless a dead worker's tests come back, which Next hands out too).
    bool last = false;
  };

  // Workers are numbered 1..workers. Suites nobody has entered are offered
  // in the given order (longest first, when costs are known).
  Scheduler(int workers, std::vector<Work> suites);

  // Starts a new suite run for `worker`. False when nothing is left for it.
  bool Next(int worker, Grant* grant);

  // More tests of the suite `worker` is running; all of them come after the
  // tests it already has. False when there are none: the worker should end
  // its run of the suite.
  bool More(int worker, int suite, Grant* grant);

  // `worker` has ended its run of `suite` (torn it down). It will not be
  // offered the suite again (but see NotRun).
  void Leave(int worker, int suite);

  // Tests granted to a worker that will never run them (it died); they are
  // offered again, ahead of the rest of their suite.
  void GiveBack(int suite, const std::vector<int>& tests);

  // Tests granted to a worker whose run of the suite ended (Leave) without
  // reaching them (GoogleTest ran the suite in an order the plan did not
  // foresee): offered again, as a new run of the suite that any worker may
  // start, the ones that left it included.
  void NotRun(int suite, const std::vector<int>& tests);

  // True while `test` of `suite` waits to be granted (a retry included).
  bool Pending(int suite, int test) const;

  // Runs `test` of `suite` once more (a retry), preferably not on `avoid`.
  void Retry(int suite, int test, int avoid);

  // Hands out no more tests of `suite`; returns those not granted yet.
  std::vector<int> Abandon(int suite);

  // `worker` is a new process: it may enter any suite again.
  void ForgetWorker(int worker);

  // No grants from now on.
  void Stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  // True once every test of `suite` was granted and no worker is in it.
  bool SuiteFinished(int suite) const;

  // Tests not yet granted, retries included.
  size_t remaining_tests() const { return remaining_tests_ + retries_.size(); }

 private:
  struct Item {
    int position;  // Index in the suite's run order.
    int test;
    double cost;
  };
  struct SuiteState {
    int suite = 0;
    std::deque<Item> remaining;  // Sorted by position.
    std::vector<Item> items;     // Every test of the suite, by position.
    double remaining_cost = 0;
    bool splittable = true;
    int active = 0;  // Workers inside the suite.
    bool granted_once = false;
  };
  struct WorkerState {
    int suite_index = -1;  // Index into suites_ of the current run.
    int last_position = -1;
    bool retry = false;  // The current run is a single retried test.
    std::set<int> left;  // Suite indexes this worker has left.
  };

  int IndexOf(int suite) const;
  double ChunkCost() const;
  // A suite's remaining cost per worker inside it.
  double Weight(int index) const;
  // The suite `me` should start next (an index), or -1: the longest work
  // first, a fresh suite or one others run that `me` has not left.
  int ChooseSuite(const WorkerState& me);
  // Moves tests with position > after from the suite into grant; returns
  // the position of the last one taken (after, if none).
  int Take(int index, int after, bool whole_if_small, Grant* grant);

  struct PendingRetry {
    int suite_index;
    int test;
    int avoid;
  };

  int workers_;
  std::vector<SuiteState> suites_;
  std::unordered_map<int, int> index_of_;  // Suite id -> index in suites_.
  size_t first_fresh_ = 0;  // No suite before it is still to be entered.
  std::deque<PendingRetry> retries_;
  std::vector<WorkerState> worker_state_;
  size_t remaining_tests_ = 0;
  double remaining_cost_ = 0;
  bool stopped_ = false;
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_SCHEDULER_H_
