// What the coordinator's results make of a worker that ended: an expected
// exit's output and status, or a death charged to the test, suite or phase
// it happened in (see "Termination" in docs/design.md). The worker pool
// (worker_pool.h) saw it end and asks, through the events here.
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

void Coordinator::OnInterrupted(int /*signal*/) {
  if (scheduler_) scheduler_->Stop();
}

void Coordinator::OnCannotStart(int /*id*/, const std::string& error) {
  AbortLocked(error);
}

bool Coordinator::OnWorkerLost(int id, const Ending& ending) {
  return DiedLocked(SlotOf(id), ending);
}

void Coordinator::OnWorkerLeft(int id, const Ending& ending) {
  AccountExitLocked(SlotOf(id), ending);
}

void Coordinator::AccountExitLocked(Slot* slot, const Ending& ending) {
  const std::string& cause = ending.cause;
  Record tail;
  pool_.TakeAllOutputLocked(slot->id, &tail);
  std::string output;
  for (const Record::Item& item : tail.items) output += item.output;
  // Stopped by the interrupt while it exited: the interrupt is the
  // outcome, not the worker's exit.
  const bool clean =
      ending.interrupted ||
      (!ending.killed && ending.status.exited && ending.status.code == 0);
  const std::string who = "worker " + std::to_string(slot->id) + " (pid " +
                          std::to_string(pool_.PidLocked(slot->id)) + ")";
  if (clean) {
    // Nothing failed, but nothing a serial run shows may be hidden either
    // (valgrind's summaries, say).
    if (!output.empty()) {
      Notice("[gtest_parallel] %s wrote this after its last test:\n%s%s",
             who.c_str(), output.c_str(), output.back() == '\n' ? "" : "\n");
    }
    return;
  }
  if (!ending.killed && ending.status.exited &&
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

bool Coordinator::BlameLastTestLocked(Slot* slot, const Ending& ending,
                                      std::string* why) const {
  const WorkerStatus& status = pool_.StatusLocked(slot->id);
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
  if (ending.channel_closed && unreported) {
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
  bool interrupted = false;  // Stopped because the run was interrupted.
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
                                                  const Ending& ending) {
  const WorkerStatus& status = pool_.StatusLocked(slot->id);
  Death death;
  death.scope =
      static_cast<Scope>(status.scope.load(std::memory_order_acquire));
  death.test = status.test.load(std::memory_order_relaxed);
  death.interrupted = ending.interrupted;
  if (ending.garbled && slot->blamed_test < 0 && !slot->granted.empty()) {
    // Everything before the garbage was handled: tests run in the order
    // they were granted, so the first one not ended was running when it
    // came.
    slot->blamed_test = slot->granted.front();
  }
  std::string why = ending.cause;
  if (slot->blamed_test >= 0) {
    death.scope = Scope::kTest;
    death.test = slot->blamed_test;
  } else if (BlameLastTestLocked(slot, ending, &why)) {
    death.scope = Scope::kTest;
    death.test = status.last_test.load(std::memory_order_relaxed);
    slot->blamed_test = death.test;
  }
  const int64_t since_ms = status.since_ms.load(std::memory_order_relaxed);
  const int64_t offset = status.output_offset.load(std::memory_order_relaxed);
  death.who = "gtest_parallel: worker " + std::to_string(slot->id) + " (pid " +
              std::to_string(pool_.PidLocked(slot->id)) + ") " + why;
  // Output of tests whose results were lost with the worker is not kept:
  // those tests run again. (Garbage in the channel is blamed on a test the
  // status may have moved past: keep all its output then.)
  if (slot->blamed_test < 0) pool_.SkipOutputLocked(slot->id, offset);
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
  pool_.TakeAllOutputLocked(slot->id, &death.record);
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

bool Coordinator::DiedLocked(Slot* slot, const Ending& ending) {
  Death death = AssessDeathLocked(slot, ending);
  // A worker that dies in a test is the test's fault, and the test's
  // failure is the run's progress. Any other death counts against the
  // worker: one that dies this way kMaxFailuresInARow times without a test
  // ending in between is not replaced (see "Termination" in
  // docs/design.md).
  if (!slot->hello || death.scope != Scope::kTest || death.test < 0) {
    pool_.CountFailureLocked(slot->id);
  }
  // SetUpTestSuite evidently ended if a test or the tear-down began; its
  // report may have been lost with the worker.
  if (death.suite >= 0 && slot->first_of_suite &&
      death.scope != Scope::kSuiteSetUp &&
      setups_published_.insert(death.suite).second) {
    setups_ready_.Put(death.suite, std::move(slot->setup_record));
  }
  BlameDeathLocked(slot, &death);
  return ReplaceDeadWorkerLocked(slot, death.suite, death.lost, ending.cause);
}

void Coordinator::BlameDeathLocked(Slot* slot, Death* death) {
  const bool in_test = death->scope == Scope::kTest && death->test >= 0;
  if (!slot->hello) {
    UnconnectedDiedLocked(*death);
  } else if (in_test && death->interrupted) {
    InterruptedTestLocked(slot, death);
  } else if (death->interrupted && death->scope != Scope::kTest) {
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
  if (pool_.interrupt_signal() == 0) {
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

bool Coordinator::ReplaceDeadWorkerLocked(Slot* slot, int suite,
                                          const std::vector<int>& lost,
                                          const std::string& cause) {
  if (suite >= 0 && scheduler_) {
    scheduler_->GiveBack(suite, lost);
    scheduler_->ForgetWorker(slot->id);
  }
  slot->suite = -1;
  slot->granted.clear();
  if (pool_.FailuresLocked(slot->id) >= kMaxFailuresInARow) {
    pool_.RetireLocked(slot->id);
    if (pool_.AllRetiredLocked()) {
      AbortLocked("every worker died " + std::to_string(kMaxFailuresInARow) +
                  " times in a row; the last one " + cause);
    }
    return false;
  }
  // A refused worker (RefuseLocked) is retired: it is not replaced.
  if (pool_.RetiredLocked(slot->id) || finishing_ ||
      pool_.interrupt_signal() != 0 || !scheduler_ ||
      scheduler_->remaining_tests() == 0) {
    return false;
  }
  ++restarts_;
  // The new process starts with nothing to its name.
  const int id = slot->id;
  *slot = Slot();
  slot->id = id;
  return true;
}

}  // namespace internal
}  // namespace gtest_parallel
