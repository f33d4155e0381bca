// The coordinator: hands the workers work through the scheduler, turns
// what they report into records, and gives the records to the replay
// (replay.h) in the order GoogleTest asks for them.
//
// It is three parts: the worker pool (worker_pool.h: processes, the I/O
// thread, time limits, interrupts, reaping), which reports each worker's
// messages and death as events; the results, here (a message's record,
// retries and flaky tests, the blame for a death: coordinator_messages.cc,
// coordinator_deaths.cc); and the hand-off store the records wait in
// (ReadyRecords, record.h). The thread running RUN_ALL_TESTS only waits
// for records (the Take* calls).
#ifndef GTEST_PARALLEL_COORDINATOR_H_
#define GTEST_PARALLEL_COORDINATOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/alone.h"
#include "coordinator/history.h"
#include "coordinator/record.h"
#include "coordinator/scheduler.h"
#include "coordinator/scratch.h"
#include "coordinator/worker_pool.h"
#include "flags/options.h"
#include "googletest/test_plan.h"
#include "protocol/protocol.h"

namespace gtest_parallel {
namespace internal {

// A GoogleTest failure record made by the runner itself.
Part RunnerFailure(const std::string& message);

// The message that hands `grant` to a worker.
Grant GrantMessage(const Scheduler::Grant& grant);

class Coordinator : private WorkerPool::Events {
 public:
  Coordinator(const Options& options, const TestPlan& plan,
              std::vector<std::string> worker_argv);
  ~Coordinator() override;

  // Counts SIGINT/SIGTERM from now on instead of dying of them (Start does
  // it otherwise); the destructor restores them.
  void CatchInterrupts();
  // What each worker attaches to, sent with its configuration: element k-1
  // for worker k (see EncodeAssignments in run_databases.h).
  void SetWorkerDatabases(std::vector<std::vector<Property>> databases) {
    worker_databases_ = std::move(databases);
  }

  // Starts `workers` workers for a run of `repeat` iterations whose first
  // iteration is shuffled with `seed`.
  void Start(int workers, int repeat, int seed);
  int worker_count() const { return pool_.worker_count(); }

  // GoogleTest starts iteration `iteration` with these tests, in this order.
  void BeginIteration(int iteration, std::vector<TestPlan::SuiteRun> runs,
                      int seed);

  // Blocking: the records of the current iteration, as GoogleTest reaches
  // them.
  Record TakeTest(int test);
  Record TakeSuiteSetUp(int suite);
  Record TakeSuiteTearDown(int suite);
  Record TakeEnvSetUp();
  Record TakeEnvTearDown();

  // Called (without the lock held) when a Take* call is about to wait for
  // its record, and then now and then while it waits.
  void set_before_wait_callback(std::function<void()> callback) {
    before_wait_callback_ = std::move(callback);
  }
  void set_waiting_callback(std::function<void()> callback) {
    waiting_callback_ = std::move(callback);
  }
  // A test running now: its id, name, and for how many seconds.
  struct RunningTest {
    int test = -1;
    std::string name;
    double seconds = 0;
  };
  std::vector<RunningTest> Running() const;
  // From the replay's thread: the tests whose final records came in since
  // the last call, in the order they came in (see ReadyRecords).
  std::vector<ReadyRecords::Arrival> TakeArrivals() {
    return tests_ready_.TakeArrivals();
  }
  // From the replay's thread: the milliseconds the timing history expects
  // each test (by id) to take, -1 where it does not know.
  std::vector<int64_t> ExpectedMs() const;
  // From the replay's thread, once the run was interrupted: true when test
  // `test` will not run (no worker ran it or runs it now); false before an
  // interrupt.
  bool WillNotRun(int test);
  // Workers replaced after dying, so far.
  int restarts() const;

  // No more tests are handed out; running ones stop after their test.
  void StopDispatch();

  // Ends the run with a problem of its own (see fatal_error()).
  void Fail(const std::string& error);

  // After RUN_ALL_TESTS(): lets the workers finish, reaps them, kills what
  // is left of them.
  void Finish();

  // A problem of the run itself (workers that cannot start, a worker that
  // sees a different test list), empty if none.
  std::string fatal_error() const;

  // The signal that interrupted the run, 0 if none.
  int interrupt_signal() const;

  // "Suite.Name (1 of 2 attempts failed)" for each test of the iteration
  // that passed only when retried; clears the list.
  std::vector<std::string> TakeFlaky();

  // The tests of the iteration that failed but passed when run again
  // alone (alone.h), with what that says about them ("shares state with
  // tests run beside it (...)"); clears the list. Filled in by
  // TakeEnvTearDown, which runs them.
  std::vector<std::pair<int, std::string>> TakePassedAlone();

 private:
  struct Slot;

  // The pool's events (WorkerPool::Events).
  void OnMessage(int id, const Message& message) override;
  bool OnWorkerLost(int id, const Ending& ending) override;
  void OnCannotStart(int id, const std::string& error) override;
  void OnWorkerLeft(int id, const Ending& ending) override;
  void OnInterrupted(int signal) override;

  Slot* SlotOf(int id) const;
  // Starts worker `slot`'s process afresh: it knows nothing yet.
  void SpawnLocked(Slot* slot);
  // Moves the slot's output up to `offset` into `record`.
  void TakeOutputLocked(Slot* slot, int64_t offset, Record* record);
  // Hands a worker's message to the handler of its type, below (a
  // coordinator's message, which no worker sends, kills the worker).
  // `offset`: the message's output offset (see Message).
  void HandleLocked(Slot* slot, const Message& message);
  void HandleLocked(Slot* slot, int64_t offset, const Hello& hello);
  void HandleLocked(Slot* slot, int64_t offset, const EnvSetUp& set_up);
  void HandleLocked(Slot* slot, int64_t offset, const Request& request);
  void HandleLocked(Slot* slot, int64_t offset, const SuiteSetUp& set_up);
  void HandleLocked(Slot* slot, int64_t offset, const TestStart& start);
  void HandleLocked(Slot* slot, int64_t offset, const PartEvent& event);
  void HandleLocked(Slot* slot, int64_t offset, const TestEnd& end);
  void HandleLocked(Slot* slot, int64_t offset, const More& more);
  void HandleLocked(Slot* slot, int64_t offset, const SuiteEnd& end);
  void HandleLocked(Slot* slot, int64_t offset, const EnvTearDown& tear_down);
  void HandleLocked(Slot* slot, int64_t offset, const IterationEnd& end);
  // Fails the run with `error` and kills the slot's worker for `cause`,
  // never to be replaced.
  void RefuseLocked(Slot* slot, const std::string& error,
                    const std::string& cause);
  void ServeRequestLocked(Slot* slot);
  // The worker ended its last iteration: its exit is no death.
  void FinalLocked(Slot* slot, int iteration);
  // Charges a worker's death to what it was doing; true to replace it.
  bool DiedLocked(Slot* slot, const Ending& ending);
  // What a dead worker was doing; see coordinator_deaths.cc.
  struct Death;
  // What the slot's dead worker was doing, with the output it left.
  Death AssessDeathLocked(Slot* slot, const Ending& ending);
  // Charges the death to the test, suite or phase it happened in, below.
  void BlameDeathLocked(Slot* slot, Death* death);
  // Before the worker connected: a notice with its output.
  void UnconnectedDiedLocked(const Death& death);
  // In a test cut short by an interrupt: the test is skipped.
  void InterruptedTestLocked(Slot* slot, Death* death);
  // In a test: the test fails.
  void TestDiedLocked(Slot* slot, Death* death);
  // In SetUpTestSuite: the suite's set-up fails and its tests not run yet
  // fail with it.
  void SuiteSetUpDiedLocked(Slot* slot, Death* death);
  // In TearDownTestSuite: the suite's tear-down fails.
  void SuiteTearDownDiedLocked(Death* death);
  // Between tests: a notice, unless interrupted.
  void IdleDiedLocked(const Death& death);
  // In a global set-up or tear-down: that fails.
  void EnvironmentDiedLocked(Slot* slot, Death* death);
  // Gives back the dead worker's `lost` tests of `suite`; true when a new
  // worker is to take the slot, false when it is retired (after
  // kMaxFailuresInARow deaths) or not needed.
  bool ReplaceDeadWorkerLocked(Slot* slot, int suite,
                               const std::vector<int>& lost,
                               const std::string& cause);
  // True when the worker's death is the fault of the last test it started,
  // which broke its channel; `why` then says how.
  bool BlameLastTestLocked(Slot* slot, const Ending& ending,
                           std::string* why) const;
  // A worker that ended after its last iteration: a failed exit, and what
  // it wrote after its last test, go to the last global tear-down's record
  // (GoogleTest reports it as "NonTestSuiteFailure"); a clean exit's output
  // is shown as a notice.
  void AccountExitLocked(Slot* slot, const Ending& ending);
  void SendLocked(Slot* slot, const Message& message);
  void AbortLocked(const std::string& error);
  // Publishes a test's final record, or schedules a retry.
  void PublishTestLocked(Slot* slot, int test, Record record);
  bool InFlightLocked(int test) const;
  // True while a worker holds `test` or the scheduler will hand it out.
  bool ComingLocked(int test) const;
  // The slot's run of `suite` ended without reaching these granted tests:
  // they are offered again (those the run started with at most kMaxNotRun
  // times each, then they fail).
  void NotRunLocked(Slot* slot, int suite, const std::vector<int>& tests);
  std::vector<Scheduler::Work> PlanWorkLocked(
      std::vector<TestPlan::SuiteRun> runs) const;
  void SaveHistoryLocked();
  bool SuiteDoneLocked(int suite) const;
  bool NoWorkersLocked() const;
  Record* CurrentRecordLocked(Slot* slot, Scope scope);
  // Hands the suite's merged tear-downs to the replay once it is done.
  void PublishTearDownLocked(int suite);
  template <typename Predicate>
  void WaitLocked(std::unique_lock<std::mutex>* lock, Predicate predicate);
  Record TakeGlobalLocked(std::map<std::pair<int, int>, Record>* reports);
  // Runs the iteration's failed tests again, each alone (alone.h); lets go
  // of the lock while they run.
  void RunAloneLocked(std::unique_lock<std::mutex>* lock);
  // The environment of a program run alone in `scratch`.
  std::vector<std::string> AloneEnvironment(const WorkerScratch& scratch) const;

  const Options options_;
  const TestPlan& plan_;
  const std::vector<std::string> worker_argv_;

  std::vector<std::unique_ptr<Slot>> slots_;  // Element k-1: worker k.
  int repeat_ = 1;
  int iteration_ = -1;
  int seed_ = 0;
  std::unique_ptr<Scheduler> scheduler_;
  // Not replayed yet: ended tests, suite set-ups, finished suites'
  // tear-downs.
  ReadyRecords tests_ready_;
  ReadyRecords setups_ready_;
  ReadyRecords teardowns_ready_;
  std::set<int> setups_published_;
  std::map<int, Record> teardowns_;  // Per suite, merged so far.
  // Per (iteration, worker id).
  std::map<std::pair<int, int>, Record> env_setups_;
  std::map<std::pair<int, int>, Record> env_teardowns_;
  std::vector<int> attempts_;  // Per test id, this iteration.
  std::vector<int> not_run_;   // Per test id: granted, not reached.
  std::map<int, std::vector<Record>> failed_attempts_;
  std::vector<std::string> flaky_;
  std::vector<Span> spans_;         // Every test run of the iteration.
  std::vector<Span> failed_spans_;  // The final runs that failed.
  std::vector<std::pair<int, std::string>> passed_alone_;
  History history_;
  std::function<void()> before_wait_callback_;
  std::function<void()> waiting_callback_;
  int restarts_ = 0;
  bool any_failed_ = false;  // A test's final record failed.
  std::string fatal_error_;
  bool started_ = false;  // Start() ran, Finish() not yet.
  bool finishing_ = false;
  std::vector<std::vector<Property>> worker_databases_;
  // Last: it goes first, with its thread, which calls the events above.
  WorkerPool pool_;
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_COORDINATOR_H_
