// The wire protocol between the coordinator and its workers.
//
// Two byte streams per worker:
//  * the channel: length-prefixed binary messages, worker events one way and
//    work grants the other way (Encode/Decoder below);
//  * the worker's stdout+stderr, into which the worker writes small markers
//    (OutputMarker) just before it sends a marked event, so the coordinator
//    can cut the captured output at the exact point each event happened
//    (OutputDemux). A marker is shorter than PIPE_BUF, so it is written
//    atomically even while other processes share the pipe.
#ifndef GTEST_PARALLEL_PROTOCOL_H_
#define GTEST_PARALLEL_PROTOCOL_H_

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
  kTestStart = 5,      // id: test, a: start ms (epoch).
  kPart = 6,           // id: scope id, a: scope, part.
  kTestEnd = 7,        // id: test, a: start ms, b: elapsed ms, props.
  kMore = 8,           // id: suite: more tests of the suite being run?
  kSuiteEnd = 9,       // id: suite, a: TearDownTestSuite ms, props.
  kEnvTearDown = 10,   // id: iteration, props.
  kIterationEnd = 11,  // id: iteration.
  // Coordinator to worker.
  kConfig = 64,  // id: first iteration, a: repeat count, b: seed, text: nonce.
  kGrant = 65,   // id: suite, ids: tests in run order.
  kNoMore = 66,  // No more tests of that suite; or, to kRequest, none now.
  kDone = 67,    // Nothing left in this iteration.
  kCancel = 68,  // Stop after the running test.
};

// What a kPart result belongs to.
enum class Scope : uint8_t {
  kGlobal = 0,          // A global environment (id: iteration).
  kSuiteSetUp = 1,      // SetUpTestSuite (id: suite).
  kTest = 2,            // A test, fixture included (id: test).
  kSuiteTearDown = 3,   // TearDownTestSuite (id: suite).
};

// One testing::TestPartResult.
struct Part {
  int type = 0;          // testing::TestPartResult::Type.
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
  uint32_t seq = 0;     // The sender's message number, from 1.
  bool marked = false;  // An OutputMarker(seq) precedes it in the output.
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

// The marker the worker writes into its output before marked event `seq`.
std::string OutputMarker(const std::string& nonce, uint32_t seq);

// Splits captured output into text and markers. Text that merely looks like
// the start of a marker is held back until it can be told apart.
class OutputDemux {
 public:
  struct Piece {
    bool is_marker = false;
    uint32_t seq = 0;  // When is_marker.
    std::string text;  // Otherwise.
  };
  explicit OutputDemux(std::string nonce);
  // Appends the pieces found in `data` to `out`.
  void Feed(const char* data, size_t size, std::vector<Piece>* out);
  // At end of stream: whatever was held back is plain text.
  void Finish(std::vector<Piece>* out);

 private:
  std::string prefix_;  // "\x1e" "gtp" nonce ":"
  std::string held_;
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PROTOCOL_H_
