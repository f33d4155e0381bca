// The worker's side of the protocol: its channel to the coordinator and the
// GoogleTest listener that turns the events of the tests it runs into
// messages.
#ifndef GTEST_PARALLEL_WORKER_LISTENER_H_
#define GTEST_PARALLEL_WORKER_LISTENER_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "process.h"
#include "protocol.h"
#include "test_plan.h"

namespace gtest_parallel {
namespace internal {

// Framed messages to and from the coordinator, plus output markers.
// Messages are buffered and go out together on Flush(), markers first, so a
// test costs one write on each pipe.
class WorkerChannel {
 public:
  WorkerChannel(Handle commands, Handle events, Handle output);

  void set_nonce(const std::string& nonce) { nonce_ = nonce; }

  // Queues a message; a marked one gets an output marker.
  void Send(Message message, bool marked);
  // Flushes the C and C++ standard streams, then writes what is queued.
  void Flush();
  // Flushes, then blocks for the next command. A kCancel on the way is
  // remembered (cancelled()) and skipped. Exits the process when the
  // coordinator has gone away.
  Message Receive();
  // Checks, without blocking, for a kCancel.
  bool cancelled();

 private:
  bool ReadMore(bool block);
  [[noreturn]] void Lost(const std::string& why);

  Handle commands_, events_, output_;
  std::string nonce_;
  uint32_t seq_ = 0;
  std::string pending_events_;
  std::string pending_markers_;
  Decoder decoder_;
  bool cancelled_ = false;
};

// Reports GoogleTest events of a worker to the coordinator, and takes more
// tests of the running suite when the granted ones are done.
class WorkerListener : public testing::EmptyTestEventListener {
 public:
  WorkerListener(WorkerChannel* channel, const TestPlan* plan);

  // The worker loop announces what it is about to do.
  void BeginIteration(int iteration) { iteration_ = iteration; }
  void BeginSuite(int suite, const std::vector<int>& tests);

  void OnTestSuiteStart(const testing::TestSuite& suite) override;
  void OnTestStart(const testing::TestInfo& test) override;
  void OnTestPartResult(const testing::TestPartResult& result) override;
  void OnTestEnd(const testing::TestInfo& test) override;
  void OnTestSuiteEnd(const testing::TestSuite& suite) override;

 private:
  void Grant(const std::vector<int>& tests);

  WorkerChannel* channel_;
  const TestPlan* plan_;
  int iteration_ = 0;
  Scope scope_ = Scope::kGlobal;
  int suite_ = -1;
  int test_ = -1;
  size_t granted_left_ = 0;  // Granted tests of the suite not yet ended.
  std::vector<int> granted_;  // Granted tests not yet started.
  int64_t phase_start_ms_ = 0;
};

// The properties recorded in a result.
std::vector<Property> PropertiesOf(const testing::TestResult& result);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_WORKER_LISTENER_H_
