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
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace gtest_parallel {
namespace internal {

// Bumped whenever a message changes shape. Hello carries it first (since
// version 2; version 1 sent none), so that the coordinator tells a worker
// of another build of the program from a broken channel.
inline constexpr int32_t kProtocolVersion = 2;

// Largest message a peer may send; anything longer is malformed.
inline constexpr uint32_t kMaxMessageBytes = 64u << 20;

// The tag that starts each message on the wire; the structs below say
// what each carries. Values never change meaning: kHello stays 1, so that
// any later build can read another's version.
enum class MessageType : uint8_t {
  // Worker to coordinator.
  kHello = 1,
  kEnvSetUp = 2,
  kRequest = 3,
  kSuiteSetUp = 4,
  kTestStart = 5,
  kPart = 6,
  kTestEnd = 7,
  kMore = 8,
  kSuiteEnd = 9,
  kEnvTearDown = 10,
  kIterationEnd = 11,
  // Coordinator to worker.
  kConfig = 64,
  kGrant = 65,
  kNoMore = 66,
  kDone = 67,
};

// True for the messages the coordinator sends, false for the workers'.
constexpr bool IsCommand(MessageType type) {
  return static_cast<uint8_t>(type) >=
         static_cast<uint8_t>(MessageType::kConfig);
}

// What a PartEvent belongs to.
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

// The messages. Each lists its fields in wire order in Tie(), which the
// encoder, the decoder and operator== all go by. Tests, suites and
// iterations are named by their TestPlan ids; times in ms are wall-clock
// times since the epoch (start_ms) or durations.

// Worker to coordinator, first: which build it is and what it sees. A
// worker that sees another list of tests, or speaks another version, is
// refused and the run fails.
struct Hello {
  static constexpr MessageType kType = MessageType::kHello;
  // First on the wire in every version; when it is not kProtocolVersion,
  // the only field decoded (the rest may have another shape).
  int32_t version = kProtocolVersion;
  int64_t pid = 0;
  int test_count = 0;        // TestPlan::test_count().
  uint64_t fingerprint = 0;  // TestPlan::fingerprint() of the test list.
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.version, m.pid, m.test_count, m.fingerprint);
  }
};

// The global environments were set up for an iteration.
struct EnvSetUp {
  static constexpr MessageType kType = MessageType::kEnvSetUp;
  int iteration = 0;
  bool may_run = true;               // They neither skipped nor failed fatally.
  std::vector<Property> properties;  // Recorded outside any test.
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.iteration, m.may_run, m.properties);
  }
};

// The worker is idle in an iteration: a Grant of a suite to run, please;
// Done when there is none. Without `may_run` (the global environments
// skipped or failed fatally) the answer is always Done.
struct Request {
  static constexpr MessageType kType = MessageType::kRequest;
  int iteration = 0;
  bool may_run = true;
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.iteration, m.may_run);
  }
};

// A suite's SetUpTestSuite() ran (before its first test started).
struct SuiteSetUp {
  static constexpr MessageType kType = MessageType::kSuiteSetUp;
  int suite = 0;
  int64_t start_ms = 0;   // When it began.
  int64_t set_up_ms = 0;  // How long it took.
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.suite, m.start_ms, m.set_up_ms);
  }
};

// A test started. Sent only when something (a PartEvent) comes before its
// TestEnd, which otherwise says it all.
struct TestStart {
  static constexpr MessageType kType = MessageType::kTestStart;
  int test = 0;
  int64_t start_ms = 0;
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.test, m.start_ms);
  }
};

// A result (an assertion's failure, a skip, a SUCCEED()) as it happened.
struct PartEvent {
  static constexpr MessageType kType = MessageType::kPart;
  Scope scope = Scope::kGlobal;  // What it belongs to; scope_id says which:
  int scope_id = 0;  // the iteration (kGlobal), the suite or the test.
  Part part;
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.scope, m.scope_id, m.part);
  }
};

// A test ended, fixture included.
struct TestEnd {
  static constexpr MessageType kType = MessageType::kTestEnd;
  int test = 0;
  int64_t start_ms = 0;    // GoogleTest's start timestamp.
  int64_t elapsed_ms = 0;  // GoogleTest's elapsed time.
  std::vector<Property> properties;
  // Set when the test cleared its results: only the last `kept_parts` of
  // the parts it sent stand.
  std::optional<int> kept_parts;
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.test, m.start_ms, m.elapsed_ms, m.properties,
                    m.kept_parts);
  }
};

// The granted tests of the suite being run all ended: more of them? The
// answer is a Grant of the same suite or NoMore.
struct More {
  static constexpr MessageType kType = MessageType::kMore;
  int suite = 0;
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.suite);
  }
};

// A suite's run ended, TearDownTestSuite() included.
struct SuiteEnd {
  static constexpr MessageType kType = MessageType::kSuiteEnd;
  int suite = 0;
  int64_t tear_down_ms = 0;          // How long TearDownTestSuite() took.
  std::vector<Property> properties;  // Recorded outside the suite's tests.
  std::vector<int> unreached;        // Granted tests the run did not reach.
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.suite, m.tear_down_ms, m.properties, m.unreached);
  }
};

// The global environments were torn down after an iteration.
struct EnvTearDown {
  static constexpr MessageType kType = MessageType::kEnvTearDown;
  int iteration = 0;
  std::vector<Property> properties;  // Recorded outside any test.
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.iteration, m.properties);
  }
};

// The worker is done with an iteration. The counts are what sanitizers
// reported on its tests so far (their exit checks repeat them).
struct IterationEnd {
  static constexpr MessageType kType = MessageType::kIterationEnd;
  int iteration = 0;
  int64_t leaked_objects = 0;  // LeakSanitizer's.
  int races = 0;               // ThreadSanitizer's reports.
  int valgrind_errors = 0;
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.iteration, m.leaked_objects, m.races, m.valgrind_errors);
  }
};

// Coordinator to worker, the answer to Hello: how to run.
struct Config {
  static constexpr MessageType kType = MessageType::kConfig;
  int first_iteration = 0;
  int repeat = 1;   // Iterations of the run in all; negative: forever.
  int seed = 0;     // The first iteration's shuffle seed.
  int workers = 0;  // Workers of the run (early workers guessed a count).
  // The databases to attach to, as EncodeAssignments (run_databases.h)
  // puts them; empty: none.
  std::vector<Property> databases;
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.first_iteration, m.repeat, m.seed, m.workers,
                    m.databases);
  }
};

// Tests of a suite to run, the answer to Request (the run of the suite
// starts) or to More (it goes on).
struct Grant {
  static constexpr MessageType kType = MessageType::kGrant;
  int suite = 0;
  std::vector<int> tests;  // In run order.
  bool last = false;       // The suite has no more to give: no More needed.
  template <typename Self>
  static auto Tie(Self& m) {
    return std::tie(m.suite, m.tests, m.last);
  }
};

// The answer to More: no more tests of that suite.
struct NoMore {
  static constexpr MessageType kType = MessageType::kNoMore;
  template <typename Self>
  static auto Tie(Self& /*m*/) {
    return std::tie();
  }
};

// The answer to Request: nothing left for this worker in the iteration.
struct Done {
  static constexpr MessageType kType = MessageType::kDone;
  template <typename Self>
  static auto Tie(Self& /*m*/) {
    return std::tie();
  }
};

// Two messages of a type are equal when all their fields are.
template <typename M, typename = decltype(M::kType)>
bool operator==(const M& a, const M& b) {
  return M::Tie(a) == M::Tie(b);
}

// Any message.
using MessageBody =
    std::variant<Hello, EnvSetUp, Request, SuiteSetUp, TestStart, PartEvent,
                 TestEnd, More, SuiteEnd, EnvTearDown, IterationEnd, Config,
                 Grant, NoMore, Done>;

// A message as it travels.
struct Message {
  MessageBody body;
  // Size of the worker's output file when the event happened; the output
  // since the previous event's offset belongs before this event. -1: none
  // (and always in the coordinator's messages).
  int64_t offset = -1;
  bool operator==(const Message& o) const {
    return offset == o.offset && body == o.body;
  }
};

// The type tag of a message.
inline MessageType TypeOf(const Message& message) {
  return std::visit([](const auto& body) { return body.kType; }, message.body);
}

// Empty when a worker's Hello says `version` is the protocol it speaks, the
// coordinator's; else why not, in one line: "speaks protocol version 1, the
// coordinator version 2 (...)".
std::string VersionMismatch(int32_t version);

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
