// What the parts of the coordinator share and nobody else sees: its time
// limits, its small helpers and the state it keeps per worker (Slot). The
// coordinator's member functions live in three files: coordinator.cc (the
// run's lifecycle and what the replay calls), coordinator_events.cc (the
// I/O thread: workers' events into records) and coordinator_deaths.cc
// (interrupts, timeouts, reaping, and what a worker's death costs).
#ifndef GTEST_PARALLEL_COORDINATOR_SLOT_H_
#define GTEST_PARALLEL_COORDINATOR_SLOT_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/coordinator.h"
#include "platform/process.h"

namespace gtest_parallel {
namespace internal {

// A worker that dies this many times in a row without finishing a test is
// not restarted again.
constexpr int kMaxFailuresInARow = 3;
// How often a test a worker's run of its suite started with, but which
// GoogleTest did not reach (see NotRunLocked), is offered again before it
// fails.
constexpr int kMaxNotRun = 2;
// How long a child a dead worker forked may keep its event pipe open.
constexpr int64_t kEventsGraceMs = 200;
// How long a worker may live on after closing its channel.
constexpr int64_t kChannelGraceMs = 2000;
// How often a worker is looked at for having died without a word.
constexpr int64_t kCheckEveryMs = 100;
// How long a timed-out worker gets between SIGTERM and SIGKILL.
constexpr int64_t kTerminateGraceMs = 1000;
// How long running tests may finish after the first interrupt.
constexpr int64_t kInterruptGraceMs = 2000;
// How long Finish() waits for workers to leave by themselves.
constexpr int64_t kFinishGraceMs = 5000;

// Writes a notice to stderr, after the console lines printed so far (which
// the replay may still hold in stdout's buffer).
#ifdef __GNUC__
__attribute__((format(printf, 1, 2)))
#endif
void Notice(const char* format, ...);
// The clock of the workers' shared status, in milliseconds.
int64_t NowMs();
// Wall-clock milliseconds since the epoch (records keep these).
int64_t EpochMs();
// The name of an interrupt FirstInterrupt() reports (the numbers are
// POSIX's on every platform).
std::string InterruptName(int signal);
// "1.2 s".
std::string Seconds(int64_t ms);

// One worker id and the process currently serving it.
struct Coordinator::Slot {
  int id = 0;
  std::unique_ptr<ChildProcess> process;
  Decoder decoder;
  Message message;         // The one being handled, reused for the next.
  int64_t consumed = 0;    // Output file offset handed to records so far.
  int64_t dropped_to = 0;  // Output before this offset was cut (a flood).
  bool events_eof = false;
  int64_t exited_at = 0;      // When the process was seen gone.
  int64_t checked_at = 0;     // When we last looked whether it lives.
  int64_t terminate_at = 0;   // When it was asked to stop (timeout).
  int64_t noticed_since = 0;  // The phase we last called slow.
  int64_t events_eof_at = 0;
  ExitStatus status;
  bool exit_seen = false;  // Its exit watch says it ended.
  bool reaped = false;
  std::string kill_cause;       // Why we killed it, if we did.
  bool interrupted = false;     // Killed because the run was interrupted.
  bool garbled = false;         // Its event stream broke.
  bool channel_closed = false;  // Closed while it lived on.
  int blamed_test = -1;         // The test running when it broke.

  bool hello = false;
  bool retired = false;
  int failures_in_a_row = 0;
  bool final = false;  // Ended its last iteration: leaving is expected.
  int final_iteration = -1;
  // What sanitizers reported on its tests (their exit checks repeat it).
  int64_t leaked_objects = 0;
  int races = 0;
  int valgrind_errors = 0;

  // What it is doing.
  bool parked = false;  // A Request waits for an answer.
  int parked_iteration = 0;
  bool parked_may_run = true;
  int env_set_up = -1;  // Last iteration it reported EnvSetUp for.
  int suite = -1;
  bool first_of_suite = false;
  int test = -1;
  std::deque<int> granted;  // Granted tests not yet ended.
  // The tests its run of the suite started with: GoogleTest reaches every
  // one of them, whatever order it runs the suite in.
  std::vector<int> run_start;
  Record test_record, setup_record, teardown_record, global_record;
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_COORDINATOR_SLOT_H_
