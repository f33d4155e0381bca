// Worker-side channel and listener (see worker_listener.h).
#include "worker/worker_listener.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#if defined(__GLIBCXX__) && defined(__GXX_RTTI)
#include <ext/stdio_sync_filebuf.h>
#endif

#include "googletest/gtest_access.h"
#include "platform/process_tree.h"
#include "platform/sanitizers.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Queued events wait at most this long for company before being sent when
// the next test starts.
constexpr int64_t kBatchMicros = 1000;
// And the queue is sent anyway once it holds this much.
constexpr size_t kBatchBytes = 64 << 10;
// Less than the shortest time in which a test can start a process.
constexpr int64_t kMicrosToStartAProcess = 3;

// Times are read from the shared status's clock: a reading costs tens of
// nanoseconds, so a test costs two, one at its start, one at its end.
int64_t NowMicros() { return SteadyMicros(); }

// The wall-clock time (epoch ms) of a steady-clock reading, for the times
// reports show.
int64_t EpochMsAt(int64_t steady_us) {
  static const int64_t offset_us =
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count() -
      NowMicros();
  return (steady_us + offset_us) / 1000;
}

// True when `stream` writes straight through to C's stdio, as libstdc++'s
// standard streams do while in sync with stdio (the default): flushing C's
// streams then flushes it too.
bool WritesThrough(const std::ostream& stream) {
#if defined(__GLIBCXX__) && defined(__GXX_RTTI)
  return dynamic_cast<__gnu_cxx::stdio_sync_filebuf<char>*>(stream.rdbuf()) !=
         nullptr;
#else
  (void)stream;
  return false;
#endif
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

WorkerChannel::WorkerChannel(Handle commands, Handle events, Handle output,
                             WorkerStatus* status)
    : commands_(commands),
      events_(events),
      output_(output),
      status_(status),
      identities_{IdentityOf(commands), IdentityOf(events),
                  IdentityOf(output)} {}

Handle WorkerChannel::BrokenHandle() const {
  const Handle handles[] = {commands_, events_, output_};
  for (int i = 0; i < 3; ++i) {
    if (!(IdentityOf(handles[i]) == identities_[i])) return handles[i];
  }
  return kNoHandle;
}

void WorkerChannel::CheckIntact() {
  const Handle broken = BrokenHandle();
  if (broken == kNoHandle) return;
  status_->fault_fd.store(static_cast<int32_t>(broken),
                          std::memory_order_relaxed);
  status_->fault.store(static_cast<int32_t>(Fault::kChannelBroken),
                       std::memory_order_release);
  // Nothing can be reported any more: leave at once, without running the
  // program's exit handlers in the middle of a test.
  EndProcessTree(kBrokenChannelExitCode);
}

WorkerChannel::StandardStreams::StandardStreams()
    : out(std::cout.rdbuf()),
      err(std::cerr.rdbuf()),
      log(std::clog.rdbuf()),
      through(WritesThrough(std::cout) && WritesThrough(std::cerr) &&
              WritesThrough(std::clog)) {}

bool WorkerChannel::StandardStreams::Unchanged() const {
  return std::cout.rdbuf() == out && std::cerr.rdbuf() == err &&
         std::clog.rdbuf() == log;
}

int64_t WorkerChannel::OutputOffset() { return FlushStreams(false); }

int64_t WorkerChannel::FlushStreams(bool checked) {
  // Usually the C++ streams have nothing of their own to flush: a test
  // costs no stream flushes then, only C's.
  if (!streams_.through || !streams_.Unchanged()) {
    std::cout.flush();
    std::cerr.flush();
    std::clog.flush();
  }
  // The C streams that write to the output. (Streams of the test's own
  // on other files are its business, and flushing them all walks and
  // locks every open stream.)
  std::fflush(stdout);
  std::fflush(stderr);
  // Both also repair stdout and stderr if a test closed them, the checked
  // one also if a test pointed them at another file: the next tests'
  // output must not go with them.
  output_offset_ = checked ? StandardOutputSize(output_)
                           : StandardOutputEnd(output_, output_offset_);
  return output_offset_;
}

void WorkerChannel::Send(Message message, bool at_output) {
  if (at_output) message.offset = FlushStreams(true);
  if (start_held_) {
    // A test's end says all its start would have said.
    const auto* end = std::get_if<TestEnd>(&message.body);
    if (end != nullptr &&
        end->test == std::get<TestStart>(held_start_.body).test) {
      start_held_ = false;
    }
  }
  QueueHeldStart();
  Encode(message, &pending_events_);
}

void WorkerChannel::HoldStart(const TestStart& start, int64_t offset) {
  QueueHeldStart();
  std::get<TestStart>(held_start_.body) = start;
  held_start_.offset = offset;
  start_held_ = true;
}

void WorkerChannel::QueueHeldStart() {
  if (!start_held_) return;
  Encode(held_start_, &pending_events_);
  start_held_ = false;
}

void WorkerChannel::Flush() {
  last_flush_us_ = NowMicros();
  FlushStreams(true);
  QueueHeldStart();
  if (pending_events_.empty()) return;
  if (!WriteAll(events_, pending_events_.data(), pending_events_.size())) {
    Lost("cannot write to the coordinator");
  }
  pending_events_.clear();
}

void WorkerChannel::MaybeFlush(int64_t now_us) {
  if (pending_events_.size() >= kBatchBytes ||
      now_us - last_flush_us_ >= kBatchMicros) {
    Flush();
  }
}

void WorkerChannel::ReadMore() {
  char buffer[4096];
  const long got = ReadSome(commands_, buffer, sizeof(buffer));
  if (got <= 0) Lost("the coordinator closed the channel");
  decoder_.Feed(buffer, static_cast<size_t>(got));
  if (!decoder_.error().empty()) Lost(decoder_.error());
}

Message WorkerChannel::Receive() {
  Flush();
  Message message;
  while (!decoder_.Next(&message)) ReadMore();
  return message;
}

void WorkerChannel::Lost(const std::string& why) {
  (void)why;
  // A test that broke the channel is named through the shared status.
  CheckIntact();
  // Otherwise the coordinator is gone: nobody is left to report to. Leave
  // at once, without running the program's exit handlers in the middle of
  // a test, and take the tests' processes along.
  EndProcessTree(0);
}

WorkerListener::WorkerListener(WorkerChannel* channel, const TestPlan* plan,
                               WorkerStatus* status)
    : channel_(channel),
      plan_(plan),
      status_(status),
      sanitizers_(DetectSanitizers()) {}

void WorkerListener::Enter(Scope scope, int test, int64_t now_us,
                           int64_t offset) {
  scope_ = scope;
  test_ = test;
  status_->output_offset.store(offset, std::memory_order_relaxed);
  status_->since_ms.store(now_us / 1000, std::memory_order_relaxed);
  status_->suite.store(scope == Scope::kGlobal ? -1 : suite_,
                       std::memory_order_relaxed);
  status_->test.store(test, std::memory_order_relaxed);
  if (scope == Scope::kTest) {
    status_->last_test.store(test, std::memory_order_relaxed);
  }
  status_->scope.store(static_cast<int32_t>(scope), std::memory_order_release);
}

void WorkerListener::EnterGlobal() {
  Enter(Scope::kGlobal, -1, NowMicros(), channel_->OutputOffset());
}

void WorkerListener::CheckChildren(bool blame) {
  if (!HasChildren()) {  // The usual case: one system call.
    known_children_.clear();
    return;
  }
  std::vector<int64_t> now = LiveChildren();
  std::vector<int64_t> left;
  for (int64_t pid : now) {
    if (std::find(known_children_.begin(), known_children_.end(), pid) ==
        known_children_.end()) {
      left.push_back(pid);
    }
  }
  if (!blame || left.empty()) {
    known_children_ = std::move(now);
    return;
  }
  std::string names;
  for (int64_t pid : left) {
    names += (names.empty() ? "" : ", ") + DescribeProcess(pid);
    KillChild(pid);
  }
  known_children_.clear();
  for (int64_t pid : now) {
    if (std::find(left.begin(), left.end(), pid) == left.end()) {
      known_children_.push_back(pid);
    }
  }
  const std::string message = "gtest_parallel: the test left " +
                              std::to_string(left.size()) +
                              (left.size() == 1 ? " process" : " processes") +
                              " running (" + names + "); killed.";
  testing::internal::AssertHelper(testing::TestPartResult::kNonFatalFailure,
                                  nullptr, -1, message.c_str()) =
      testing::Message();
  // Processes those leave behind become ours: catch them next time.
}

bool WorkerListener::Cancelled() const {
  return status_->cancel.load(std::memory_order_relaxed) != 0;
}

void WorkerListener::EnterIdle() {
  Enter(Scope::kIdle, -1, NowMicros(), channel_->OutputOffset());
}

void WorkerListener::EnterExit() {
  Enter(Scope::kExit, -1, NowMicros(), channel_->OutputOffset());
}

void WorkerListener::CheckSanitizers() {
  // Reports the sanitizers printed while the test ran (ThreadSanitizer,
  // UndefinedBehaviorSanitizer, recoverable AddressSanitizer errors, and
  // those of processes the test started).
  std::vector<std::string> found;
  const int64_t end = channel_->OutputOffset();
  if (end > test_offset_) {
    const std::string output = ReadAt(channel_->output(), test_offset_,
                                      static_cast<size_t>(end - test_offset_));
    found = SanitizerReportsIn(output);
    if (!found.empty()) {
      races_ += CountReports(output, "ThreadSanitizer");
      valgrind_errors_ += CountReports(output, "valgrind");
    }
  }
  // Leaks: checked now, and printed into the test's output.
  if (sanitizers_.leak) {
    const std::string leaks = leaks_.NewLeaks();
    if (!leaks.empty()) {
      std::fputs(leaks.c_str(), stderr);
      std::fflush(stderr);
      found.push_back("LeakSanitizer found memory the test leaked");
    }
  }
  for (const std::string& what : found) {
    const std::string message =
        "gtest_parallel: " + what +
        " while this test ran (the report is in the test's output)";
    testing::internal::AssertHelper(testing::TestPartResult::kNonFatalFailure,
                                    nullptr, -1, message.c_str()) =
        testing::Message();
  }
}

void WorkerListener::BeginSuite(int suite, const std::vector<int>& tests,
                                bool last) {
  suite_ = suite;
  unfinished_.clear();
  AddGrant(tests, last);
}

void WorkerListener::AddGrant(const std::vector<int>& tests, bool last) {
  for (int id : tests) SetShouldRun(plan_->test(id), true);
  if (!tests.empty()) first_granted_ = tests.front();
  unfinished_.insert(unfinished_.end(), tests.begin(), tests.end());
  last_grant_ = last;
}

void WorkerListener::OnTestSuiteStart(const testing::TestSuite& /*suite*/) {
  phase_start_us_ = NowMicros();
  Enter(Scope::kSuiteSetUp, -1, phase_start_us_, channel_->OutputOffset());
}

void WorkerListener::OnTestStart(const testing::TestInfo& test) {
  const int64_t now_us = NowMicros();
  // Right after the previous test's end nothing has run that could print:
  // its offset still holds.
  const int64_t offset =
      scope_ == Scope::kSuiteTearDown ? last_offset_ : channel_->OutputOffset();
  if (scope_ == Scope::kSuiteSetUp) {
    const SuiteSetUp set_up{suite_, EpochMsAt(phase_start_us_),
                            (now_us - phase_start_us_) / 1000};
    channel_->Send(Message{set_up, offset}, false);
  }
  if (scope_ == Scope::kSuiteSetUp) NoteChildren();
  Enter(Scope::kTest, plan_->IdOf(&test, first_granted_), now_us, offset);
  test_offset_ = offset;
  test_parts_ = 0;
  first_granted_ = -1;
  test_start_us_ = now_us;
  channel_->MaybeFlush(now_us);
  // Most tests end with nothing else to say first: their TestEnd says it.
  channel_->HoldStart(TestStart{test_, EpochMsAt(now_us)}, offset);
}

void WorkerListener::OnTestPartResult(const testing::TestPartResult& result) {
  PartEvent event;
  event.scope = scope_;
  event.scope_id = scope_ == Scope::kTest     ? test_
                   : scope_ == Scope::kGlobal ? iteration_
                                              : suite_;
  Part& part = event.part;
  part.type = static_cast<int>(result.type());
  part.has_file = result.file_name() != nullptr;
  part.file = part.has_file ? result.file_name() : "";
  part.line = result.line_number();
  part.message = result.message();
  if (scope_ == Scope::kTest) ++test_parts_;
  channel_->Send(Message{std::move(event)}, true);
  // Results are rare and precious: should the test crash next, this one
  // must already be out.
  channel_->Flush();
}

void WorkerListener::OnTestEnd(const testing::TestInfo& test) {
  // Starting a process takes longer than that (fork, clone and vfork copy
  // or set up a whole task): a test that short cannot have left one, and
  // is spared the system call.
  const int64_t end_us = NowMicros();
  if (end_us - test_start_us_ >= kMicrosToStartAProcess) {
    channel_->CheckIntact();
    CheckChildren(true);
  }
  if (sanitizers_.any) CheckSanitizers();
  TestEnd end;
  const int end_id = plan_->IdOf(&test);
  end.test = end_id;
  end.start_ms = test.result()->start_timestamp();
  end.elapsed_ms = test.result()->elapsed_time();
  end.properties = PropertiesOf(*test.result());
  // A test may clear its results (TestResult::ClearTestPartResults()): what
  // counts is what its result holds at the end.
  const int parts = test.result()->total_part_count();
  if (parts != test_parts_) end.kept_parts = parts;
  const int64_t offset = channel_->OutputOffset();
  last_offset_ = offset;
  channel_->Send(Message{std::move(end), offset}, false);
  // A test with results (a failure, a skip) is rare and its end must not
  // be lost should the next one crash: a lost passing test is merely run
  // again.
  if (parts > 0) channel_->Flush();
  phase_start_us_ = end_us;
  Enter(Scope::kSuiteTearDown, -1, phase_start_us_, offset);
  // Tests end in the order granted (unless GoogleTest ran the suite in
  // another order than the plan's): the search stops at the front, and
  // erasing a deque's front takes constant time.
  const auto ended = std::find(unfinished_.begin(), unfinished_.end(), end_id);
  if (ended != unfinished_.end()) unfinished_.erase(ended);
  if (!unfinished_.empty()) {
    if (!Cancelled()) return;
    // Stop early: the rest of the grant is not run (and said so at the
    // suite's end).
    for (int id : plan_->tests_of(suite_)) {
      if (id != end_id) SetShouldRun(plan_->test(id), false);
    }
    channel_->Flush();
    return;
  }
  if (Cancelled() || last_grant_) {
    // TearDownTestSuite() comes next: should it crash, the tests' results
    // must already be out (they would be run again, and it crash again).
    channel_->Flush();
    return;
  }
  channel_->Send(Message{More{suite_}}, false);
  const Message reply = channel_->Receive();
  const Grant* grant = std::get_if<Grant>(&reply.body);
  if (grant != nullptr && grant->suite == suite_) {
    AddGrant(grant->tests, grant->last);
  }
}

void WorkerListener::OnTestSuiteEnd(const testing::TestSuite& suite) {
  SuiteEnd end;
  end.suite = suite_;
  const int64_t now_us = NowMicros();
  end.tear_down_ms = (now_us - phase_start_us_) / 1000;
  end.properties = PropertiesOf(suite.ad_hoc_test_result());
  // Granted tests GoogleTest's run of the suite did not reach go back.
  end.unreached.assign(unfinished_.begin(), unfinished_.end());
  unfinished_.clear();
  const int64_t offset = channel_->OutputOffset();
  channel_->Send(Message{std::move(end), offset}, false);
  channel_->Flush();
  Enter(Scope::kGlobal, -1, now_us, offset);
}

}  // namespace internal
}  // namespace gtest_parallel
