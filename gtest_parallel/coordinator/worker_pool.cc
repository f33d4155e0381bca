// The worker pool (see worker_pool.h): spawning, the I/O thread, output
// files, interrupts, time limits and reaping.
#include "coordinator/worker_pool.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdio>

#include "coordinator/early_start.h"
#include "coordinator/worker_command.h"
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

WorkerPool::WorkerPool(const Options& options, const TestPlan& plan,
                       std::vector<std::string> worker_argv, Events* events)
    : options_(options),
      plan_(plan),
      worker_argv_(std::move(worker_argv)),
      events_(events) {}

WorkerPool::~WorkerPool() {
  if (io_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_io_ = true;
    }
    wake_.Wake();
    io_.join();
  }
  if (catching_interrupts_) RestoreInterrupts();
}

void WorkerPool::CatchInterrupts() {
  if (catching_interrupts_) return;
  catching_interrupts_ = true;
  internal::CatchInterrupts(wake_.write_end());
}

void WorkerPool::StartLocked(int workers, std::string* error) {
  CatchInterrupts();
  // Processes the tests start and move out of their worker's process group
  // become ours when their worker dies, so that they can be ended.
  AdoptOrphans();
  for (int id = 1; id <= workers; ++id) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->id = id;
  }
  for (int id = 1; id <= workers; ++id) {
    Worker* worker = Find(id);
    worker->process = TakeEarlyWorker(id);
    std::string failure;
    if (!worker->process && !SpawnLocked(id, &failure) && error->empty()) {
      *error = failure;
    }
  }
  DiscardEarlyWorkers();
  io_ = std::thread(&WorkerPool::IoLoop, this);
}

bool WorkerPool::SpawnLocked(int id, std::string* error) {
  Worker* worker = Find(id);
  const int failures = worker->failures_in_a_row;
  *worker = Worker();
  worker->id = id;
  worker->failures_in_a_row = failures;
  SpawnRequest request;
  if (!WorkerRequest(worker_argv_, id, worker_count(), options_, &request,
                     error)) {
    worker->retired = true;
    return false;
  }
  std::string failure;
  while (worker->failures_in_a_row < kMaxFailuresInARow) {
    worker->process = ChildProcess::Spawn(request, &failure);
    if (worker->process) return true;
    worker->failures_in_a_row++;
  }
  worker->retired = true;
  *error = "worker " + std::to_string(id) + " could not start: " + failure;
  return false;
}

void WorkerPool::ShutDownLocked(std::unique_lock<std::mutex>* lock) {
  shutting_down_ = true;
  for (auto& worker : workers_) {
    if (worker->process) worker->process->CloseCommands();
  }
  wake_.Wake();
  auto all_gone = [&] { return !AnyProcessLocked(); };
  changed_.wait_for(*lock, std::chrono::milliseconds(kFinishGraceMs), all_gone);
  for (auto& worker : workers_) {
    if (worker->process) worker->process->Kill();
  }
  changed_.wait_for(*lock, std::chrono::milliseconds(kFinishGraceMs), all_gone);
  // The program is the program's again: what the workers left is ended,
  // and orphans no longer come to it.
  SweepOrphansLocked();
  AdoptOrphans(false);
  stop_io_ = true;
  wake_.Wake();
}

void WorkerPool::Join() {
  if (io_.joinable()) io_.join();
}

WorkerPool::Worker* WorkerPool::Find(int id) const {
  return workers_[static_cast<size_t>(id - 1)].get();
}

void WorkerPool::RetireLocked(int id) { Find(id)->retired = true; }

bool WorkerPool::RetiredLocked(int id) const { return Find(id)->retired; }

bool WorkerPool::AllRetiredLocked() const {
  return std::all_of(workers_.begin(), workers_.end(),
                     [](const auto& worker) { return worker->retired; });
}

void WorkerPool::CountFailureLocked(int id) { Find(id)->failures_in_a_row++; }

void WorkerPool::ClearFailuresLocked(int id) {
  Find(id)->failures_in_a_row = 0;
}

int WorkerPool::FailuresLocked(int id) const {
  return Find(id)->failures_in_a_row;
}

bool WorkerPool::HasProcessLocked(int id) const {
  return Find(id)->process != nullptr;
}

bool WorkerPool::AnyProcessLocked() const {
  return std::any_of(workers_.begin(), workers_.end(), [](const auto& worker) {
    return worker->process != nullptr;
  });
}

const WorkerStatus& WorkerPool::StatusLocked(int id) const {
  return Find(id)->process->status();
}

int64_t WorkerPool::PidLocked(int id) const { return Find(id)->process->pid(); }

void WorkerPool::SendLocked(int id, const Message& message) {
  Worker* worker = Find(id);
  if (!worker->process || worker->process->commands() == kNoHandle) return;
  std::string bytes;
  Encode(message, &bytes);
  // Worker replies are small and the worker reads them at once; a worker
  // that stopped reading has died and EOF will tell.
  if (!WriteAll(worker->process->commands(), bytes.data(), bytes.size())) {
    worker->process->CloseCommands();
  }
}

void WorkerPool::KillLocked(int id, const std::string& cause) {
  Worker* worker = Find(id);
  if (!worker->process) return;
  worker->kill_cause = cause;
  worker->process->Kill();
}

void WorkerPool::CancelAllLocked() {
  for (auto& worker : workers_) {
    if (!worker->process) continue;
    const_cast<WorkerStatus&>(worker->process->status())
        .cancel.store(1, std::memory_order_relaxed);
  }
}

void WorkerPool::ExpectExitLocked(int id) { Find(id)->leaving = true; }

void WorkerPool::TakeOutputLocked(int id, int64_t offset, Record* record) {
  Worker* worker = Find(id);
  if (offset < 0 || offset <= worker->consumed) return;
  int64_t from = std::max(worker->consumed, worker->dropped_to);
  record->output_dropped += static_cast<size_t>(from - worker->consumed);
  const int64_t limit = static_cast<int64_t>(options_.output_limit);
  if (offset - from > limit) {
    record->output_dropped += static_cast<size_t>(offset - from - limit);
    from = offset - limit;
  }
  const std::string text = ReadAt(worker->process->output(), from,
                                  static_cast<size_t>(offset - from));
  record->AddOutput(text, options_.output_limit);
  // An offset past the file's end (read through a stdout a test pointed
  // elsewhere) must not skip output still to come.
  worker->consumed = from + static_cast<int64_t>(text.size());
}

void WorkerPool::TakeAllOutputLocked(int id, Record* record) {
  TakeOutputLocked(id, FileSize(Find(id)->process->output()), record);
}

void WorkerPool::SkipOutputLocked(int id, int64_t offset) {
  Worker* worker = Find(id);
  const int64_t end = FileSize(worker->process->output());
  if (offset > worker->consumed) worker->consumed = std::min(offset, end);
}

void WorkerPool::LimitOutputLocked(Worker* worker) {
  // A test that floods its output would fill the disk: keep only the end
  // of what it wrote (its record keeps no more than that anyway).
  const int64_t limit = static_cast<int64_t>(options_.output_limit);
  const int64_t size = FileSize(worker->process->output());
  const int64_t from = std::max(worker->consumed, worker->dropped_to);
  if (size - from > 4 * limit) {
    DropRange(worker->process->output(), from, size - limit);
    worker->dropped_to = size - limit;
  }
}

}  // namespace internal
}  // namespace gtest_parallel
