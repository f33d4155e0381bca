// The wire protocol between the coordinator and its workers.
//
// Three channels per worker:
//  * commands and events: length-prefixed binary messages (Encode/Decoder),
//    work grants one way, the worker's GoogleTest events the other way. The
//    worker batches events, so a fast test costs no system call;
//  * the worker's stdout and stderr: one append-only file. Events carry the
//    file's size when they happened, so the coordinator can cut the output
//    at the exact point of each event without the worker writing anything;
//  * a WorkerStatus in shared memory: what the worker is doing right now,
//    written without system calls, read by the coordinator to blame a crash
//    on the right test and to time tests out.
#ifndef GTEST_PARALLEL_PROTOCOL_H_
#define GTEST_PARALLEL_PROTOCOL_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// Bumped whenever a message changes shape.
inline constexpr int kProtocolVersion = 1;

// Largest message a peer may send; anything longer is malformed.
inline constexpr uint32_t kMaxMessageBytes = 64u << 20;

enum class MessageType : uint8_t {
  // Worker to coordinator.
  kHello = 1,          // id: pid, a: test count, b: test-list fingerprint.
  kEnvSetUp = 2,       // id: iteration, a: 1 if tests may run, props.
  kRequest = 3,        // id: iteration: give me a suite to run.
  kSuiteSetUp = 4,     // id: suite, a: start ms, b: SetUpTestSuite ms.
  kTestStart = 5,      // id: test, a: start ms (epoch). Sent only when
                       // something (a part) comes before the test's end.
  kPart = 6,           // id: scope id, a: scope, part.
  kTestEnd = 7,        // id: test, a: start ms, b: elapsed ms, props,
                       // ids: [n] when the test cleared its results: only
                       // the last n parts it sent stand.
  kMore = 8,           // id: suite: more tests of the suite being run?
  kSuiteEnd = 9,       // id: suite, a: TearDownTestSuite ms, props,
                       // ids: granted tests the suite's run did not reach.
  kEnvTearDown = 10,   // id: iteration, props.
  kIterationEnd = 11,  // id: iteration, a: objects LeakSanitizer found
                       // leaked by tests so far, b: ThreadSanitizer
                       // reports on tests so far, ids: [valgrind errors
                       // on tests so far].
  // Coordinator to worker.
  kConfig = 64,  // id: first iteration, a: repeat count, b: seed,
                 // ids: [workers], props: databases to attach to.
  kGrant = 65,   // id: suite, ids: tests in run order, b: 1 when the
                 // suite has no more to give (no kMore needed).
  kNoMore = 66,  // No more tests of that suite; or, to kRequest, none now.
  kDone = 67,    // Nothing left in this iteration.
};

// What a kPart result belongs to.
enum class Scope : uint8_t {
  kGlobal = 0,         // A global environment (id: iteration).
  kSuiteSetUp = 1,     // SetUpTestSuite (id: suite).
  kTest = 2,           // A test, fixture included (id: test).
  kSuiteTearDown = 3,  // TearDownTestSuite (id: suite).
  kIdle = 4,           // Waiting for work (WorkerStatus only).
  kExit = 5,           // Past its last iteration: leaving (WorkerStatus
                       // only). Static destructors, sanitizers' exit checks.
};

// Why a worker ended on its own, told through WorkerStatus::fault where its
// channel can no longer tell it.
enum class Fault : int32_t {
  kNone = 0,
  // A test closed or replaced the file descriptors of the worker's channel
  // (WorkerStatus::fault_fd says which); WorkerStatus::last_test ran last.
  kChannelBroken = 1,
};

// The exit status of a worker that left because of a Fault.
inline constexpr int kBrokenChannelExitCode = 3;

// One testing::TestPartResult.
struct Part {
  int type = 0;           // testing::TestPartResult::Type.
  bool has_file = false;  // False when GoogleTest knew no file.
  std::string file;
  int line = -1;
  std::string message;  // The full message, as TestPartResult::message().
  bool operator==(const Part& o) const {
    return type == o.type && has_file == o.has_file && file == o.file &&
           line == o.line && message == o.message;
  }
};

// One RecordProperty() call.
struct Property {
  std::string key;
  std::string value;
  bool operator==(const Property& o) const {
    return key == o.key && value == o.value;
  }
};

// A message of either direction; fields unused by a type stay empty.
struct Message {
  MessageType type = MessageType::kHello;
  // Size of the worker's output file when the event happened; the output
  // since the previous event's offset belongs before this event. -1: none.
  int64_t offset = -1;
  int64_t id = 0;
  int64_t a = 0;
  int64_t b = 0;
  std::vector<int32_t> ids;
  Part part;
  std::vector<Property> props;
  std::string text;
};

// Appends the framed encoding of `message` to `out`.
void Encode(const Message& message, std::string* out);

// Splits a byte stream into messages. Feed bytes as they arrive; Next()
// yields each complete message. A malformed stream is reported once through
// error() and yields nothing further.
class Decoder {
 public:
  void Feed(const char* data, size_t size);
  // Returns true and fills `message` when a whole message is buffered.
  bool Next(Message* message);
  // Empty while the stream is well formed.
  const std::string& error() const { return error_; }
  // Bytes of an incomplete message still buffered (a peer that died
  // mid-message leaves some).
  size_t pending() const { return buffer_.size() - offset_; }

 private:
  std::string buffer_;
  size_t offset_ = 0;
  std::string error_;
};

// The clock of WorkerStatus::since_ms, in microseconds: the steady clock,
// which every process of the machine shares.
inline int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What a worker is doing, in memory shared with the coordinator. Written
// by the worker, except `cancel`; fields are independent snapshots.
struct WorkerStatus {
  std::atomic<int32_t> cancel;         // Set by the coordinator: stop after
                                       // the running test.
  std::atomic<int32_t> scope;          // A Scope.
  std::atomic<int32_t> suite;          // -1 outside a suite.
  std::atomic<int32_t> test;           // -1 outside a test.
  std::atomic<int64_t> since_ms;       // When the scope began
                                       // (SteadyMicros() / 1000).
  std::atomic<int64_t> output_offset;  // Output file size at that moment.
  std::atomic<int32_t> last_test;      // The last test started, -1: none.
  std::atomic<int32_t> fault;          // A Fault, set just before leaving.
  std::atomic<int32_t> fault_fd;       // The descriptor a fault is about.
};
static_assert(std::atomic<int64_t>::is_always_lock_free &&
                  std::atomic<int32_t>::is_always_lock_free,
              "WorkerStatus must be lock-free to live in shared memory");

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PROTOCOL_H_
