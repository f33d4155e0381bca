// Worker-side channel and listener (see worker_listener.h).
#include "worker_listener.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "gtest_access.h"

namespace gtest_parallel {
namespace internal {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<Property> PropertiesOf(const testing::TestResult& result) {
  std::vector<Property> properties;
  for (int i = 0; i < result.test_property_count(); ++i) {
    const testing::TestProperty& property = result.GetTestProperty(i);
    properties.push_back(Property{property.key(), property.value()});
  }
  return properties;
}

WorkerChannel::WorkerChannel(Handle commands, Handle events, Handle output)
    : commands_(commands), events_(events), output_(output) {}

void WorkerChannel::Send(Message message, bool marked) {
  message.seq = ++seq_;
  message.marked = marked;
  if (marked) pending_markers_ += OutputMarker(nonce_, message.seq);
  Encode(message, &pending_events_);
}

void WorkerChannel::Flush() {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::fflush(nullptr);
  // The output pipe may be gone (a test closed it); events still matter.
  if (!pending_markers_.empty()) {
    WriteAll(output_, pending_markers_.data(), pending_markers_.size());
    pending_markers_.clear();
  }
  if (!pending_events_.empty()) {
    if (!WriteAll(events_, pending_events_.data(), pending_events_.size())) {
      Lost("cannot write to the coordinator");
    }
    pending_events_.clear();
  }
}

bool WorkerChannel::ReadMore(bool block) {
  if (!block) {
    std::vector<bool> ready;
    if (WaitReadable({commands_}, 0, &ready) <= 0) return false;
  }
  char buffer[4096];
  const long got = ReadSome(commands_, buffer, sizeof(buffer));
  if (got <= 0) Lost("the coordinator closed the channel");
  decoder_.Feed(buffer, static_cast<size_t>(got));
  if (!decoder_.error().empty()) Lost(decoder_.error());
  return true;
}

Message WorkerChannel::Receive() {
  Flush();
  Message message;
  for (;;) {
    while (decoder_.Next(&message)) {
      if (message.type == MessageType::kCancel) {
        cancelled_ = true;
        continue;
      }
      return message;
    }
    ReadMore(true);
  }
}

bool WorkerChannel::cancelled() {
  Message message;
  while (!cancelled_ && ReadMore(false)) {
    while (decoder_.Next(&message)) {
      if (message.type == MessageType::kCancel) cancelled_ = true;
    }
  }
  return cancelled_;
}

void WorkerChannel::Lost(const std::string& why) {
  // Nobody is left to report to: leave at once, without running the
  // program's exit handlers in the middle of a test.
  (void)why;
  std::_Exit(0);
}

WorkerListener::WorkerListener(WorkerChannel* channel, const TestPlan* plan)
    : channel_(channel), plan_(plan) {}

void WorkerListener::BeginSuite(int suite, const std::vector<int>& tests) {
  suite_ = suite;
  granted_left_ = 0;
  Grant(tests);
}

void WorkerListener::Grant(const std::vector<int>& tests) {
  for (int id : tests) SetShouldRun(plan_->test(id), true);
  granted_left_ += tests.size();
}

void WorkerListener::OnTestSuiteStart(const testing::TestSuite& /*suite*/) {
  scope_ = Scope::kSuiteSetUp;
  phase_start_ms_ = NowMs();
}

void WorkerListener::OnTestStart(const testing::TestInfo& test) {
  const int64_t now = NowMs();
  if (scope_ == Scope::kSuiteSetUp) {
    Message set_up;
    set_up.type = MessageType::kSuiteSetUp;
    set_up.id = suite_;
    set_up.a = phase_start_ms_;
    set_up.b = now - phase_start_ms_;
    channel_->Send(std::move(set_up), true);
  }
  scope_ = Scope::kTest;
  test_ = plan_->IdOf(&test);
  Message start;
  start.type = MessageType::kTestStart;
  start.id = test_;
  start.a = now;
  channel_->Send(std::move(start), true);
  // The test's code runs next: what happened so far must be out.
  channel_->Flush();
}

void WorkerListener::OnTestPartResult(const testing::TestPartResult& result) {
  Message part;
  part.type = MessageType::kPart;
  part.a = static_cast<int64_t>(scope_);
  part.id = scope_ == Scope::kTest     ? test_
            : scope_ == Scope::kGlobal ? iteration_
                                       : suite_;
  part.part.type = static_cast<int>(result.type());
  part.part.has_file = result.file_name() != nullptr;
  part.part.file = part.part.has_file ? result.file_name() : "";
  part.part.line = result.line_number();
  part.part.message = result.message();
  channel_->Send(std::move(part), true);
  channel_->Flush();
}

void WorkerListener::OnTestEnd(const testing::TestInfo& test) {
  Message end;
  end.type = MessageType::kTestEnd;
  end.id = plan_->IdOf(&test);
  end.a = test.result()->start_timestamp();
  end.b = test.result()->elapsed_time();
  end.props = PropertiesOf(*test.result());
  channel_->Send(std::move(end), true);
  scope_ = Scope::kSuiteTearDown;
  phase_start_ms_ = NowMs();
  if (granted_left_ > 0) --granted_left_;
  if (granted_left_ > 0) {
    if (!channel_->cancelled()) return;
    // Stop early: the rest of the grant is not run.
    for (int id : plan_->tests_of(suite_)) {
      if (id != plan_->IdOf(&test)) SetShouldRun(plan_->test(id), false);
    }
    granted_left_ = 0;
    return;
  }
  if (channel_->cancelled()) return;
  Message more;
  more.type = MessageType::kMore;
  more.id = suite_;
  channel_->Send(std::move(more), false);
  const Message reply = channel_->Receive();
  if (reply.type == MessageType::kGrant && reply.id == suite_) {
    Grant(std::vector<int>(reply.ids.begin(), reply.ids.end()));
  }
}

void WorkerListener::OnTestSuiteEnd(const testing::TestSuite& suite) {
  Message end;
  end.type = MessageType::kSuiteEnd;
  end.id = suite_;
  end.a = NowMs() - phase_start_ms_;
  end.props = PropertiesOf(suite.ad_hoc_test_result());
  channel_->Send(std::move(end), true);
  channel_->Flush();
  scope_ = Scope::kGlobal;
}

}  // namespace internal
}  // namespace gtest_parallel
