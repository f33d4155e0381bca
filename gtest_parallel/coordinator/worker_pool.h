// The worker pool: the coordinator's processes. It starts one worker per
// worker id, runs the I/O thread that reads their channels, watches their
// clocks (slow-test notices, --gtest_parallel_timeout), stops them on
// interrupts, reaps them and ends what they leave behind. What the workers
// say it hands on as events (Events below), one message at a time; what a
// message means, and what a death costs, is the coordinator's (see
// coordinator.h). The pool knows processes, not tests.
//
// One lock guards the run: the pool's. Events are delivered with it held;
// the coordinator takes it for everything else (mutex(), changed()).
#ifndef GTEST_PARALLEL_COORDINATOR_WORKER_POOL_H_
#define GTEST_PARALLEL_COORDINATOR_WORKER_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/record.h"
#include "flags/options.h"
#include "googletest/test_plan.h"
#include "platform/files.h"
#include "platform/process.h"
#include "protocol/protocol.h"

namespace gtest_parallel {
namespace internal {

// A worker that dies this many times in a row without finishing a test is
// not restarted again.
constexpr int kMaxFailuresInARow = 3;
// How long Finish() waits for workers to leave by themselves.
constexpr int64_t kFinishGraceMs = 5000;

// Writes a notice to stderr, after the console lines printed so far (which
// the replay may still hold in stdout's buffer).
#ifdef __GNUC__
__attribute__((format(printf, 1, 2)))
#endif
void Notice(const char* format, ...);
// The clock of the workers' shared status, in milliseconds.
int64_t NowMs();
// The name of an interrupt FirstInterrupt() reports (the numbers are
// POSIX's on every platform).
std::string InterruptName(int signal);

// How a worker's process ended, as the pool saw it.
struct Ending {
  // "was killed by SIGSEGV", or why the pool stopped it.
  std::string cause;
  ExitStatus status;
  bool killed = false;          // The pool stopped it (cause says why).
  bool interrupted = false;     // Stopped because the run was interrupted.
  bool garbled = false;         // Its channel carried something not ours.
  bool channel_closed = false;  // It closed its channel and lived on.
};

class WorkerPool {
 public:
  // What the pool tells its owner. Called on the I/O thread, with the lock
  // held, in the order things happened to each worker.
  class Events {
   public:
    virtual ~Events() = default;
    // Worker `id` sent `message` (its first is always Hello).
    virtual void OnMessage(int id, const Message& message) = 0;
    // Worker `id` ended while it was expected to work. Its process is still
    // there to be read (StatusLocked, TakeOutputLocked) during the call;
    // true asks for a new process under the same id.
    virtual bool OnWorkerLost(int id, const Ending& ending) = 0;
    // The new process asked for could not be started (`error` says why);
    // the worker is retired.
    virtual void OnCannotStart(int id, const std::string& error) = 0;
    // Worker `id`, which said it was leaving (ExpectExitLocked), ended.
    virtual void OnWorkerLeft(int id, const Ending& ending) = 0;
    // The run was interrupted by `signal` (SIGINT, SIGTERM): the pool
    // stops the workers, after a grace period for SIGINT.
    virtual void OnInterrupted(int signal) = 0;
  };

  WorkerPool(const Options& options, const TestPlan& plan,
             std::vector<std::string> worker_argv, Events* events);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Counts SIGINT/SIGTERM from now on instead of dying of them (Start does
  // it otherwise); the destructor restores them.
  void CatchInterrupts();
  // Starts `workers` workers (or takes the early ones, early_start.h) and
  // the I/O thread. `error` gets why the first worker that could not be
  // started could not (that worker is retired).
  void StartLocked(int workers, std::string* error);
  // Lets the workers finish by closing their commands, kills what is left
  // after kFinishGraceMs, ends what they left behind and stops the I/O
  // thread; then call Join() without the lock.
  void ShutDownLocked(std::unique_lock<std::mutex>* lock);
  void Join();

  // The one lock, and what is notified whenever the I/O thread has handled
  // what happened.
  std::mutex& mutex() const { return mutex_; }
  std::condition_variable& changed() { return changed_; }
  // Wakes the I/O thread (after the owner changed what it must look at).
  void Wake() { wake_.Wake(); }

  int worker_count() const { return static_cast<int>(workers_.size()); }
  // Starts a new process for worker `id`, trying up to kMaxFailuresInARow
  // times in a row; false (and the worker retired) if none starts.
  bool SpawnLocked(int id, std::string* error);
  // Worker `id` will not be started again.
  void RetireLocked(int id);
  bool RetiredLocked(int id) const;
  bool AllRetiredLocked() const;
  // A death that counts against worker `id`; a finished test clears them.
  void CountFailureLocked(int id);
  void ClearFailuresLocked(int id);
  int FailuresLocked(int id) const;
  // True while worker `id` has a process (alive or not yet reaped).
  bool HasProcessLocked(int id) const;
  bool AnyProcessLocked() const;
  // The shared status page of worker `id`'s process; it must have one.
  const WorkerStatus& StatusLocked(int id) const;
  int64_t PidLocked(int id) const;

  // Sends `message` to worker `id`, if it still listens.
  void SendLocked(int id, const Message& message);
  // Stops worker `id` now; its Ending will give `cause`.
  void KillLocked(int id, const std::string& cause);
  // Asks every worker to stop after its current test.
  void CancelAllLocked();
  // Worker `id` said it ends after this: its exit is no death.
  void ExpectExitLocked(int id);

  // Moves worker `id`'s output up to `offset` into `record` (at most
  // --gtest_parallel_output_limit bytes of it; the rest is counted).
  void TakeOutputLocked(int id, int64_t offset, Record* record);
  // Everything worker `id` wrote so far into `record`.
  void TakeAllOutputLocked(int id, Record* record);
  // Forgets worker `id`'s output before `offset` (up to what it wrote).
  void SkipOutputLocked(int id, int64_t offset);

  // The interrupt that stopped the run, 0 if none.
  int interrupt_signal() const { return interrupt_signal_; }

 private:
  // One worker id and the process currently serving it.
  struct Worker {
    int id = 0;
    std::unique_ptr<ChildProcess> process;
    Decoder decoder;
    Message message;         // The one being handled, reused for the next.
    int64_t consumed = 0;    // Output file offset handed to records so far.
    int64_t dropped_to = 0;  // Output before this offset was cut (a flood).
    bool events_eof = false;
    int64_t events_eof_at = 0;
    int64_t exited_at = 0;      // When the process was seen gone.
    int64_t checked_at = 0;     // When we last looked whether it lives.
    int64_t terminate_at = 0;   // When it was asked to stop (timeout).
    int64_t noticed_since = 0;  // The phase we last called slow.
    bool exit_seen = false;     // Its exit watch says it ended.
    bool reaped = false;
    bool connected = false;  // Its first message came.
    bool leaving = false;    // It said it ends: that is no death.
    std::string kill_cause;  // Why we stopped it, if we did.
    Ending ending;
    // Kept across its processes.
    bool retired = false;
    int failures_in_a_row = 0;
  };

  void IoLoop();
  void ReadEvents(Worker* worker);
  void DecodeLocked(Worker* worker);
  void LimitOutputLocked(Worker* worker);
  void HandleInterruptsLocked(int64_t now);
  void WatchClockLocked(Worker* worker, int64_t now);
  // What is running on the worker, for a notice.
  std::string RunningStepLocked(const WorkerStatus& status) const;
  void ReapLocked(Worker* worker);
  // The reaped worker's process ends; the owner hears of it.
  void EndLocked(Worker* worker);
  // Kills what dead workers' tests left and this process adopted.
  void SweepOrphansLocked();
  Worker* Find(int id) const;

  const Options& options_;
  const TestPlan& plan_;
  const std::vector<std::string> worker_argv_;
  Events* const events_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<Worker>> workers_;
  int interrupts_seen_ = 0;
  int interrupt_signal_ = 0;
  int64_t interrupted_at_ = 0;
  bool shutting_down_ = false;
  bool stop_io_ = false;
  bool catching_interrupts_ = false;
  WakePipe wake_;
  std::thread io_;
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_COORDINATOR_WORKER_POOL_H_
