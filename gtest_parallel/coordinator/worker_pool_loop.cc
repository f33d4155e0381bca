// The worker pool's I/O thread (see worker_pool.h): it waits on the
// workers' channels and exit watches, hands what they say to the owner,
// and stops workers on interrupts and time limits; then it reaps the ones
// that ended (see "Termination" in docs/design.md).
#include <algorithm>
#include <csignal>
#include <cstdio>

#include "coordinator/worker_pool.h"
#include "platform/process_tree.h"
#include "platform/signals.h"

namespace gtest_parallel {
namespace internal {
namespace {

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

}  // namespace

void WorkerPool::IoLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_io_) {
    std::vector<Handle> handles{wake_.read_end()};
    std::vector<Worker*> owners{nullptr};
    std::vector<Worker*> exits;  // Owners of the exit watches after them.
    int timeout_ms = 50;
    for (auto& worker : workers_) {
      if (worker->process && worker->process->events() != kNoHandle) {
        handles.push_back(worker->process->events());
        owners.push_back(worker.get());
      }
    }
    for (auto& worker : workers_) {
      if (!worker->process || worker->reaped) continue;
      if (worker->process->exit_watch() != kNoHandle) {
        handles.push_back(worker->process->exit_watch());
        exits.push_back(worker.get());
      } else if (worker->events_eof) {
        timeout_ms = 1;  // Its exit is near: look again soon.
      }
    }
    lock.unlock();
    std::vector<bool> ready;
    WaitReadable(handles, timeout_ms, &ready);
    // The pipes and decoders are this thread's alone (and only this thread
    // ends a worker's process): reading needs no lock. Decoding happens
    // under it, in DecodeLocked, one message at a time into a reused one.
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
    for (auto& worker : workers_) {
      if (!worker->process) continue;
      DecodeLocked(worker.get());
      if (worker->process) WatchClockLocked(worker.get(), now);
      if (worker->process) LimitOutputLocked(worker.get());
      if (worker->process) ReapLocked(worker.get());
    }
    changed_.notify_all();
  }
}

void WorkerPool::ReadEvents(Worker* worker) {
  char buffer[1 << 16];
  const long got = ReadSome(worker->process->events(), buffer, sizeof(buffer));
  if (got <= 0) {
    worker->events_eof = true;
    worker->events_eof_at = NowMs();
    worker->process->CloseEvents();
    return;
  }
  worker->decoder.Feed(buffer, static_cast<size_t>(got));
}

void WorkerPool::DecodeLocked(Worker* worker) {
  // Decoded here, into one reused message: handling a message never ends
  // the worker's process.
  while (worker->process && worker->decoder.Next(&worker->message)) {
    worker->connected = true;
    events_->OnMessage(worker->id, worker->message);
  }
  if (worker->process && !worker->ending.garbled &&
      !worker->decoder.error().empty() && worker->kill_cause.empty()) {
    worker->kill_cause = "sent " + worker->decoder.error() +
                         " on its result channel (something wrote into it)";
    worker->ending.garbled = true;
    worker->process->Kill();
  }
}

void WorkerPool::HandleInterruptsLocked(int64_t now) {
  const int count = InterruptCount();
  if (count != interrupts_seen_ && interrupts_seen_ == 0) {
    interrupt_signal_ = FirstInterrupt();
    interrupted_at_ = now;
    if (interrupt_signal_ == SIGINT) {
      Notice(
          "\n[gtest_parallel] interrupted: no new tests start; the running "
          "ones get %lld s to finish (interrupt again to stop them now).\n",
          static_cast<long long>(kInterruptGraceMs / 1000));
    } else {
      Notice(
          "\n[gtest_parallel] terminated (%s): the running tests are "
          "stopped; the report of those that finished follows.\n",
          InterruptName(interrupt_signal_).c_str());
    }
    events_->OnInterrupted(interrupt_signal_);
    CancelAllLocked();
  }
  interrupts_seen_ = count;
  if (interrupt_signal_ == 0) return;
  // Only an interactive interrupt leaves the running tests time to finish:
  // whoever terminates the run (ctest's timeout, a CI job's cancel) wants
  // the report of what finished now.
  const bool graceful = interrupt_signal_ == SIGINT;
  if (graceful && interrupts_seen_ < 2 &&
      now - interrupted_at_ < kInterruptGraceMs) {
    return;
  }
  for (auto& worker : workers_) {
    if (!worker->process || worker->reaped) continue;
    if (worker->kill_cause.empty()) {
      worker->kill_cause =
          !graceful ? "was stopped when the run was terminated (" +
                          InterruptName(interrupt_signal_) + ")"
          : interrupts_seen_ < 2
              ? "was stopped when the interrupted run's grace period ended"
              : "was stopped by a second interrupt";
      worker->ending.interrupted = true;
    }
    worker->process->Kill();
  }
}

std::string WorkerPool::RunningStepLocked(const WorkerStatus& status) const {
  const auto scope =
      static_cast<Scope>(status.scope.load(std::memory_order_acquire));
  const int test = status.test.load(std::memory_order_relaxed);
  const int suite = status.suite.load(std::memory_order_relaxed);
  if (scope == Scope::kExit) return "the exit after the last test";
  if (scope == Scope::kTest && test >= 0 && test < plan_.test_count()) {
    return plan_.FullName(test);
  }
  if (suite >= 0 && suite < plan_.suite_count()) {
    return std::string(scope == Scope::kSuiteSetUp
                           ? "SetUpTestSuite() of "
                           : "TearDownTestSuite() of ") +
           plan_.suite(suite)->name();
  }
  return "the global test environments";
}

void WorkerPool::WatchClockLocked(Worker* worker, int64_t now) {
  if (!worker->connected || worker->reaped) return;
  if (worker->terminate_at != 0) {
    if (now - worker->terminate_at > kTerminateGraceMs) {
      worker->process->Kill();
    }
    return;
  }
  const WorkerStatus& status = worker->process->status();
  const auto scope =
      static_cast<Scope>(status.scope.load(std::memory_order_acquire));
  const int64_t since = status.since_ms.load(std::memory_order_relaxed);
  if (scope == Scope::kIdle || since <= 0) return;
  const double running = (NowMs() - since) / 1000.0;
  const bool slow =
      options_.slow_seconds > 0 && running >= options_.slow_seconds;
  const bool late =
      options_.timeout_seconds > 0 && running >= options_.timeout_seconds;
  if (late) {
    char limit[32];
    std::snprintf(limit, sizeof(limit), "%g", options_.timeout_seconds);
    worker->kill_cause = std::string("was stopped: the ") +
                         (scope == Scope::kTest   ? "test"
                          : scope == Scope::kExit ? "exit"
                                                  : "step") +
                         " ran longer than " + limit +
                         " s (--gtest_parallel_timeout)";
    worker->terminate_at = now;
    worker->process->Terminate();
  } else if (slow && worker->noticed_since != since) {
    worker->noticed_since = since;
    Notice("[gtest_parallel] %s has been running for %.0f s on worker %d.\n",
           RunningStepLocked(status).c_str(), running, worker->id);
  }
}

void WorkerPool::ReapLocked(Worker* worker) {
  const int64_t now = NowMs();
  // Looking costs a system call: look when the channel closed or the exit
  // watch fired, and now and then for a worker that died without closing it.
  if (!worker->events_eof && !worker->exit_seen &&
      now - worker->checked_at < kCheckEveryMs) {
    return;
  }
  worker->checked_at = now;
  if (!worker->reaped && worker->process->TryWait(&worker->ending.status)) {
    worker->reaped = true;
    worker->exited_at = now;
  }
  if (!worker->reaped) {
    // Alive. A worker that closed its channel is of no further use.
    if (worker->events_eof && now - worker->events_eof_at > kChannelGraceMs) {
      if (worker->kill_cause.empty() && !worker->leaving && !shutting_down_) {
        worker->kill_cause =
            "was stopped: its result channel was closed (by a test?) but it "
            "did not exit";
        worker->ending.channel_closed = true;
      }
      worker->process->Kill();
    }
    return;
  }
  // Gone. A child it forked may still hold the event pipe: give it a moment
  // to deliver, then take the whole process group down.
  if (!worker->events_eof && now - worker->exited_at < kEventsGraceMs) {
    return;
  }
  worker->process->Kill();
  worker->events_eof = true;
  DecodeLocked(worker);
  EndLocked(worker);
  // What its tests started and moved out of its process group became ours
  // when it died.
  SweepOrphansLocked();
  changed_.notify_all();
}

void WorkerPool::EndLocked(Worker* worker) {
  Ending& ending = worker->ending;
  ending.killed = !worker->kill_cause.empty();
  ending.cause = ending.killed ? worker->kill_cause : ending.status.Describe();
  if (shutting_down_ || worker->leaving) {
    if (worker->leaving && !shutting_down_) {
      events_->OnWorkerLeft(worker->id, ending);
    }
    worker->process.reset();
    return;
  }
  const bool replace = events_->OnWorkerLost(worker->id, ending);
  worker->process.reset();
  if (!replace || worker->retired) return;
  std::string error;
  if (!SpawnLocked(worker->id, &error)) {
    events_->OnCannotStart(worker->id, error);
  }
}

void WorkerPool::SweepOrphansLocked() {
  std::vector<int64_t> pids;
  for (const auto& worker : workers_) {
    if (worker->process) pids.push_back(worker->process->pid());
  }
  KillAdoptedOrphans(pids);
}

}  // namespace internal
}  // namespace gtest_parallel
