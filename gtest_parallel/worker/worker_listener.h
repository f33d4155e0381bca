// The worker's side of the protocol: its channel to the coordinator and the
// GoogleTest listener that turns the events of the tests it runs into
// messages.
#ifndef GTEST_PARALLEL_WORKER_LISTENER_H_
#define GTEST_PARALLEL_WORKER_LISTENER_H_

#include <gtest/gtest.h>

#include <deque>
#include <streambuf>
#include <string>
#include <vector>

#include "googletest/test_plan.h"
#include "platform/files.h"
#include "platform/sanitizers.h"
#include "protocol/protocol.h"

namespace gtest_parallel {
namespace internal {

// Framed messages to and from the coordinator. Events are queued and go
// out together, so that a run of fast tests costs no system call per test:
// Flush() sends at once, MaybeFlush() only when the queue has waited long
// enough.
class WorkerChannel {
 public:
  // `status`: where a channel a test broke is reported (see Fault).
  WorkerChannel(Handle commands, Handle events, Handle output,
                WorkerStatus* status);

  // Leaves through the shared status (Fault::kChannelBroken) if a test
  // closed or replaced one of the channel's handles; the events cannot say
  // it any more. Costs a system call per handle.
  void CheckIntact();

  // Queues a message. With `at_output`, it records the size the output
  // file has once the standard streams are flushed (checked: see
  // FlushStreams).
  void Send(Message message, bool at_output);
  // Keeps a test's TestStart (at output offset `offset`) back: it is
  // queued before whatever comes next, unless that is the same test's
  // TestEnd, which says it all.
  void HoldStart(const TestStart& start, int64_t offset);
  // Writes what is queued, after a checked FlushStreams.
  void Flush();
  // `now_us`: the time on the steady clock, in microseconds.
  void MaybeFlush(int64_t now_us);
  // Size of the output file after flushing the standard streams.
  int64_t OutputOffset();
  // The output file, for reading back what a test wrote.
  Handle output() const { return output_; }
  // The same; `checked`: with the stat that also catches a test that
  // pointed stdout at another file (StandardOutputSize), rather than the
  // cheaper StandardOutputEnd.
  int64_t FlushStreams(bool checked);
  // Flushes, then blocks for the next command. Exits the process when the
  // coordinator has gone away.
  Message Receive();

 private:
  // std::cout, std::cerr and std::clog's buffers as the worker started.
  struct StandardStreams {
    StandardStreams();
    bool Unchanged() const;  // Nobody replaced any buffer since.
    const std::streambuf *out, *err, *log;
    bool through;  // Each wrote straight through to C's stdio.
  };

  void ReadMore();
  void QueueHeldStart();
  [[noreturn]] void Lost(const std::string& why);

  // The first of the channel's handles that no longer is what it was.
  Handle BrokenHandle() const;

  Handle commands_, events_, output_;
  WorkerStatus* status_;
  HandleIdentity identities_[3];  // commands_, events_, output_ at the start.
  const StandardStreams streams_;
  int64_t output_offset_ = 0;        // The last OutputOffset().
  Message held_start_{TestStart()};  // Always a TestStart.
  bool start_held_ = false;
  std::string pending_events_;
  int64_t last_flush_us_ = 0;
  Decoder decoder_;
};

// Reports GoogleTest events of a worker to the coordinator, and takes more
// tests of the running suite when the granted ones are done.
class WorkerListener : public testing::EmptyTestEventListener {
 public:
  WorkerListener(WorkerChannel* channel, const TestPlan* plan,
                 WorkerStatus* status);

  // The worker loop announces what it is about to do.
  void BeginIteration(int iteration) { iteration_ = iteration; }
  // Takes note of the processes running now, which the next test may leave
  // running without blame (a suite's or an environment's servers, say).
  void NoteChildren() { CheckChildren(false); }

  // Entering the global environments' SetUp/TearDown, or waiting for work.
  void EnterGlobal();
  void EnterIdle();
  // Past the last iteration: what follows is the program's exit.
  void EnterExit();
  // What sanitizers reported on tests so far: leaked objects,
  // ThreadSanitizer reports and valgrind errors (their exit checks repeat
  // them).
  long leaked_objects() const { return leaks_.objects(); }
  int races() const { return races_; }
  int valgrind_errors() const { return valgrind_errors_; }
  // `last`: the suite has nothing more to give after these tests.
  void BeginSuite(int suite, const std::vector<int>& tests, bool last);

  void OnTestSuiteStart(const testing::TestSuite& suite) override;
  void OnTestStart(const testing::TestInfo& test) override;
  void OnTestPartResult(const testing::TestPartResult& result) override;
  void OnTestEnd(const testing::TestInfo& test) override;
  void OnTestSuiteEnd(const testing::TestSuite& suite) override;

 private:
  // Marks granted tests to run.
  void AddGrant(const std::vector<int>& tests, bool last);
  bool Cancelled() const;
  // Fails the running test (when `blame`) for child processes it left
  // running, and kills them.
  void CheckChildren(bool blame);
  // Fails the running test for the sanitizer reports it caused: leaks
  // (checked now) and reports printed while it ran.
  void CheckSanitizers();
  // Publishes what the worker does now in the shared status.
  // `now_us`: the steady clock's time.
  void Enter(Scope scope, int test, int64_t now_us, int64_t offset);

  WorkerChannel* channel_;
  const TestPlan* plan_;
  WorkerStatus* status_;
  int iteration_ = 0;
  Scope scope_ = Scope::kGlobal;
  int suite_ = -1;
  int test_ = -1;
  std::deque<int> unfinished_;  // Granted tests of the suite not ended.
  int first_granted_ = -1;      // The first test of a grant not yet started.
  bool last_grant_ = false;     // No use asking for more tests of the suite.
  int64_t phase_start_us_ = 0;  // Steady clock, when the phase began.
  int64_t test_start_us_ = 0;   // Steady clock, when the running test began.
  int64_t last_offset_ = 0;     // Output offset at the last test's end.
  int test_parts_ = 0;          // Parts the running test has sent.
  std::vector<int64_t> known_children_;  // Running, and nobody's fault.
  int64_t test_offset_ = 0;  // Output offset at the running test's start.
  const Sanitizers sanitizers_;
  LeakChecker leaks_;
  int races_ = 0;
  int valgrind_errors_ = 0;
};

// The properties recorded in a result.
std::vector<Property> PropertiesOf(const testing::TestResult& result);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_WORKER_LISTENER_H_
