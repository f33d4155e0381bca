// What the coordinator does about interrupts, slow and timed-out tests, and
// workers that end: reaping them, and charging a death to the test, suite
// or phase it happened in (see "Termination" in docs/design.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "coordinator/coordinator.h"
#include "coordinator/coordinator_slot.h"
#include "platform/files.h"
#include "platform/process_tree.h"
#include "platform/sanitizers.h"
#include "platform/signals.h"

namespace gtest_parallel {
namespace internal {

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

// What a dead worker was doing and what survived of it.
struct Coordinator::Death {
  Scope scope = Scope::kIdle;  // The step it died in,
  int test = -1;               // and the test of that step, if any.
  int suite = -1;              // The suite it was running, or -1.
  // "gtest_parallel: worker 2 (pid 1234) was killed by SIGSEGV ...".
  std::string who;
  Record record;  // Its step's record so far, with the step's output.
  // The tests granted to it that it did not reach.
  std::vector<int> lost;
};

namespace {

// Everything the record's items wrote.
std::string OutputOf(const Record& record) {
  std::string output;
  for (const Record::Item& item : record.items) output += item.output;
  return output;
}

}  // namespace

Coordinator::Death Coordinator::AssessDeathLocked(Slot* slot,
                                                  const std::string& cause) {
  const WorkerStatus& status = slot->process->status();
  Death death;
  death.scope =
      static_cast<Scope>(status.scope.load(std::memory_order_acquire));
  death.test = status.test.load(std::memory_order_relaxed);
  std::string why = cause;
  if (slot->blamed_test >= 0) {
    death.scope = Scope::kTest;
    death.test = slot->blamed_test;
  } else if (BlameLastTestLocked(slot, &why)) {
    death.scope = Scope::kTest;
    death.test = status.last_test.load(std::memory_order_relaxed);
    slot->blamed_test = death.test;
  }
  const int64_t since_ms = status.since_ms.load(std::memory_order_relaxed);
  const int64_t offset = status.output_offset.load(std::memory_order_relaxed);
  const int64_t end = FileSize(slot->process->output());
  death.who = "gtest_parallel: worker " + std::to_string(slot->id) + " (pid " +
              std::to_string(slot->process->pid()) + ") " + why;
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
  death.record.start_ms = since_ms > 0 ? EpochMs() - running_ms : 0;
  if (death.scope != Scope::kIdle &&
      (death.scope != Scope::kTest || slot->test == death.test)) {
    death.record = std::move(*CurrentRecordLocked(slot, death.scope));
  }
  death.record.elapsed_ms = std::max<int64_t>(0, running_ms);
  TakeOutputLocked(slot, end, &death.record);
  // A sanitizer that stops the program (ASan by default, others with
  // halt_on_error) is the true cause: name it.
  const std::vector<std::string> reports =
      SanitizerReportsIn(OutputOf(death.record));
  for (size_t i = 0; i < reports.size(); ++i) {
    death.who += (i == 0 ? " after " : " and ") + reports[i];
  }
  death.suite = slot->suite;
  death.lost.assign(slot->granted.begin(), slot->granted.end());
  return death;
}

void Coordinator::DiedLocked(Slot* slot, const std::string& cause) {
  Death death = AssessDeathLocked(slot, cause);
  // A worker that dies in a test is the test's fault, and the test's
  // failure is the run's progress. Any other death counts against the
  // worker: one that dies this way kMaxFailuresInARow times without a test
  // ending in between is not replaced (see "Termination" in
  // docs/design.md).
  if (!slot->hello || death.scope != Scope::kTest || death.test < 0) {
    slot->failures_in_a_row++;
  }
  // SetUpTestSuite evidently ended if a test or the tear-down began; its
  // report may have been lost with the worker.
  if (death.suite >= 0 && slot->first_of_suite &&
      death.scope != Scope::kSuiteSetUp &&
      setups_published_.insert(death.suite).second) {
    setups_ready_.Put(death.suite, std::move(slot->setup_record));
  }
  BlameDeathLocked(slot, &death);
  ReplaceDeadWorkerLocked(slot, death.suite, death.lost, cause);
}

void Coordinator::BlameDeathLocked(Slot* slot, Death* death) {
  const bool in_test = death->scope == Scope::kTest && death->test >= 0;
  if (!slot->hello) {
    UnconnectedDiedLocked(*death);
  } else if (in_test && slot->interrupted) {
    InterruptedTestLocked(slot, death);
  } else if (slot->interrupted && death->scope != Scope::kTest) {
    // Stopped by the interrupt outside a test (in a set-up or tear-down,
    // or between tests): no test's failure; the interrupt is the outcome.
  } else if (in_test) {
    TestDiedLocked(slot, death);
  } else if (death->scope == Scope::kSuiteSetUp && death->suite >= 0) {
    SuiteSetUpDiedLocked(slot, death);
  } else if (death->scope == Scope::kSuiteTearDown && death->suite >= 0) {
    SuiteTearDownDiedLocked(death);
  } else if (death->scope == Scope::kIdle) {
    IdleDiedLocked(*death);
  } else {
    EnvironmentDiedLocked(slot, death);
  }
}

void Coordinator::UnconnectedDiedLocked(const Death& death) {
  const std::string tail = OutputOf(death.record);
  Notice("%s before it could connect.%s%s\n", death.who.c_str(),
         tail.empty() ? "" : " Its output:\n", tail.c_str());
}

void Coordinator::InterruptedTestLocked(Slot* slot, Death* death) {
  // Cut short by the interrupt: not the test's failure.
  Part part;
  part.type = testing::TestPartResult::kSkip;
  part.message = "gtest_parallel: interrupted: " +
                 death->who.substr(std::strlen("gtest_parallel: ")) +
                 " while running " + plan_.FullName(death->test) + ", after " +
                 Seconds(death->record.elapsed_ms) + ".";
  death->record.AddPart(part);
  death->record.interrupted = true;
  std::vector<int>& lost = death->lost;
  lost.erase(std::remove(lost.begin(), lost.end(), death->test), lost.end());
  PublishTestLocked(slot, death->test, std::move(death->record));
}

void Coordinator::TestDiedLocked(Slot* slot, Death* death) {
  death->record.AddPart(RunnerFailure(death->who + " while running " +
                                      plan_.FullName(death->test) + "."));
  std::vector<int>& lost = death->lost;
  lost.erase(std::remove(lost.begin(), lost.end(), death->test), lost.end());
  if (death->suite >= 0 && scheduler_) scheduler_->GiveBack(death->suite, lost);
  lost.clear();
  PublishTestLocked(slot, death->test, std::move(death->record));
}

void Coordinator::SuiteSetUpDiedLocked(Slot* slot, Death* death) {
  const int suite = death->suite;
  const std::string what = death->who + " in SetUpTestSuite() of " +
                           plan_.suite(suite)->name() + ".";
  // Running the suite again would only crash again, and again: its tests
  // not run yet fail with the cause instead. (Where this worker was the
  // first in the suite, GoogleTest skips them anyway, as in a serial run
  // whose SetUpTestSuite failed.)
  std::vector<int> abandoned =
      scheduler_ ? scheduler_->Abandon(suite) : std::vector<int>();
  abandoned.insert(abandoned.end(), death->lost.begin(), death->lost.end());
  death->lost.clear();
  for (int id : abandoned) {
    Record failed;
    failed.AddPart(RunnerFailure("gtest_parallel: not run: " + what));
    tests_ready_.Put(id, std::move(failed));
  }
  death->record.AddPart(RunnerFailure(what));
  if (slot->first_of_suite && setups_published_.insert(suite).second) {
    setups_ready_.Put(suite, std::move(death->record));
  }
}

void Coordinator::SuiteTearDownDiedLocked(Death* death) {
  death->record.AddPart(RunnerFailure(death->who +
                                      " in TearDownTestSuite() of " +
                                      plan_.suite(death->suite)->name() + "."));
  teardowns_[death->suite].Merge(death->record);
}

void Coordinator::IdleDiedLocked(const Death& death) {
  // Between tests: nothing of the run was lost but the process.
  if (interrupt_signal_ == 0) {
    Notice("%s while idle.\n", death.who.c_str());
  }
}

void Coordinator::EnvironmentDiedLocked(Slot* slot, Death* death) {
  const int iteration = std::max(iteration_, 0);
  const bool in_set_up = slot->env_set_up < iteration;
  death->record.AddPart(RunnerFailure(
      death->who + (in_set_up ? " while setting up" : " while tearing down") +
      " the global test environments."));
  (in_set_up ? env_setups_ : env_teardowns_)[{iteration, slot->id}].Merge(
      death->record);
}

void Coordinator::ReplaceDeadWorkerLocked(Slot* slot, int suite,
                                          const std::vector<int>& lost,
                                          const std::string& cause) {
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
