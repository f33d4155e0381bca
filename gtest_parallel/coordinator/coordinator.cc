// The coordinator's run: workers started and finished, tests handed out,
// and the records the replay takes in GoogleTest's order (see
// coordinator.h; the processes and the I/O thread are the worker pool's,
// worker_pool.h; messages are handled in coordinator_messages.cc, deaths
// in coordinator_deaths.cc, runs alone in coordinator_alone.cc).
#include "coordinator/coordinator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "coordinator/coordinator_slot.h"
#include "platform/signals.h"

namespace gtest_parallel {
namespace internal {

std::string Seconds(int64_t ms) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f s", static_cast<double>(ms) / 1000);
  return text;
}

int64_t EpochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Grant GrantMessage(const Scheduler::Grant& grant) {
  return Grant{grant.suite, grant.tests, grant.last};
}

Part RunnerFailure(const std::string& message) {
  Part part;
  part.type = testing::TestPartResult::kFatalFailure;
  part.message = message;
  return part;
}

Coordinator::Coordinator(const Options& options, const TestPlan& plan,
                         std::vector<std::string> worker_argv)
    : options_(options),
      plan_(plan),
      worker_argv_(std::move(worker_argv)),
      pool_(options_, plan_, worker_argv_, this) {
  // Numbered first: a file this list wrote is then read by position.
  history_.Index(
      plan_.test_count(), plan_.fingerprint(),
      [this](int test, std::string* name) { plan_.FullName(test, name); });
  history_.Load(
      options_.timing_file_set
          ? options_.timing_file
          : History::DefaultPath(worker_argv_.empty() ? "" : worker_argv_[0]));
  tests_ready_.Reserve(plan_.test_count());
  tests_ready_.TrackArrivals();
  setups_ready_.Reserve(plan_.suite_count());
  teardowns_ready_.Reserve(plan_.suite_count());
}

Coordinator::~Coordinator() {
  if (started_) Finish();
}

void Coordinator::CatchInterrupts() { pool_.CatchInterrupts(); }

Coordinator::Slot* Coordinator::SlotOf(int id) const {
  return slots_[static_cast<size_t>(id - 1)].get();
}

void Coordinator::Start(int workers, int repeat, int seed) {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  repeat_ = repeat;
  seed_ = seed;
  for (int id = 1; id <= workers; ++id) {
    slots_.push_back(std::make_unique<Slot>());
    slots_.back()->id = id;
  }
  std::string error;
  pool_.StartLocked(workers, &error);
  started_ = true;
  if (!error.empty()) AbortLocked(error);
}

void Coordinator::SpawnLocked(Slot* slot) {
  const int id = slot->id;
  *slot = Slot();
  slot->id = id;
  std::string error;
  if (!pool_.SpawnLocked(id, &error)) AbortLocked(error);
}

void Coordinator::BeginIteration(int iteration,
                                 std::vector<TestPlan::SuiteRun> runs,
                                 int seed) {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  iteration_ = iteration;
  seed_ = seed;
  scheduler_ = std::make_unique<Scheduler>(worker_count(),
                                           PlanWorkLocked(std::move(runs)));
  if (!fatal_error_.empty() || pool_.interrupt_signal() != 0)
    scheduler_->Stop();
  attempts_.assign(plan_.test_count(), 0);
  not_run_.assign(plan_.test_count(), 0);
  failed_attempts_.clear();
  spans_.clear();
  failed_spans_.clear();
  passed_alone_.clear();
  tests_ready_.Clear();
  setups_ready_.Clear();
  teardowns_ready_.Clear();
  setups_published_.clear();
  teardowns_.clear();
  for (auto& slot : slots_) {
    if (!pool_.HasProcessLocked(slot->id) && !pool_.RetiredLocked(slot->id) &&
        fatal_error_.empty()) {
      SpawnLocked(slot.get());
    }
    if (slot->parked) ServeRequestLocked(slot.get());
  }
  pool_.Wake();
}

void Coordinator::StopDispatch() {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  if (scheduler_) scheduler_->Stop();
  pool_.CancelAllLocked();
  pool_.changed().notify_all();
}

std::vector<Scheduler::Work> Coordinator::PlanWorkLocked(
    std::vector<TestPlan::SuiteRun> runs) const {
  std::vector<Scheduler::Work> work;
  for (TestPlan::SuiteRun& run : runs) {
    work.push_back(Scheduler::Work{run.suite, std::move(run.tests), {}});
  }
  return PlanFromHistory(history_, std::move(work), options_.split,
                         worker_count());
}

std::vector<std::string> Coordinator::TakeFlaky() {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  std::vector<std::string> flaky;
  flaky.swap(flaky_);
  return flaky;
}

int Coordinator::interrupt_signal() const {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  return pool_.interrupt_signal();
}

bool Coordinator::InFlightLocked(int test) const {
  return std::any_of(
      slots_.begin(), slots_.end(), [this, test](const auto& slot) {
        return pool_.HasProcessLocked(slot->id) &&
               (std::find(slot->granted.begin(), slot->granted.end(), test) !=
                    slot->granted.end() ||
                pool_.StatusLocked(slot->id).test.load(
                    std::memory_order_relaxed) == test);
      });
}

std::string Coordinator::fatal_error() const {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  return fatal_error_;
}

void Coordinator::Fail(const std::string& error) {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  AbortLocked(error);
}

void Coordinator::AbortLocked(const std::string& error) {
  if (fatal_error_.empty()) fatal_error_ = error;
  if (scheduler_) scheduler_->Stop();
  pool_.changed().notify_all();
}

bool Coordinator::NoWorkersLocked() const {
  const bool all_retired = pool_.AllRetiredLocked();
  const bool none_alive = !pool_.AnyProcessLocked();
  // Without a live worker and with nothing left to hand out, no record can
  // come any more: waiting would hang.
  const bool nothing_left =
      none_alive && (!scheduler_ || scheduler_->remaining_tests() == 0 ||
                     scheduler_->stopped());
  return all_retired || nothing_left || (!fatal_error_.empty() && none_alive);
}

bool Coordinator::SuiteDoneLocked(int suite) const {
  if (!scheduler_) return true;
  if (scheduler_->SuiteFinished(suite)) return true;
  if (!scheduler_->stopped()) return false;
  return std::none_of(slots_.begin(), slots_.end(),
                      [this, suite](const std::unique_ptr<Slot>& slot) {
                        return pool_.HasProcessLocked(slot->id) &&
                               slot->suite == suite;
                      });
}

void Coordinator::PublishTearDownLocked(int suite) {
  if (!SuiteDoneLocked(suite)) return;
  auto found = teardowns_.find(suite);
  if (found == teardowns_.end()) return;
  teardowns_ready_.Put(suite, std::move(found->second));
  teardowns_.erase(found);
}

template <typename Predicate>
void Coordinator::WaitLocked(std::unique_lock<std::mutex>* lock,
                             Predicate predicate) {
  if (predicate()) return;
  if (before_wait_callback_) {
    lock->unlock();
    before_wait_callback_();
    lock->lock();
  }
  while (!pool_.changed().wait_for(*lock, std::chrono::milliseconds(250),
                                   predicate)) {
    if (!waiting_callback_) continue;
    lock->unlock();
    waiting_callback_();
    lock->lock();
  }
}

std::vector<Coordinator::RunningTest> Coordinator::Running() const {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  std::vector<RunningTest> running;
  const int64_t now = NowMs();
  for (const auto& slot : slots_) {
    if (!pool_.HasProcessLocked(slot->id) || !slot->hello) continue;
    const WorkerStatus& status = pool_.StatusLocked(slot->id);
    const int test = status.test.load(std::memory_order_relaxed);
    if (test < 0 || test >= plan_.test_count()) continue;
    running.push_back(RunningTest{
        test, plan_.FullName(test),
        (now - status.since_ms.load(std::memory_order_relaxed)) / 1000.0});
  }
  return running;
}

std::vector<int64_t> Coordinator::ExpectedMs() const {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  std::vector<int64_t> expected(static_cast<size_t>(plan_.test_count()), -1);
  for (int test = 0; test < plan_.test_count(); ++test) {
    const History::Entry* entry = history_.Find(test);
    if (entry != nullptr) expected[static_cast<size_t>(test)] = entry->ms;
  }
  return expected;
}

bool Coordinator::WillNotRun(int test) {
  if (InterruptCount() == 0) return false;  // Without taking the lock.
  std::unique_lock<std::mutex> lock(pool_.mutex());
  if (pool_.interrupt_signal() == 0) return false;
  WaitLocked(&lock, [&] {
    return tests_ready_.Has(test) || NoWorkersLocked() || !InFlightLocked(test);
  });
  return !tests_ready_.Has(test);
}

int Coordinator::restarts() const {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  return restarts_;
}

Record Coordinator::TakeTest(int test) {
  Record record;
  // Usually the record is in: take it without waiting for the I/O thread
  // to let go of the main lock.
  if (tests_ready_.Take(test, &record)) return record;
  std::unique_lock<std::mutex> lock(pool_.mutex());
  // A test that no worker holds and none will be given cannot come: it
  // fails rather than being waited for forever.
  bool lost = false;
  WaitLocked(&lock, [&] {
    if (tests_ready_.Has(test) || NoWorkersLocked()) return true;
    if (pool_.interrupt_signal() != 0) return !InFlightLocked(test);
    lost = test < 0 || test >= plan_.test_count() || !ComingLocked(test);
    return lost;
  });
  if (tests_ready_.Take(test, &record)) return record;
  if (lost && pool_.interrupt_signal() == 0 && fatal_error_.empty()) {
    record.AddPart(RunnerFailure(
        "gtest_parallel: no worker ran this test and none was going to: "
        "the tests handed out differ from the ones GoogleTest runs"));
    return record;
  }
  if (pool_.interrupt_signal() != 0) {
    record.not_run = true;
    Part part;
    part.type = testing::TestPartResult::kSkip;
    part.message = "gtest_parallel: not run: the run was interrupted (" +
                   InterruptName(pool_.interrupt_signal()) + ")";
    record.AddPart(part);
  } else {
    record.AddPart(RunnerFailure("gtest_parallel: " + fatal_error_));
  }
  return record;
}

Record Coordinator::TakeSuiteSetUp(int suite) {
  Record record;
  if (setups_ready_.Take(suite, &record)) return record;
  std::unique_lock<std::mutex> lock(pool_.mutex());
  WaitLocked(&lock, [&] {
    return setups_ready_.Has(suite) || NoWorkersLocked() ||
           (pool_.interrupt_signal() != 0 &&
            std::none_of(slots_.begin(), slots_.end(), [&](const auto& slot) {
              return pool_.HasProcessLocked(slot->id) && slot->suite == suite;
            }));
  });
  setups_ready_.Take(suite, &record);
  return record;
}

Record Coordinator::TakeSuiteTearDown(int suite) {
  Record record;
  if (teardowns_ready_.Take(suite, &record)) return record;
  std::unique_lock<std::mutex> lock(pool_.mutex());
  WaitLocked(&lock, [&] {
    return teardowns_ready_.Has(suite) || SuiteDoneLocked(suite) ||
           NoWorkersLocked();
  });
  if (teardowns_ready_.Take(suite, &record)) return record;
  auto found = teardowns_.find(suite);
  if (found != teardowns_.end()) {
    record = std::move(found->second);
    teardowns_.erase(found);
  }
  return record;
}

Record Coordinator::TakeGlobalLocked(
    std::map<std::pair<int, int>, Record>* reports) {
  Record merged;
  for (auto it = reports->begin(); it != reports->end();) {
    if (it->first.first == iteration_) {
      merged.Merge(it->second);
      it = reports->erase(it);
    } else {
      ++it;
    }
  }
  return merged;
}

Record Coordinator::TakeEnvSetUp() {
  std::unique_lock<std::mutex> lock(pool_.mutex());
  WaitLocked(&lock, [&] {
    return NoWorkersLocked() ||
           std::all_of(slots_.begin(), slots_.end(), [&](const auto& slot) {
             return !pool_.HasProcessLocked(slot->id) ||
                    env_setups_.count({iteration_, slot->id}) != 0;
           });
  });
  return TakeGlobalLocked(&env_setups_);
}

Record Coordinator::TakeEnvTearDown() {
  std::unique_lock<std::mutex> lock(pool_.mutex());
  // After the last iteration's, a worker's exit belongs to the report too:
  // how it ended and what it wrote on the way (AccountExitLocked).
  WaitLocked(&lock, [&] {
    return NoWorkersLocked() ||
           std::all_of(slots_.begin(), slots_.end(), [&](const auto& slot) {
             return !pool_.HasProcessLocked(slot->id) ||
                    (env_teardowns_.count({iteration_, slot->id}) != 0 &&
                     !slot->final);
           });
  });
  RunAloneLocked(&lock);
  return TakeGlobalLocked(&env_teardowns_);
}

void Coordinator::Finish() {
  std::unique_lock<std::mutex> lock(pool_.mutex());
  const bool started = started_;
  started_ = false;
  finishing_ = true;
  if (scheduler_) scheduler_->Stop();
  if (started) pool_.ShutDownLocked(&lock);
  SaveHistoryLocked();
  const bool keep = options_.keep_scratch && any_failed_;
  lock.unlock();
  pool_.Join();
  const std::string kept = ScratchSpace::Get().Finish(keep);
  if (!kept.empty()) {
    Notice("[gtest_parallel] the workers' scratch directories are kept in %s\n",
           kept.c_str());
  }
}

void Coordinator::SaveHistoryLocked() {
  std::string error;
  if (!history_.Save(&error)) {
    Notice("[gtest_parallel] test timings not kept: %s\n", error.c_str());
  }
}

bool Coordinator::ComingLocked(int test) const {
  return InFlightLocked(test) ||
         (scheduler_ && !scheduler_->stopped() &&
          scheduler_->Pending(plan_.suite_of(test), test));
}

}  // namespace internal
}  // namespace gtest_parallel
