// The coordinator's handling of its workers' messages, one handler per
// message type (see coordinator.h). The I/O thread calls them, under the
// lock, in the order the worker sent them.
#include <algorithm>
#include <type_traits>
#include <utility>

#include "coordinator/coordinator.h"
#include "coordinator/coordinator_slot.h"

namespace gtest_parallel {
namespace internal {

void Coordinator::HandleLocked(Slot* slot, const Message& message) {
  std::visit(
      [&](const auto& body) {
        if constexpr (IsCommand(std::decay_t<decltype(body)>::kType)) {
          // The coordinator's own kind of message: the worker is confused.
          slot->kill_cause = "sent an unexpected message";
          slot->process->Kill();
        } else {
          HandleLocked(slot, message.offset, body);
        }
      },
      message.body);
}

void Coordinator::RefuseLocked(Slot* slot, const std::string& error,
                               const std::string& cause) {
  AbortLocked(error);
  slot->retired = true;
  slot->kill_cause = cause;
  slot->process->Kill();
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
  config.workers = workers_;  // Early workers guessed a count.
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
  if (repeat_ >= 0 && tear_down.iteration >= repeat_ - 1) {
    slot->final = true;
    slot->final_iteration = tear_down.iteration;
  }
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
  slot->failures_in_a_row = 0;
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
  if (repeat_ >= 0 && end.iteration >= repeat_ - 1) {
    slot->final = true;
    slot->final_iteration = end.iteration;
  }
  slot->leaked_objects = end.leaked_objects;
  slot->races = end.races;
  slot->valgrind_errors = end.valgrind_errors;
}

}  // namespace internal
}  // namespace gtest_parallel
