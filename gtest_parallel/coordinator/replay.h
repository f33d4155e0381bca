// Replay of worker results into the coordinator's own GoogleTest.
//
// The coordinator runs RUN_ALL_TESTS() as usual, so GoogleTest itself
// filters, shards, shuffles, repeats, fails fast, prints and writes the
// XML/JSON reports. Before that, Install() swaps in stand-ins: every test's
// fixture factory makes a ReplayTest that waits for the test's record and
// re-raises its results (failures, skips, properties, output); every suite's
// SetUpTestSuite/TearDownTestSuite and the global environments do the same
// for their records; and listeners placed around the printers and the
// user's listeners start the workers, feed the scheduler and restore the
// workers' measured times before anything prints them.
// No test code runs in the coordinator.
#ifndef GTEST_PARALLEL_REPLAY_H_
#define GTEST_PARALLEL_REPLAY_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "coordinator/coordinator.h"
#include "coordinator/progress.h"
#include "flags/options.h"
#include "googletest/console_printer.h"
#include "googletest/gtest_access.h"
#include "googletest/test_plan.h"

namespace gtest_parallel {
namespace internal {

class Replay {
 public:
  Replay(Coordinator* coordinator, const TestPlan& plan,
         const Options& options);
  ~Replay();

  // Runs when the number of workers is known, before they are started:
  // where the workers' databases are made.
  void set_before_start(std::function<void(int workers)> callback) {
    before_start_ = std::move(callback);
  }

  // Puts the stand-ins in place; Uninstall() restores GoogleTest as it was.
  void Install();
  void Uninstall();

  // Starts the workers and hands out the first iteration's tests now, after
  // Install() and before RUN_ALL_TESTS(), when which tests that iteration
  // runs, and in what order, is known without GoogleTest's filtering (no
  // --gtest_filter, no sharding, no shuffling, a first iteration to run):
  // the workers start testing while GoogleTest still filters. Does nothing
  // otherwise.
  void StartEarly();

  // Called by the stand-ins.
  void ReplayTest(const testing::TestInfo& test);
  void ReplaySuiteSetUp(const testing::TestSuite& suite);
  void ReplaySuiteTearDown(const testing::TestSuite& suite);
  void ReplayEnvSetUp();
  void ReplayEnvTearDown();

  // Called by the listeners placed around the printers and user listeners.
  void OnProgramStart(const testing::UnitTest& unit_test);
  void OnIterationStart(const testing::UnitTest& unit_test, int iteration);
  void OnIterationEnd(const testing::UnitTest& unit_test, int iteration);
  void OnTestEnd(const testing::TestInfo& test);
  void OnSuiteEnd(const testing::TestSuite& suite);
  void OnProgramEnd();
  // Puts stand-ins in the place of the suite's fixtures before GoogleTest
  // runs it, and the fixtures back after.
  void EnterSuite(const testing::TestSuite& suite);
  void LeaveSuite(const testing::TestSuite& suite);
  // Before the listeners hear of a test's start, and after they heard of
  // its end: a test the interrupted run will not run is muted (see
  // muted()).
  void BeginTest(const testing::TestInfo& test);
  void EndTest();
  // True while GoogleTest goes through a test, or a whole suite, that the
  // interrupted run did not run: the console printer does not hear of it
  // (the report files and the user's listeners do), and the tests not run
  // are listed in one block instead.
  bool muted() const { return muted_test_ || muted_suite_; }
  Progress& progress() { return progress_; }
  // Draws the progress line if it is due, with what finished meanwhile.
  void DrawProgress();

 private:
  // Starts as many workers as `to_run` tests can use (at most the number
  // asked for), after the before-start callback.
  void StartWorkers(size_t to_run, int seed);
  // Gives test `id` its own fixture factory back, if a stand-in had it.
  void RestoreFactory(int id);
  // Re-raises a record's output and results into the current test, suite
  // or global result.
  void Raise(const Record& record);
  // Counts the tests whose records came in since the last call as
  // finished; with `announce` (the report waits for an earlier test),
  // prints each failure among them that the report has not reached yet.
  void PollArrivals(bool announce);
  // Tells the progress line what runs now.
  void SetRunning();
  // "interrupted: 2 passed, 0 failed, 1 interrupted, 16 not run" or
  // "19/19 tests done": the closing line's outcome.
  std::string Outcome() const;
  // The block listing the iteration's tests that were not run.
  void PrintNotRun();

  // How the tests GoogleTest went through ended, over all iterations.
  struct Tally {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    int interrupted = 0;
    int not_run = 0;
  };

  Coordinator* coordinator_;
  const TestPlan& plan_;
  const Options& options_;
  bool installed_ = false;
  // By test id: the fixture factories of the suite being replayed, null
  // for the tests of every other suite. Swapped a suite at a time, when
  // GoogleTest is about to touch its tests anyway.
  std::vector<testing::internal::TestFactoryBase*> factories_;
  std::vector<std::pair<SuiteHook, SuiteHook>> hooks_;
  std::vector<testing::Environment*> environments_;
  testing::Environment* replay_environment_ = nullptr;
  testing::TestEventListeners front_;
  // GoogleTest's default printer while installed, taken out of the user's
  // listeners, and the test lines written in its stead.
  std::unique_ptr<testing::TestEventListener> printer_;
  std::unique_ptr<ConsoleLines> lines_;
  Progress progress_{Progress::StderrIsTerminal()};
  std::function<void(int workers)> before_start_;
  // What StartEarly() handed out (never empty when it did), until the first
  // iteration confirms it.
  std::vector<TestPlan::SuiteRun> early_runs_;
  // Worker-measured (start, elapsed) of the tests of this iteration, by
  // test id; elapsed -1 for a test not replayed.
  std::vector<std::pair<int64_t, int64_t>> test_times_;
  // The iteration's failed tests that passed alone, and what that says.
  std::vector<std::pair<int, std::string>> passed_alone_;
  // What the timing history expects of each test (ms by id, -1 unknown).
  std::vector<int64_t> expected_ms_;
  // By test id: whether the iteration's report reached the test.
  std::vector<char> reached_;
  // Failures that came in before the report reached them, not announced.
  std::vector<ReadyRecords::Arrival> unannounced_;
  Tally tally_;
  // How the test being replayed ended (set by ReplayTest).
  bool test_interrupted_ = false;
  bool test_not_run_ = false;
  bool muted_test_ = false;
  bool muted_suite_ = false;
  std::vector<int> not_run_;  // The iteration's tests not run, in order.
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_REPLAY_H_
