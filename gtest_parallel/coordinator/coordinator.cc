// The coordinator's run: workers started and finished, tests handed out,
// and the records the replay takes in GoogleTest's order (see
// coordinator.h; its I/O thread is in coordinator_events.cc, deaths and
// interrupts in coordinator_deaths.cc).
#include "coordinator/coordinator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "coordinator/coordinator_slot.h"
#include "coordinator/early_start.h"
#include "coordinator/worker_command.h"
#include "databases/run_databases.h"
#include "platform/process.h"
#include "platform/process_tree.h"
#include "platform/signals.h"

namespace gtest_parallel {
namespace internal {

void Notice(const char* format, ...) {
  std::fflush(stdout);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
}

int64_t NowMs() { return SteadyMicros() / 1000; }

std::string InterruptName(int signal) {
  return signal == SIGINT    ? "SIGINT"
         : signal == SIGTERM ? "SIGTERM"
                             : "signal " + std::to_string(signal);
}

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
    : options_(options), plan_(plan), worker_argv_(std::move(worker_argv)) {
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
  if (io_.joinable()) Finish();
  if (catching_interrupts_) RestoreInterrupts();
}

void Coordinator::CatchInterrupts() {
  if (catching_interrupts_) return;
  catching_interrupts_ = true;
  internal::CatchInterrupts(wake_.write_end());
}

void Coordinator::Start(int workers, int repeat, int seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  workers_ = workers;
  repeat_ = repeat;
  seed_ = seed;
  CatchInterrupts();
  // Processes the tests start and move out of their worker's process group
  // become ours when their worker dies, so that they can be ended.
  AdoptOrphans();
  for (int id = 1; id <= workers; ++id) {
    slots_.push_back(std::make_unique<Slot>());
    Slot* slot = slots_.back().get();
    slot->id = id;
    slot->process = TakeEarlyWorker(id);
    if (!slot->process) SpawnLocked(slot);
  }
  DiscardEarlyWorkers();
  io_ = std::thread(&Coordinator::IoLoop, this);
}

void Coordinator::SpawnLocked(Slot* slot) {
  const int id = slot->id;
  const int failures = slot->failures_in_a_row;
  *slot = Slot();
  slot->id = id;
  slot->failures_in_a_row = failures;
  std::string error;
  SpawnRequest request;
  if (!WorkerRequest(worker_argv_, id, workers_, options_, &request, &error)) {
    slot->retired = true;
    AbortLocked(error);
    return;
  }
  while (slot->failures_in_a_row < kMaxFailuresInARow) {
    slot->process = ChildProcess::Spawn(request, &error);
    if (slot->process) return;
    slot->failures_in_a_row++;
  }
  slot->retired = true;
  AbortLocked("worker " + std::to_string(id) + " could not start: " + error);
}

void Coordinator::BeginIteration(int iteration,
                                 std::vector<TestPlan::SuiteRun> runs,
                                 int seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  iteration_ = iteration;
  seed_ = seed;
  scheduler_ =
      std::make_unique<Scheduler>(workers_, PlanWorkLocked(std::move(runs)));
  if (!fatal_error_.empty() || interrupt_signal_ != 0) scheduler_->Stop();
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
    if (!slot->process && !slot->retired && fatal_error_.empty()) {
      SpawnLocked(slot.get());
    }
    if (slot->parked) ServeRequestLocked(slot.get());
  }
  wake_.Wake();
}

void Coordinator::StopDispatch() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (scheduler_) scheduler_->Stop();
  for (auto& slot : slots_) {
    if (slot->process) {
      const_cast<WorkerStatus&>(slot->process->status())
          .cancel.store(1, std::memory_order_relaxed);
    }
  }
  ready_.notify_all();
}

std::vector<Scheduler::Work> Coordinator::PlanWorkLocked(
    std::vector<TestPlan::SuiteRun> runs) const {
  std::vector<Scheduler::Work> work;
  for (TestPlan::SuiteRun& run : runs) {
    work.push_back(Scheduler::Work{run.suite, std::move(run.tests), {}});
  }
  return PlanFromHistory(history_, std::move(work), options_.split, workers_);
}

std::vector<std::string> Coordinator::TakeFlaky() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> flaky;
  flaky.swap(flaky_);
  return flaky;
}

int Coordinator::interrupt_signal() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return interrupt_signal_;
}

bool Coordinator::InFlightLocked(int test) const {
  return std::any_of(slots_.begin(), slots_.end(), [test](const auto& slot) {
    return slot->process &&
           (std::find(slot->granted.begin(), slot->granted.end(), test) !=
                slot->granted.end() ||
            slot->process->status().test.load(std::memory_order_relaxed) ==
                test);
  });
}

std::string Coordinator::fatal_error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return fatal_error_;
}

void Coordinator::Fail(const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  AbortLocked(error);
}

void Coordinator::AbortLocked(const std::string& error) {
  if (fatal_error_.empty()) fatal_error_ = error;
  if (scheduler_) scheduler_->Stop();
  ready_.notify_all();
}

bool Coordinator::NoWorkersLocked() const {
  const bool all_retired =
      std::all_of(slots_.begin(), slots_.end(),
                  [](const auto& slot) { return slot->retired; });
  const bool none_alive =
      std::none_of(slots_.begin(), slots_.end(),
                   [](const auto& slot) { return slot->process != nullptr; });
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
                      [suite](const std::unique_ptr<Slot>& slot) {
                        return slot->process && slot->suite == suite;
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
  while (!ready_.wait_for(*lock, std::chrono::milliseconds(250), predicate)) {
    if (!waiting_callback_) continue;
    lock->unlock();
    waiting_callback_();
    lock->lock();
  }
}

std::vector<Coordinator::RunningTest> Coordinator::Running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<RunningTest> running;
  const int64_t now = NowMs();
  for (const auto& slot : slots_) {
    if (!slot->process || !slot->hello) continue;
    const WorkerStatus& status = slot->process->status();
    const int test = status.test.load(std::memory_order_relaxed);
    if (test < 0 || test >= plan_.test_count()) continue;
    running.push_back(RunningTest{
        test, plan_.FullName(test),
        (now - status.since_ms.load(std::memory_order_relaxed)) / 1000.0});
  }
  return running;
}

std::vector<int64_t> Coordinator::ExpectedMs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<int64_t> expected(static_cast<size_t>(plan_.test_count()), -1);
  for (int test = 0; test < plan_.test_count(); ++test) {
    const History::Entry* entry = history_.Find(test);
    if (entry != nullptr) expected[static_cast<size_t>(test)] = entry->ms;
  }
  return expected;
}

bool Coordinator::WillNotRun(int test) {
  if (InterruptCount() == 0) return false;  // Without taking the lock.
  std::unique_lock<std::mutex> lock(mutex_);
  if (interrupt_signal_ == 0) return false;
  WaitLocked(&lock, [&] {
    return tests_ready_.Has(test) || NoWorkersLocked() || !InFlightLocked(test);
  });
  return !tests_ready_.Has(test);
}

int Coordinator::restarts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return restarts_;
}

Record Coordinator::TakeTest(int test) {
  Record record;
  // Usually the record is in: take it without waiting for the I/O thread
  // to let go of the main lock.
  if (tests_ready_.Take(test, &record)) return record;
  std::unique_lock<std::mutex> lock(mutex_);
  // A test that no worker holds and none will be given cannot come: it
  // fails rather than being waited for forever.
  bool lost = false;
  WaitLocked(&lock, [&] {
    if (tests_ready_.Has(test) || NoWorkersLocked()) return true;
    if (interrupt_signal_ != 0) return !InFlightLocked(test);
    lost = test < 0 || test >= plan_.test_count() || !ComingLocked(test);
    return lost;
  });
  if (tests_ready_.Take(test, &record)) return record;
  if (lost && interrupt_signal_ == 0 && fatal_error_.empty()) {
    record.AddPart(RunnerFailure(
        "gtest_parallel: no worker ran this test and none was going to: "
        "the tests handed out differ from the ones GoogleTest runs"));
    return record;
  }
  if (interrupt_signal_ != 0) {
    record.not_run = true;
    Part part;
    part.type = testing::TestPartResult::kSkip;
    part.message = "gtest_parallel: not run: the run was interrupted (" +
                   InterruptName(interrupt_signal_) + ")";
    record.AddPart(part);
  } else {
    record.AddPart(RunnerFailure("gtest_parallel: " + fatal_error_));
  }
  return record;
}

Record Coordinator::TakeSuiteSetUp(int suite) {
  Record record;
  if (setups_ready_.Take(suite, &record)) return record;
  std::unique_lock<std::mutex> lock(mutex_);
  WaitLocked(&lock, [&] {
    return setups_ready_.Has(suite) || NoWorkersLocked() ||
           (interrupt_signal_ != 0 &&
            std::none_of(slots_.begin(), slots_.end(), [&](const auto& slot) {
              return slot->process && slot->suite == suite;
            }));
  });
  setups_ready_.Take(suite, &record);
  return record;
}

Record Coordinator::TakeSuiteTearDown(int suite) {
  Record record;
  if (teardowns_ready_.Take(suite, &record)) return record;
  std::unique_lock<std::mutex> lock(mutex_);
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
  std::unique_lock<std::mutex> lock(mutex_);
  WaitLocked(&lock, [&] {
    return NoWorkersLocked() ||
           std::all_of(slots_.begin(), slots_.end(), [&](const auto& slot) {
             return !slot->process ||
                    env_setups_.count({iteration_, slot->id}) != 0;
           });
  });
  return TakeGlobalLocked(&env_setups_);
}

Record Coordinator::TakeEnvTearDown() {
  std::unique_lock<std::mutex> lock(mutex_);
  // After the last iteration's, a worker's exit belongs to the report too:
  // how it ended and what it wrote on the way (AccountExitLocked).
  WaitLocked(&lock, [&] {
    return NoWorkersLocked() ||
           std::all_of(slots_.begin(), slots_.end(), [&](const auto& slot) {
             return !slot->process ||
                    (env_teardowns_.count({iteration_, slot->id}) != 0 &&
                     !slot->final);
           });
  });
  RunAloneLocked(&lock);
  return TakeGlobalLocked(&env_teardowns_);
}

std::vector<std::string> Coordinator::AloneEnvironment(
    const WorkerScratch& scratch) const {
  std::vector<std::string> env;
  for (std::string& entry : WorkerEnvironment(1, 1, scratch)) {
    const std::string name = entry.substr(0, entry.find('='));
    // A serial run: no worker number. Servers given by flags come through
    // the environment, where no other user can read a password.
    if (name == "GTEST_PARALLEL_WORKER" || name == "GTEST_PARALLEL_WORKERS" ||
        name.rfind("GTEST_PARALLEL_DATABASE_", 0) == 0 ||
        std::any_of(options_.database_urls.begin(),
                    options_.database_urls.end(), [&](const auto& url) {
                      return name == DatabaseUrlVariable(url.first);
                    })) {
      continue;
    }
    env.push_back(std::move(entry));
  }
  for (const auto& [alias, url] : options_.database_urls) {
    env.push_back(DatabaseUrlVariable(alias) + "=" + url);
  }
  // Worker 1's databases, which outlive its process until the run ends: a
  // database made for the run alone would be left behind if the test
  // crashed it.
  if (!worker_databases_.empty()) {
    for (const Assignment& assignment :
         DecodeAssignments(worker_databases_[0])) {
      env.push_back(DatabaseVariable(assignment.alias) + "=" + assignment.name);
    }
  }
  return env;
}

void Coordinator::RunAloneLocked(std::unique_lock<std::mutex>* lock) {
  std::vector<Span> failed;
  failed.swap(failed_spans_);
  if (failed.empty() || interrupt_signal_ != 0 || !fatal_error_.empty() ||
      (scheduler_ && scheduler_->stopped())) {
    return;
  }
  const size_t count = failed.size();
  if (failed.size() > static_cast<size_t>(kMaxAloneRuns)) {
    failed.resize(kMaxAloneRuns);
  }
  Notice(
      "[gtest_parallel] running %s again, each alone, to tell failures "
      "that come from tests run beside them (--gtest_parallel_rerun_"
      "alone=0 does not)\n",
      count == failed.size()
          ? (std::to_string(count) + " failed test" + (count == 1 ? "" : "s"))
                .c_str()
          : ("the first " + std::to_string(failed.size()) + " of " +
             std::to_string(count) + " failed tests")
                .c_str());
  const std::vector<Span> spans = spans_;
  for (const Span& span : failed) {
    WorkerScratch scratch;
    std::string error;
    if (!ScratchSpace::Get().Fresh(options_.private_workdir, &scratch,
                                   &error)) {
      Notice("[gtest_parallel] cannot run tests again alone: %s\n",
             error.c_str());
      return;
    }
    const std::string name = plan_.FullName(span.test);
    const std::vector<std::string> env = AloneEnvironment(scratch);
    const double limit =
        AloneTimeLimitSeconds(options_, span.end_ms - span.start_ms);
    lock->unlock();
    std::string outcome;
    const bool passed = RunAlone(
        worker_argv_, env, scratch.cwd, name, limit,
        [] { return InterruptCount() > 0; }, &outcome);
    lock->lock();
    if (InterruptCount() > 0) return;
    if (passed) {
      passed_alone_.emplace_back(span.test,
                                 PassesAloneNote(spans, span, [this](int test) {
                                   return plan_.FullName(test);
                                 }));
    }
  }
}

std::vector<std::pair<int, std::string>> Coordinator::TakePassedAlone() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<int, std::string>> passed;
  passed.swap(passed_alone_);
  return passed;
}

void Coordinator::Finish() {
  std::unique_lock<std::mutex> lock(mutex_);
  finishing_ = true;
  if (scheduler_) scheduler_->Stop();
  for (auto& slot : slots_) {
    if (slot->process) slot->process->CloseCommands();
  }
  wake_.Wake();
  auto all_gone = [&] {
    return std::none_of(slots_.begin(), slots_.end(), [](const auto& slot) {
      return slot->process != nullptr;
    });
  };
  ready_.wait_for(lock, std::chrono::milliseconds(kFinishGraceMs), all_gone);
  for (auto& slot : slots_) {
    if (slot->process) slot->process->Kill();
  }
  ready_.wait_for(lock, std::chrono::milliseconds(kFinishGraceMs), all_gone);
  // The program is the program's again: what the workers left is ended,
  // and orphans no longer come to it.
  SweepOrphansLocked();
  AdoptOrphans(false);
  stop_io_ = true;
  wake_.Wake();
  SaveHistoryLocked();
  const bool keep = options_.keep_scratch && any_failed_;
  lock.unlock();
  if (io_.joinable()) io_.join();
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
