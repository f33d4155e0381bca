// The coordinator's I/O thread: reads the workers' events, turns them into
// records, serves their requests for work and publishes finished tests
// (see coordinator.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "coordinator/coordinator.h"
#include "coordinator/coordinator_slot.h"
#include "platform/files.h"
#include "platform/sanitizers.h"

namespace gtest_parallel {
namespace internal {

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

void Coordinator::SendLocked(Slot* slot, const Message& message) {
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

void Coordinator::NotRunLocked(Slot* slot, int suite,
                               const std::vector<int>& tests) {
  std::vector<int> again;
  for (int test : tests) {
    if (test < 0 || test >= plan_.test_count()) continue;
    // Tests handed out later in the run (More) may lie behind where
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

void Coordinator::ServeRequestLocked(Slot* slot) {
  if (!slot->parked || !slot->process) return;
  if (slot->parked_iteration > iteration_ && !finishing_) return;  // Later.
  slot->parked = false;
  Scheduler::Grant grant;
  Message reply{Done()};
  if (slot->parked_iteration == iteration_ && slot->parked_may_run &&
      scheduler_ && !finishing_ && scheduler_->Next(slot->id, &grant)) {
    reply.body = GrantMessage(grant);
    slot->suite = grant.suite;
    slot->first_of_suite = grant.first_of_suite;
    slot->granted.assign(grant.tests.begin(), grant.tests.end());
    slot->run_start = grant.tests;
    slot->setup_record = Record();
    slot->teardown_record = Record();
  }
  SendLocked(slot, reply);
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

}  // namespace internal
}  // namespace gtest_parallel
