// The coordinator's results: its workers' messages into records, one
// handler per message type, and a test's final record published, or its
// retry scheduled (see coordinator.h). The worker pool's I/O thread calls
// them, under the lock, in the order the worker sent them.
#include <algorithm>
#include <type_traits>
#include <utility>

#include "coordinator/coordinator.h"
#include "coordinator/coordinator_slot.h"

namespace gtest_parallel {
namespace internal {

void Coordinator::OnMessage(int id, const Message& message) {
  HandleLocked(SlotOf(id), message);
}

void Coordinator::HandleLocked(Slot* slot, const Message& message) {
  std::visit(
      [&](const auto& body) {
        if constexpr (IsCommand(std::decay_t<decltype(body)>::kType)) {
          // The coordinator's own kind of message: the worker is confused.
          pool_.KillLocked(slot->id, "sent an unexpected message");
        } else {
          HandleLocked(slot, message.offset, body);
        }
      },
      message.body);
}

void Coordinator::RefuseLocked(Slot* slot, const std::string& error,
                               const std::string& cause) {
  AbortLocked(error);
  pool_.RetireLocked(slot->id);
  pool_.KillLocked(slot->id, cause);
}

void Coordinator::HandleLocked(Slot* slot, int64_t /*offset*/,
                               const Hello& hello) {
  const std::string worker = "worker " + std::to_string(slot->id);
  const std::string mismatch = VersionMismatch(hello.version);
  if (!mismatch.empty()) {
    RefuseLocked(slot, worker + " " + mismatch,
                 "spoke protocol version " + std::to_string(hello.version));
    return;
  }
  if (hello.test_count != plan_.test_count() ||
      hello.fingerprint != plan_.fingerprint()) {
    RefuseLocked(slot,
                 worker +
                     " sees a different list of tests than the coordinator "
                     "(was the executable replaced during the run?)",
                 "saw a different list of tests");
    return;
  }
  slot->hello = true;
  Config config;
  config.first_iteration = std::max(iteration_, 0);
  config.repeat = repeat_;
  config.seed = seed_;
  config.workers = worker_count();  // Early workers guessed a count.
  if (static_cast<size_t>(slot->id) <= worker_databases_.size()) {
    config.databases = worker_databases_[slot->id - 1];
  }
  SendLocked(slot, Message{std::move(config)});
}

void Coordinator::HandleLocked(Slot* slot, int64_t offset,
                               const EnvSetUp& set_up) {
  Record record = std::move(slot->global_record);
  slot->global_record = Record();
  TakeOutputLocked(slot, offset, &record);
  record.properties = set_up.properties;
  slot->env_set_up = set_up.iteration;
  env_setups_[{set_up.iteration, slot->id}].Merge(record);
}

void Coordinator::HandleLocked(Slot* slot, int64_t offset,
                               const EnvTearDown& tear_down) {
  Record record = std::move(slot->global_record);
  slot->global_record = Record();
  TakeOutputLocked(slot, offset, &record);
  record.properties = tear_down.properties;
  env_teardowns_[{tear_down.iteration, slot->id}].Merge(record);
  // What comes after the last tear-down is the program's exit, which the
  // report waits for (TakeEnvTearDown).
  FinalLocked(slot, tear_down.iteration);
}

void Coordinator::HandleLocked(Slot* slot, int64_t /*offset*/,
                               const Request& request) {
  slot->parked = true;
  slot->parked_iteration = request.iteration;
  slot->parked_may_run = request.may_run;
  ServeRequestLocked(slot);
}

void Coordinator::HandleLocked(Slot* slot, int64_t offset,
                               const SuiteSetUp& set_up) {
  Record record = std::move(slot->setup_record);
  slot->setup_record = Record();
  TakeOutputLocked(slot, offset, &record);
  record.start_ms = set_up.start_ms;
  record.elapsed_ms = set_up.set_up_ms;
  if (slot->first_of_suite && setups_published_.insert(slot->suite).second) {
    setups_ready_.Put(slot->suite, std::move(record));
  }
}

void Coordinator::HandleLocked(Slot* slot, int64_t offset,
                               const TestStart& start) {
  slot->test = start.test;
  slot->test_record = Record();
  slot->test_record.start_ms = start.start_ms;
  // Output between tests (from processes a test left behind) goes with the
  // next test.
  TakeOutputLocked(slot, offset, &slot->test_record);
}

void Coordinator::HandleLocked(Slot* slot, int64_t offset,
                               const PartEvent& event) {
  Record* record = CurrentRecordLocked(slot, event.scope);
  TakeOutputLocked(slot, offset, record);
  record->AddPart(event.part);
}

void Coordinator::HandleLocked(Slot* slot, int64_t offset, const TestEnd& end) {
  // Usually no TestStart came: the record is still empty then, and the
  // output since the last event is all the test's.
  Record record = std::move(slot->test_record);
  slot->test_record = Record();
  TakeOutputLocked(slot, offset, &record);
  record.start_ms = end.start_ms;
  record.elapsed_ms = end.elapsed_ms;
  record.properties = end.properties;
  if (end.kept_parts) record.ClearParts(*end.kept_parts);
  auto granted =
      std::find(slot->granted.begin(), slot->granted.end(), end.test);
  if (granted != slot->granted.end()) slot->granted.erase(granted);
  slot->test = -1;
  pool_.ClearFailuresLocked(slot->id);
  PublishTestLocked(slot, end.test, std::move(record));
}

void Coordinator::HandleLocked(Slot* slot, int64_t /*offset*/,
                               const More& more) {
  Scheduler::Grant grant;
  if (scheduler_ && !finishing_ &&
      scheduler_->More(slot->id, more.suite, &grant)) {
    slot->granted.insert(slot->granted.end(), grant.tests.begin(),
                         grant.tests.end());
    SendLocked(slot, Message{GrantMessage(grant)});
  } else {
    SendLocked(slot, Message{NoMore()});
  }
}

void Coordinator::HandleLocked(Slot* slot, int64_t offset,
                               const SuiteEnd& end) {
  Record record = std::move(slot->teardown_record);
  slot->teardown_record = Record();
  TakeOutputLocked(slot, offset, &record);
  record.properties = end.properties;
  record.elapsed_ms = end.tear_down_ms;
  teardowns_[end.suite].Merge(record);
  if (scheduler_) scheduler_->Leave(slot->id, end.suite);
  NotRunLocked(slot, end.suite, end.unreached);
  slot->suite = -1;
  slot->granted.clear();
  PublishTearDownLocked(end.suite);
}

void Coordinator::HandleLocked(Slot* slot, int64_t /*offset*/,
                               const IterationEnd& end) {
  FinalLocked(slot, end.iteration);
  slot->leaked_objects = end.leaked_objects;
  slot->races = end.races;
  slot->valgrind_errors = end.valgrind_errors;
}

void Coordinator::FinalLocked(Slot* slot, int iteration) {
  if (repeat_ < 0 || iteration < repeat_ - 1) return;
  slot->final = true;
  slot->final_iteration = iteration;
  pool_.ExpectExitLocked(slot->id);
}

void Coordinator::SendLocked(Slot* slot, const Message& message) {
  pool_.SendLocked(slot->id, message);
}

void Coordinator::TakeOutputLocked(Slot* slot, int64_t offset, Record* record) {
  pool_.TakeOutputLocked(slot->id, offset, record);
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
  if (!slot->parked || !pool_.HasProcessLocked(slot->id)) return;
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
      !scheduler_->stopped() && pool_.interrupt_signal() == 0 && !finishing_) {
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
