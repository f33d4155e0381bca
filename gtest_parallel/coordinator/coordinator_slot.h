// What the parts of the coordinator's results share and nobody else sees:
// its limits, its small helpers and what it knows per worker (Slot). The
// coordinator's member functions live in three files: coordinator.cc (the
// run's lifecycle and what the replay calls), coordinator_messages.cc (a
// worker's messages into records) and coordinator_deaths.cc (what a
// worker's death costs). The processes are the worker pool's
// (worker_pool.h).
#ifndef GTEST_PARALLEL_COORDINATOR_SLOT_H_
#define GTEST_PARALLEL_COORDINATOR_SLOT_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "coordinator/coordinator.h"

namespace gtest_parallel {
namespace internal {

// How often a test a worker's run of its suite started with, but which
// GoogleTest did not reach (see NotRunLocked), is offered again before it
// fails.
constexpr int kMaxNotRun = 2;

// Wall-clock milliseconds since the epoch (records keep these).
int64_t EpochMs();
// "1.2 s".
std::string Seconds(int64_t ms);

// What the coordinator knows of worker `id`'s current process: what it
// said and what it is doing. Started afresh with each process.
struct Coordinator::Slot {
  int id = 0;
  bool hello = false;  // Its Hello was accepted.
  bool final = false;  // Ended its last iteration: leaving is expected.
  int final_iteration = -1;
  // What sanitizers reported on its tests (their exit checks repeat it).
  int64_t leaked_objects = 0;
  int races = 0;
  int valgrind_errors = 0;
  int blamed_test = -1;  // The test running when its channel broke.

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
