// The coordinator's worker management and record keeping (see
// coordinator.h).
#include "coordinator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>

#include "early_start.h"
#include "run_databases.h"
#include "sanitizers.h"

extern char** environ;

namespace gtest_parallel {
namespace internal {
namespace {

// Writes a notice to stderr, after the console lines printed so far (which
// the replay may still hold in stdout's buffer).
#ifdef __GNUC__
__attribute__((format(printf, 1, 2)))
#endif
void Notice(const char* format, ...) {
  std::fflush(stdout);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
}

// A worker that dies this many times in a row without finishing a test is
// not restarted again.
constexpr int kMaxFailuresInARow = 3;
// How often a test a worker's run of its suite started with, but which
// GoogleTest did not reach (see NotRunLocked), is offered again before it
// fails.
constexpr int kMaxNotRun = 2;
// How long a child a dead worker forked may keep its event pipe open.
constexpr int64_t kEventsGraceMs = 200;
// How long a worker may live on after closing its channel.
constexpr int64_t kChannelGraceMs = 2000;
// How often a worker is looked at for having died without a word.
constexpr int64_t kCheckEveryMs = 100;
// How long a timed-out worker gets between SIGTERM and SIGKILL.
constexpr int64_t kTerminateGraceMs = 1000;
// How long running tests may finish after the first interrupt.
constexpr int64_t kInterruptGraceMs = 2000;
// How long Finish() waits for workers to leave by themselves.
constexpr int64_t kFinishGraceMs = 5000;

// The clock of the workers' shared status, in milliseconds.
int64_t NowMs() { return SteadyMicros() / 1000; }

// The name of an interrupt FirstInterrupt() reports (the numbers are
// POSIX's on every platform).
std::string InterruptName(int signal) {
  return signal == SIGINT    ? "SIGINT"
         : signal == SIGTERM ? "SIGTERM"
                             : "signal " + std::to_string(signal);
}

// "1.2 s".
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

// Variables a worker must not inherit: sharding is the coordinator's, so
// are the reports, and a worker never starts workers of its own.
bool DroppedFromWorkerEnvironment(const std::string& entry) {
  static const char* const kNames[] = {
      "GTEST_TOTAL_SHARDS",      "GTEST_SHARD_INDEX",
      "GTEST_SHARD_STATUS_FILE", "TEST_TOTAL_SHARDS",
      "TEST_SHARD_INDEX",        "TEST_SHARD_STATUS_FILE",
      "XML_OUTPUT_FILE",         "GTEST_OUTPUT",
      "GTEST_PARALLEL",          "GTEST_PARALLEL_WORKER",
      "GTEST_PARALLEL_WORKERS",  kChannelVariable,
      kCoordinatorVariable};
  const std::string name = entry.substr(0, entry.find('='));
  for (const char* dropped : kNames) {
    if (name == dropped) return true;
  }
  return ScratchSpace::IsScratchVariable(name);
}

}  // namespace

// One worker id and the process currently serving it.
struct Coordinator::Slot {
  int id = 0;
  std::unique_ptr<ChildProcess> process;
  Decoder decoder;
  Message message;         // The one being handled, reused for the next.
  int64_t consumed = 0;    // Output file offset handed to records so far.
  int64_t dropped_to = 0;  // Output before this offset was cut (a flood).
  bool events_eof = false;
  int64_t exited_at = 0;      // When the process was seen gone.
  int64_t checked_at = 0;     // When we last looked whether it lives.
  int64_t terminate_at = 0;   // When it was asked to stop (timeout).
  int64_t noticed_since = 0;  // The phase we last called slow.
  int64_t events_eof_at = 0;
  ExitStatus status;
  bool exit_seen = false;  // Its exit watch says it ended.
  bool reaped = false;
  std::string kill_cause;       // Why we killed it, if we did.
  bool interrupted = false;     // Killed because the run was interrupted.
  bool garbled = false;         // Its event stream broke.
  bool channel_closed = false;  // Closed while it lived on.
  int blamed_test = -1;         // The test running when it broke.

  bool hello = false;
  bool retired = false;
  int failures_in_a_row = 0;
  bool final = false;  // Ended its last iteration: leaving is expected.
  int final_iteration = -1;
  // What sanitizers reported on its tests (their exit checks repeat it).
  int64_t leaked_objects = 0;
  int races = 0;
  int valgrind_errors = 0;

  // What it is doing.
  bool parked = false;  // A kRequest waits for an answer.
  int parked_iteration = 0;
  bool parked_may_run = true;
  int env_set_up = -1;  // Last iteration it reported kEnvSetUp for.
  int suite = -1;
  bool first_of_suite = false;
  int test = -1;
  std::deque<int> granted;  // Granted tests not yet ended.
  // The tests its run of the suite started with: GoogleTest reaches every
  // one of them, whatever order it runs the suite in.
  std::vector<int> run_start;
  Record test_record, setup_record, teardown_record, global_record;
};

void Record::AddOutput(const std::string& text, size_t limit) {
  if (text.empty()) return;
  if (!items.empty() && !items.back().is_part) {
    items.back().output += text;
  } else {
    items.push_back(Item{false, text, Part()});
  }
  output_bytes += text.size();
  for (Item& item : items) {
    if (output_bytes <= limit) break;
    if (item.is_part) continue;
    const size_t cut = std::min(item.output.size(), output_bytes - limit);
    item.output.erase(0, cut);
    output_bytes -= cut;
    output_dropped += cut;
  }
}

void Record::Merge(const Record& other) {
  for (const Item& item : other.items) {
    if (item.is_part) {
      const bool seen =
          std::any_of(items.begin(), items.end(), [&](const Item& mine) {
            return mine.is_part && mine.part == item.part;
          });
      if (!seen) items.push_back(item);
    } else if (!item.output.empty()) {
      items.push_back(item);
      output_bytes += item.output.size();
    }
  }
  output_dropped += other.output_dropped;
  for (const Property& property : other.properties) {
    auto same_key = std::find_if(
        properties.begin(), properties.end(),
        [&](const Property& mine) { return mine.key == property.key; });
    if (same_key == properties.end()) {
      properties.push_back(property);
    } else {
      same_key->value = property.value;
    }
  }
  elapsed_ms += other.elapsed_ms;
}

void Record::ClearParts(size_t keep) {
  const size_t parts = static_cast<size_t>(
      std::count_if(items.begin(), items.end(),
                    [](const Item& item) { return item.is_part; }));
  cleared_parts = parts > keep ? parts - keep : 0;
}

bool Record::Failed() const {
  size_t parts = 0;
  return std::any_of(items.begin(), items.end(), [&](const Item& item) {
    return item.is_part && ++parts > cleared_parts &&
           (item.part.type == testing::TestPartResult::kNonFatalFailure ||
            item.part.type == testing::TestPartResult::kFatalFailure);
  });
}

Message GrantMessage(const Scheduler::Grant& grant) {
  Message message;
  message.type = MessageType::kGrant;
  message.id = grant.suite;
  message.ids.assign(grant.tests.begin(), grant.tests.end());
  message.b = grant.last ? 1 : 0;
  return message;
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

std::vector<std::string> WorkerEnvironment(int worker_id, int workers,
                                           const WorkerScratch& scratch) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!DroppedFromWorkerEnvironment(*entry)) env.push_back(*entry);
  }
  env.push_back("GTEST_PARALLEL_WORKER=" + std::to_string(worker_id));
  env.push_back("GTEST_PARALLEL_WORKERS=" + std::to_string(workers));
  env.push_back(std::string(kCoordinatorVariable) + "=" +
                std::to_string(CurrentPid()));
  for (std::string& entry : ScratchSpace::Environment(scratch)) {
    env.push_back(std::move(entry));
  }
  return env;
}

bool WorkerRequest(const std::vector<std::string>& argv, int worker_id,
                   int workers, const Options& options, SpawnRequest* request,
                   std::string* error) {
  WorkerScratch scratch;
  if (!ScratchSpace::Get().ForWorker(worker_id, options.private_workdir,
                                     &scratch, error)) {
    return false;
  }
  *request = SpawnRequest{argv, WorkerEnvironment(worker_id, workers, scratch),
                          scratch.cwd};
  return true;
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

void Coordinator::PublishTestLocked(Slot* slot, int test, Record record) {
  record.worker = slot->id;
  if (record.interrupted) {
    // Neither a failure nor a duration worth remembering.
    tests_ready_.Put(test, std::move(record));
    return;
  }
  const int attempt = ++attempts_[test];
  const Span span{slot->id, test, record.start_ms,
                  record.start_ms + record.elapsed_ms};
  spans_.push_back(span);
  if (record.Failed() && attempt <= options_.retries && scheduler_ &&
      !scheduler_->stopped() && interrupt_signal_ == 0 && !finishing_) {
    failed_attempts_[test].push_back(std::move(record));
    scheduler_->Retry(plan_.suite_of(test), test, slot->id);
    return;
  }
  history_.Set(test, History::Entry{record.elapsed_ms, record.Failed()});
  if (record.Failed()) {
    any_failed_ = true;
    if (options_.rerun_alone) failed_spans_.push_back(span);
  }
  if (attempt > 1) {
    const auto& failures = failed_attempts_[test];
    const std::string counts = std::to_string(failures.size()) + " of " +
                               std::to_string(attempt) + " attempts failed";
    // The earlier attempts' failures, as text ahead of the final attempt.
    std::string notes;
    for (size_t i = 0; i < failures.size(); ++i) {
      notes += "[gtest_parallel] attempt " + std::to_string(i + 1) + " of " +
               plan_.FullName(test) + " failed:\n";
      for (const Record::Item& item : failures[i].items) {
        if (!item.is_part) continue;
        notes += (item.part.has_file
                      ? item.part.file + ":" + std::to_string(item.part.line)
                      : std::string("unknown file")) +
                 ": " + item.part.message + "\n";
      }
    }
    record.items.insert(record.items.begin(),
                        Record::Item{false, notes, Part()});
    record.properties.push_back(
        Property{"gtest_parallel_attempts", std::to_string(attempt)});
    if (!record.Failed()) {
      record.flaky = true;
      record.properties.push_back(Property{"gtest_parallel_flaky", counts});
      flaky_.push_back(plan_.FullName(test) + " (" + counts + ")");
    }
  }
  tests_ready_.Put(test, std::move(record));
}

void ReadyRecords::Reserve(size_t keys) {
  if (keys > slot_of_.size()) slot_of_.resize(keys, -1);
}

void ReadyRecords::Put(int key, Record record) {
  std::lock_guard<std::mutex> lock(mutex_);
  handed_.emplace_back(key, std::move(record));
}

void ReadyRecords::Receive() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch_.swap(handed_);
  }
  for (auto& [key, record] : batch_) {
    if (key < 0) continue;
    if (track_arrivals_) {
      arrivals_.push_back(Arrival{key, record.Failed(), record.interrupted,
                                  record.elapsed_ms, record.worker});
    }
    const size_t at = static_cast<size_t>(key);
    if (at >= slot_of_.size()) Reserve(std::max(at + 1, 2 * slot_of_.size()));
    int32_t& slot = slot_of_[at];
    if (slot < 0) {
      if (free_.empty()) {
        slot = static_cast<int32_t>(pool_.size());
        pool_.emplace_back();
      } else {
        slot = free_.back();
        free_.pop_back();
      }
    }
    pool_[static_cast<size_t>(slot)] = std::move(record);
  }
  batch_.clear();
}

Record* ReadyRecords::Find(int key) {
  if (key < 0) return nullptr;
  const size_t at = static_cast<size_t>(key);
  if (at >= slot_of_.size() || slot_of_[at] < 0) Receive();
  return at < slot_of_.size() && slot_of_[at] >= 0
             ? &pool_[static_cast<size_t>(slot_of_[at])]
             : nullptr;
}

bool ReadyRecords::Has(int key) { return Find(key) != nullptr; }

bool ReadyRecords::Take(int key, Record* record) {
  Record* found = Find(key);
  if (found == nullptr) return false;
  *record = std::move(*found);
  *found = Record();
  int32_t& slot = slot_of_[static_cast<size_t>(key)];
  free_.push_back(slot);
  slot = -1;
  return true;
}

std::vector<ReadyRecords::Arrival> ReadyRecords::TakeArrivals() {
  Receive();
  std::vector<Arrival> arrivals;
  arrivals.swap(arrivals_);
  return arrivals;
}

void ReadyRecords::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  handed_.clear();
  std::fill(slot_of_.begin(), slot_of_.end(), -1);
  pool_.clear();
  free_.clear();
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

void Coordinator::HandleInterruptsLocked(int64_t now) {
  const int count = InterruptCount();
  if (count != interrupts_seen_) {
    if (interrupts_seen_ == 0) {
      interrupt_signal_ = FirstInterrupt();
      interrupted_at_ = now;
      if (interrupt_signal_ == SIGINT) {
        Notice(
            "\n[gtest_parallel] interrupted: no new tests start; the "
            "running ones get %lld s to finish (interrupt again to stop "
            "them now).\n",
            static_cast<long long>(kInterruptGraceMs / 1000));
      } else {
        Notice(
            "\n[gtest_parallel] terminated (%s): the running tests are "
            "stopped; the report of those that finished follows.\n",
            InterruptName(interrupt_signal_).c_str());
      }
      if (scheduler_) scheduler_->Stop();
      for (auto& slot : slots_) {
        if (!slot->process) continue;
        const_cast<WorkerStatus&>(slot->process->status())
            .cancel.store(1, std::memory_order_relaxed);
      }
    }
    interrupts_seen_ = count;
  }
  if (interrupt_signal_ == 0) return;
  // Only an interactive interrupt leaves the running tests time to finish:
  // whoever terminates the run (ctest's timeout, a CI job's cancel) wants
  // the report of what finished now.
  const bool graceful = interrupt_signal_ == SIGINT;
  if (graceful && interrupts_seen_ < 2 &&
      now - interrupted_at_ < kInterruptGraceMs) {
    return;
  }
  for (auto& slot : slots_) {
    if (!slot->process || slot->reaped) continue;
    if (slot->kill_cause.empty()) {
      slot->kill_cause =
          !graceful ? "was stopped when the run was terminated (" +
                          InterruptName(interrupt_signal_) + ")"
          : interrupts_seen_ < 2
              ? "was stopped when the interrupted run's grace period ended"
              : "was stopped by a second interrupt";
      slot->interrupted = true;
    }
    slot->process->Kill();
  }
}

void Coordinator::WatchClockLocked(Slot* slot, int64_t now) {
  if (!slot->hello || slot->reaped) return;
  if (slot->terminate_at != 0) {
    if (now - slot->terminate_at > kTerminateGraceMs) slot->process->Kill();
    return;
  }
  const WorkerStatus& status = slot->process->status();
  const auto scope =
      static_cast<Scope>(status.scope.load(std::memory_order_acquire));
  const int64_t since = status.since_ms.load(std::memory_order_relaxed);
  if (scope == Scope::kIdle || since <= 0) return;
  const double running = (NowMs() - since) / 1000.0;
  const bool slow =
      options_.slow_seconds > 0 && running >= options_.slow_seconds;
  const bool late =
      options_.timeout_seconds > 0 && running >= options_.timeout_seconds;
  if (!slow && !late) return;
  const int test = status.test.load(std::memory_order_relaxed);
  const int suite = status.suite.load(std::memory_order_relaxed);
  std::string what = "the global test environments";
  if (scope == Scope::kExit) {
    what = "the exit after the last test";
  } else if (scope == Scope::kTest && test >= 0 && test < plan_.test_count()) {
    what = plan_.FullName(test);
  } else if (suite >= 0 && suite < plan_.suite_count()) {
    what =
        std::string(scope == Scope::kSuiteSetUp ? "SetUpTestSuite() of "
                                                : "TearDownTestSuite() of ") +
        plan_.suite(suite)->name();
  }
  if (late) {
    char limit[32];
    std::snprintf(limit, sizeof(limit), "%g", options_.timeout_seconds);
    slot->kill_cause = std::string("was stopped: the ") +
                       (scope == Scope::kTest   ? "test"
                        : scope == Scope::kExit ? "exit"
                                                : "step") +
                       " ran longer than " + limit +
                       " s (--gtest_parallel_timeout)";
    slot->terminate_at = now;
    slot->process->Terminate();
    return;
  }
  if (slot->noticed_since != since) {
    slot->noticed_since = since;
    Notice("[gtest_parallel] %s has been running for %.0f s on worker %d.\n",
           what.c_str(), running, slot->id);
  }
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

void Coordinator::IoLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_io_) {
    std::vector<Handle> handles{wake_.read_end()};
    std::vector<Slot*> owners{nullptr};
    std::vector<Slot*> exits;  // Owners of the exit watches after them.
    int timeout_ms = 50;
    for (auto& slot : slots_) {
      if (!slot->process) continue;
      if (slot->process->events() != kNoHandle) {
        handles.push_back(slot->process->events());
        owners.push_back(slot.get());
      }
    }
    for (auto& slot : slots_) {
      if (!slot->process || slot->reaped) continue;
      if (slot->process->exit_watch() != kNoHandle) {
        handles.push_back(slot->process->exit_watch());
        exits.push_back(slot.get());
      } else if (slot->events_eof) {
        timeout_ms = 1;  // Its exit is near: look again soon.
      }
    }
    lock.unlock();
    std::vector<bool> ready;
    WaitReadable(handles, timeout_ms, &ready);
    // The pipes and decoders are this thread's alone (and only this thread
    // ends a slot's process): reading needs no lock. Decoding happens under
    // it, in ProcessLocked, one message at a time into a reused one.
    for (size_t i = 1; i < owners.size(); ++i) {
      if (ready[i]) ReadEvents(owners[i]);
    }
    for (size_t i = 0; i < exits.size(); ++i) {
      // Ended: ReapLocked below looks at once.
      if (ready[owners.size() + i]) exits[i]->exit_seen = true;
    }
    lock.lock();
    if (ready[0]) wake_.Drain();
    const int64_t now = NowMs();
    HandleInterruptsLocked(now);
    for (auto& slot : slots_) {
      if (!slot->process) continue;
      ProcessLocked(slot.get());
      if (slot->process) WatchClockLocked(slot.get(), now);
      if (slot->process) LimitOutputLocked(slot.get());
      if (slot->process) ReapLocked(slot.get());
    }
    ready_.notify_all();
  }
}

void Coordinator::ReadEvents(Slot* slot) {
  char buffer[1 << 16];
  const long got = ReadSome(slot->process->events(), buffer, sizeof(buffer));
  if (got <= 0) {
    slot->events_eof = true;
    slot->events_eof_at = NowMs();
    slot->process->CloseEvents();
    return;
  }
  slot->decoder.Feed(buffer, static_cast<size_t>(got));
}

void Coordinator::TakeOutputLocked(Slot* slot, int64_t offset, Record* record) {
  if (offset < 0 || offset <= slot->consumed) return;
  int64_t from = std::max(slot->consumed, slot->dropped_to);
  record->output_dropped += static_cast<size_t>(from - slot->consumed);
  const int64_t limit = static_cast<int64_t>(options_.output_limit);
  if (offset - from > limit) {
    record->output_dropped += static_cast<size_t>(offset - from - limit);
    from = offset - limit;
  }
  const std::string text =
      ReadAt(slot->process->output(), from, static_cast<size_t>(offset - from));
  record->AddOutput(text, options_.output_limit);
  // An offset past the file's end (read through a stdout a test pointed
  // elsewhere) must not skip output still to come.
  slot->consumed = from + static_cast<int64_t>(text.size());
}

void Coordinator::LimitOutputLocked(Slot* slot) {
  // A test that floods its output would fill the disk: keep only the end
  // of what it wrote (its record keeps no more than that anyway).
  const int64_t limit = static_cast<int64_t>(options_.output_limit);
  const int64_t size = FileSize(slot->process->output());
  const int64_t from = std::max(slot->consumed, slot->dropped_to);
  if (size - from > 4 * limit) {
    DropRange(slot->process->output(), from, size - limit);
    slot->dropped_to = size - limit;
  }
}

void Coordinator::ProcessLocked(Slot* slot) {
  // Decoded here, into one reused message: handling a message never starts
  // the slot afresh.
  while (slot->process && slot->decoder.Next(&slot->message)) {
    HandleLocked(slot, slot->message);
  }
  if (slot->process && !slot->garbled && !slot->decoder.error().empty() &&
      slot->kill_cause.empty()) {
    slot->kill_cause = "sent " + slot->decoder.error() +
                       " on its result channel (something wrote into it)";
    slot->garbled = true;
    slot->process->Kill();
  }
  // Everything before the garbage is handled: tests run in the order they
  // were granted, so the first one not ended was running when it came.
  if (slot->garbled && slot->blamed_test < 0 && !slot->granted.empty()) {
    slot->blamed_test = slot->granted.front();
  }
}

void Coordinator::SendLocked(Slot* slot, Message message) {
  if (!slot->process || slot->process->commands() == kNoHandle) return;
  std::string bytes;
  Encode(message, &bytes);
  // Worker replies are small and the worker reads them at once; a worker
  // that stopped reading has died and EOF will tell.
  if (!WriteAll(slot->process->commands(), bytes.data(), bytes.size())) {
    slot->process->CloseCommands();
  }
}

Record* Coordinator::CurrentRecordLocked(Slot* slot, Scope scope) {
  switch (scope) {
    case Scope::kTest:
      return &slot->test_record;
    case Scope::kSuiteSetUp:
      return &slot->setup_record;
    case Scope::kSuiteTearDown:
      return &slot->teardown_record;
    case Scope::kGlobal:
    default:
      return &slot->global_record;
  }
}

void Coordinator::HandleLocked(Slot* slot, const Message& message) {
  switch (message.type) {
    case MessageType::kHello: {
      if (message.a != plan_.test_count() ||
          static_cast<uint64_t>(message.b) != plan_.fingerprint()) {
        AbortLocked("worker " + std::to_string(slot->id) +
                    " sees a different list of tests than the coordinator "
                    "(was the executable replaced during the run?)");
        slot->retired = true;
        slot->kill_cause = "saw a different list of tests";
        slot->process->Kill();
        return;
      }
      slot->hello = true;
      Message config;
      config.type = MessageType::kConfig;
      config.id = std::max(iteration_, 0);
      config.a = repeat_;
      config.b = seed_;
      config.ids.push_back(workers_);  // Early workers guessed a count.
      if (static_cast<size_t>(slot->id) <= worker_databases_.size()) {
        config.props = worker_databases_[slot->id - 1];
      }
      SendLocked(slot, std::move(config));
      return;
    }
    case MessageType::kEnvSetUp: {
      Record record = std::move(slot->global_record);
      slot->global_record = Record();
      TakeOutputLocked(slot, message.offset, &record);
      record.properties = message.props;
      slot->env_set_up = static_cast<int>(message.id);
      env_setups_[{static_cast<int>(message.id), slot->id}].Merge(record);
      return;
    }
    case MessageType::kEnvTearDown: {
      Record record = std::move(slot->global_record);
      slot->global_record = Record();
      TakeOutputLocked(slot, message.offset, &record);
      record.properties = message.props;
      env_teardowns_[{static_cast<int>(message.id), slot->id}].Merge(record);
      // What comes after the last tear-down is the program's exit, which
      // the report waits for (TakeEnvTearDown).
      if (repeat_ >= 0 && message.id >= repeat_ - 1) {
        slot->final = true;
        slot->final_iteration = static_cast<int>(message.id);
      }
      return;
    }
    case MessageType::kRequest:
      slot->parked = true;
      slot->parked_iteration = static_cast<int>(message.id);
      slot->parked_may_run = message.a != 0;
      ServeRequestLocked(slot);
      return;
    case MessageType::kSuiteSetUp: {
      Record record = std::move(slot->setup_record);
      slot->setup_record = Record();
      TakeOutputLocked(slot, message.offset, &record);
      record.start_ms = message.a;
      record.elapsed_ms = message.b;
      if (slot->first_of_suite &&
          setups_published_.insert(slot->suite).second) {
        setups_ready_.Put(slot->suite, std::move(record));
      }
      return;
    }
    case MessageType::kTestStart:
      slot->test = static_cast<int>(message.id);
      slot->test_record = Record();
      slot->test_record.start_ms = message.a;
      // Output between tests (from processes a test left behind) goes with
      // the next test.
      TakeOutputLocked(slot, message.offset, &slot->test_record);
      return;
    case MessageType::kPart: {
      Record* record = CurrentRecordLocked(slot, static_cast<Scope>(message.a));
      TakeOutputLocked(slot, message.offset, record);
      record->AddPart(message.part);
      return;
    }
    case MessageType::kTestEnd: {
      // Usually no kTestStart came: the record is still empty then, and
      // the output since the last event is all the test's.
      Record record = std::move(slot->test_record);
      slot->test_record = Record();
      TakeOutputLocked(slot, message.offset, &record);
      record.start_ms = message.a;
      record.elapsed_ms = message.b;
      record.properties = message.props;
      if (!message.ids.empty()) record.ClearParts(message.ids[0]);
      const int test = static_cast<int>(message.id);
      auto granted =
          std::find(slot->granted.begin(), slot->granted.end(), test);
      if (granted != slot->granted.end()) slot->granted.erase(granted);
      slot->test = -1;
      slot->failures_in_a_row = 0;
      PublishTestLocked(slot, test, std::move(record));
      return;
    }
    case MessageType::kMore: {
      Scheduler::Grant grant;
      Message reply;
      if (scheduler_ && !finishing_ &&
          scheduler_->More(slot->id, static_cast<int>(message.id), &grant)) {
        reply = GrantMessage(grant);
        slot->granted.insert(slot->granted.end(), grant.tests.begin(),
                             grant.tests.end());
      } else {
        reply.type = MessageType::kNoMore;
      }
      SendLocked(slot, std::move(reply));
      return;
    }
    case MessageType::kSuiteEnd: {
      const int suite = static_cast<int>(message.id);
      Record record = std::move(slot->teardown_record);
      slot->teardown_record = Record();
      TakeOutputLocked(slot, message.offset, &record);
      record.properties = message.props;
      record.elapsed_ms = message.a;
      teardowns_[suite].Merge(record);
      if (scheduler_) scheduler_->Leave(slot->id, suite);
      NotRunLocked(slot, suite,
                   std::vector<int>(message.ids.begin(), message.ids.end()));
      slot->suite = -1;
      slot->granted.clear();
      PublishTearDownLocked(suite);
      return;
    }
    case MessageType::kIterationEnd:
      if (repeat_ >= 0 && message.id >= repeat_ - 1) {
        slot->final = true;
        slot->final_iteration = static_cast<int>(message.id);
      }
      slot->leaked_objects = message.a;
      slot->races = static_cast<int>(message.b);
      slot->valgrind_errors = message.ids.empty() ? 0 : message.ids[0];
      return;
    default:
      slot->kill_cause = "sent an unexpected message";
      slot->process->Kill();
      return;
  }
}

void Coordinator::NotRunLocked(Slot* slot, int suite,
                               const std::vector<int>& tests) {
  std::vector<int> again;
  for (int test : tests) {
    if (test < 0 || test >= plan_.test_count()) continue;
    // Tests handed out later in the run (kMore) may lie behind where
    // GoogleTest's loop already was: those go back freely. A test the run
    // started with was passed over by GoogleTest itself.
    const bool passed_over =
        std::find(slot->run_start.begin(), slot->run_start.end(), test) !=
        slot->run_start.end();
    if (!passed_over || ++not_run_[test] <= kMaxNotRun) {
      again.push_back(test);
      continue;
    }
    Record record;
    record.AddPart(RunnerFailure(
        "gtest_parallel: GoogleTest did not run this test when its worker "
        "ran the suite with it selected (" +
        std::to_string(kMaxNotRun + 1) +
        " times); it ran the suite's tests in an order gtest_parallel does "
        "not support. Run it without --gtest_parallel."));
    tests_ready_.Put(test, std::move(record));
  }
  if (scheduler_) scheduler_->NotRun(suite, again);
}

bool Coordinator::ComingLocked(int test) const {
  return InFlightLocked(test) ||
         (scheduler_ && !scheduler_->stopped() &&
          scheduler_->Pending(plan_.suite_of(test), test));
}

void Coordinator::ServeRequestLocked(Slot* slot) {
  if (!slot->parked || !slot->process) return;
  if (slot->parked_iteration > iteration_ && !finishing_) return;  // Later.
  slot->parked = false;
  Scheduler::Grant grant;
  Message reply;
  if (slot->parked_iteration == iteration_ && slot->parked_may_run &&
      scheduler_ && !finishing_ && scheduler_->Next(slot->id, &grant)) {
    reply = GrantMessage(grant);
    slot->suite = grant.suite;
    slot->first_of_suite = grant.first_of_suite;
    slot->granted.assign(grant.tests.begin(), grant.tests.end());
    slot->run_start = grant.tests;
    slot->setup_record = Record();
    slot->teardown_record = Record();
  } else {
    reply.type = MessageType::kDone;
  }
  SendLocked(slot, std::move(reply));
}

void Coordinator::ReapLocked(Slot* slot) {
  const int64_t now = NowMs();
  // Looking costs a system call: look when the channel closed or the exit
  // watch fired, and now and then for a worker that died without closing it.
  if (!slot->events_eof && !slot->exit_seen &&
      now - slot->checked_at < kCheckEveryMs) {
    return;
  }
  slot->checked_at = now;
  if (!slot->reaped && slot->process->TryWait(&slot->status)) {
    slot->reaped = true;
    slot->exited_at = now;
  }
  if (!slot->reaped) {
    // Alive. A worker that closed its channel is of no further use.
    if (slot->events_eof && now - slot->events_eof_at > kChannelGraceMs) {
      if (slot->kill_cause.empty() && !slot->final && !finishing_) {
        slot->kill_cause =
            "was stopped: its result channel was closed (by a test?) but it "
            "did not exit";
        slot->channel_closed = true;
      }
      slot->process->Kill();
    }
    return;
  }
  // Gone. A child it forked may still hold the event pipe: give it a moment
  // to deliver, then take the whole process group down.
  if (!slot->events_eof && now - slot->exited_at < kEventsGraceMs) {
    return;
  }
  slot->process->Kill();
  slot->events_eof = true;
  ProcessLocked(slot);
  if (!slot->process) return;
  const bool expected = finishing_ || slot->final;
  const std::string cause =
      slot->kill_cause.empty() ? slot->status.Describe() : slot->kill_cause;
  if (!expected) {
    DiedLocked(slot, cause);
  } else {
    if (slot->final && !finishing_) AccountExitLocked(slot, cause);
    slot->process.reset();
  }
  // What its tests started and moved out of its process group became ours
  // when it died.
  SweepOrphansLocked();
  ready_.notify_all();
}

void Coordinator::SweepOrphansLocked() {
  std::vector<int64_t> workers;
  for (const auto& slot : slots_) {
    if (slot->process) workers.push_back(slot->process->pid());
  }
  KillAdoptedOrphans(workers);
}

void Coordinator::AccountExitLocked(Slot* slot, const std::string& cause) {
  const int64_t end = FileSize(slot->process->output());
  Record tail;
  TakeOutputLocked(slot, end, &tail);
  std::string output;
  for (const Record::Item& item : tail.items) output += item.output;
  // Stopped by the interrupt while it exited: the interrupt is the
  // outcome, not the worker's exit.
  const bool clean =
      slot->interrupted || (slot->kill_cause.empty() && slot->status.exited &&
                            slot->status.code == 0);
  const std::string who = "worker " + std::to_string(slot->id) + " (pid " +
                          std::to_string(slot->process->pid()) + ")";
  if (clean) {
    // Nothing failed, but nothing a serial run shows may be hidden either
    // (valgrind's summaries, say).
    if (!output.empty()) {
      Notice("[gtest_parallel] %s wrote this after its last test:\n%s%s",
             who.c_str(), output.c_str(), output.back() == '\n' ? "" : "\n");
    }
    return;
  }
  if (slot->kill_cause.empty() && slot->status.exited &&
      OnlyRepeatsReported(output, static_cast<long>(slot->leaked_objects),
                          slot->races, slot->valgrind_errors)) {
    // The failed tests already carry the findings and fail the run.
    Notice(
        "[gtest_parallel] %s %s after its last test: its sanitizer's or "
        "valgrind's exit check repeated what was reported on its tests.\n",
        who.c_str(), cause.c_str());
    return;
  }
  std::string message = "gtest_parallel: " + who + " " + cause +
                        " after its last test (at its exit: static "
                        "destructors, exit handlers, sanitizer or valgrind "
                        "checks)";
  if (tail.output_dropped > 0) {
    message += "; the last " + std::to_string(output.size()) + " of the " +
               std::to_string(output.size() + tail.output_dropped) +
               " bytes it wrote after it:\n" + output;
  } else if (!output.empty()) {
    message += "; what it wrote after it:\n" + output;
  } else {
    message += "; it wrote nothing after it.";
  }
  Record record;
  record.AddPart(RunnerFailure(message));
  env_teardowns_[{slot->final_iteration, slot->id}].Merge(record);
}

bool Coordinator::BlameLastTestLocked(Slot* slot, std::string* why) const {
  const WorkerStatus& status = slot->process->status();
  const auto fault =
      static_cast<Fault>(status.fault.load(std::memory_order_acquire));
  const int last = status.last_test.load(std::memory_order_relaxed);
  // Only a test whose end never arrived: the worker lost it with the
  // channel.
  const bool unreported = last >= 0 && last < plan_.test_count() &&
                          std::find(slot->granted.begin(), slot->granted.end(),
                                    last) != slot->granted.end();
  if (fault == Fault::kChannelBroken && last >= 0) {
    *why = "could not report and ended: file descriptor " +
           std::to_string(status.fault_fd.load(std::memory_order_relaxed)) +
           ", its channel to the coordinator, was closed or replaced (a "
           "test must leave alone the descriptors it did not open)";
    return last < plan_.test_count();
  }
  if (slot->channel_closed && unreported) {
    *why =
        "could not report: its channel to the coordinator was closed (a "
        "test must leave alone the descriptors it did not open); it was "
        "stopped";
    return true;
  }
  return false;
}

void Coordinator::DiedLocked(Slot* slot, const std::string& cause) {
  const WorkerStatus& status = slot->process->status();
  Scope scope =
      static_cast<Scope>(status.scope.load(std::memory_order_acquire));
  int test = status.test.load(std::memory_order_relaxed);
  std::string why = cause;
  if (slot->blamed_test >= 0) {
    scope = Scope::kTest;
    test = slot->blamed_test;
  } else if (BlameLastTestLocked(slot, &why)) {
    scope = Scope::kTest;
    test = status.last_test.load(std::memory_order_relaxed);
    slot->blamed_test = test;
  }
  const int64_t since_ms = status.since_ms.load(std::memory_order_relaxed);
  const int64_t offset = status.output_offset.load(std::memory_order_relaxed);
  const int64_t end = FileSize(slot->process->output());
  std::string who = "gtest_parallel: worker " + std::to_string(slot->id) +
                    " (pid " + std::to_string(slot->process->pid()) + ") " +
                    why;
  // Output of tests whose results were lost with the worker is not kept:
  // those tests run again. (Garbage in the channel is blamed on a test the
  // status may have moved past: keep all its output then.)
  if (slot->blamed_test < 0 && offset > slot->consumed) {
    slot->consumed = std::min(offset, end);
  }
  // The status keeps steady-clock times; records keep wall-clock ones.
  const int64_t running_ms = since_ms > 0 ? NowMs() - since_ms : 0;
  // What the worker reported of its last step so far, unless the step's
  // start was lost with it.
  Record record;
  record.start_ms = since_ms > 0 ? EpochMs() - running_ms : 0;
  if (scope != Scope::kIdle && (scope != Scope::kTest || slot->test == test)) {
    record = std::move(*CurrentRecordLocked(slot, scope));
  }
  record.elapsed_ms = std::max<int64_t>(0, running_ms);
  TakeOutputLocked(slot, end, &record);
  // A sanitizer that stops the program (ASan by default, others with
  // halt_on_error) is the true cause: name it.
  std::string output;
  for (const Record::Item& item : record.items) output += item.output;
  const std::vector<std::string> reports = SanitizerReportsIn(output);
  for (size_t i = 0; i < reports.size(); ++i) {
    who += (i == 0 ? " after " : " and ") + reports[i];
  }

  // A worker that dies in a test is the test's fault, and the test's
  // failure is the run's progress. Any other death counts against the
  // worker: one that dies this way kMaxFailuresInARow times without a test
  // ending in between is not replaced (see "Termination" in
  // docs/design.md).
  if (!slot->hello || scope != Scope::kTest || test < 0) {
    slot->failures_in_a_row++;
  }
  const int suite = slot->suite;
  std::vector<int> lost(slot->granted.begin(), slot->granted.end());
  // SetUpTestSuite evidently ended if a test or the tear-down began; its
  // report may have been lost with the worker.
  if (suite >= 0 && slot->first_of_suite && scope != Scope::kSuiteSetUp &&
      setups_published_.insert(suite).second) {
    setups_ready_.Put(suite, std::move(slot->setup_record));
  }
  if (!slot->hello) {
    std::string tail;
    for (const Record::Item& item : record.items) tail += item.output;
    Notice("%s before it could connect.%s%s\n", who.c_str(),
           tail.empty() ? "" : " Its output:\n", tail.c_str());
  } else if (scope == Scope::kTest && test >= 0 && slot->interrupted) {
    // Cut short by the interrupt: not the test's failure.
    Part part;
    part.type = testing::TestPartResult::kSkip;
    part.message = "gtest_parallel: interrupted: " +
                   who.substr(std::strlen("gtest_parallel: ")) +
                   " while running " + plan_.FullName(test) + ", after " +
                   Seconds(record.elapsed_ms) + ".";
    record.AddPart(part);
    record.interrupted = true;
    lost.erase(std::remove(lost.begin(), lost.end(), test), lost.end());
    PublishTestLocked(slot, test, std::move(record));
  } else if (slot->interrupted && scope != Scope::kTest) {
    // Stopped by the interrupt outside a test (in a set-up or tear-down,
    // or between tests): no test's failure; the interrupt is the outcome.
  } else if (scope == Scope::kTest && test >= 0) {
    record.AddPart(
        RunnerFailure(who + " while running " + plan_.FullName(test) + "."));
    lost.erase(std::remove(lost.begin(), lost.end(), test), lost.end());
    if (suite >= 0 && scheduler_) scheduler_->GiveBack(suite, lost);
    lost.clear();
    PublishTestLocked(slot, test, std::move(record));
  } else if (scope == Scope::kSuiteSetUp && suite >= 0) {
    const std::string what =
        who + " in SetUpTestSuite() of " + plan_.suite(suite)->name() + ".";
    // Running the suite again would only crash again, and again: its tests
    // not run yet fail with the cause instead. (Where this worker was the
    // first in the suite, GoogleTest skips them anyway, as in a serial run
    // whose SetUpTestSuite failed.)
    std::vector<int> abandoned =
        scheduler_ ? scheduler_->Abandon(suite) : std::vector<int>();
    abandoned.insert(abandoned.end(), lost.begin(), lost.end());
    lost.clear();
    for (int id : abandoned) {
      Record failed;
      failed.AddPart(RunnerFailure("gtest_parallel: not run: " + what));
      tests_ready_.Put(id, std::move(failed));
    }
    record.AddPart(RunnerFailure(what));
    if (slot->first_of_suite && setups_published_.insert(suite).second) {
      setups_ready_.Put(suite, std::move(record));
    }
  } else if (scope == Scope::kSuiteTearDown && suite >= 0) {
    record.AddPart(RunnerFailure(who + " in TearDownTestSuite() of " +
                                 plan_.suite(suite)->name() + "."));
    teardowns_[suite].Merge(record);
  } else if (scope == Scope::kIdle) {
    // Between tests: nothing of the run was lost but the process.
    if (interrupt_signal_ == 0) {
      Notice("%s while idle.\n", who.c_str());
    }
  } else {
    const int iteration = std::max(iteration_, 0);
    const bool in_set_up = slot->env_set_up < iteration;
    record.AddPart(RunnerFailure(
        who + (in_set_up ? " while setting up" : " while tearing down") +
        " the global test environments."));
    (in_set_up ? env_setups_ : env_teardowns_)[{iteration, slot->id}].Merge(
        record);
  }
  slot->process.reset();
  if (suite >= 0 && scheduler_) {
    scheduler_->GiveBack(suite, lost);
    scheduler_->ForgetWorker(slot->id);
  }
  slot->suite = -1;
  slot->granted.clear();
  if (slot->failures_in_a_row >= kMaxFailuresInARow) {
    slot->retired = true;
    if (std::all_of(slots_.begin(), slots_.end(),
                    [](const auto& s) { return s->retired; })) {
      AbortLocked("every worker died " + std::to_string(kMaxFailuresInARow) +
                  " times in a row; the last one " + cause);
    }
    return;
  }
  if (!finishing_ && interrupt_signal_ == 0 && scheduler_ &&
      scheduler_->remaining_tests() > 0) {
    ++restarts_;
    SpawnLocked(slot);
  }
}

}  // namespace internal
}  // namespace gtest_parallel
