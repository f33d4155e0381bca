// The worker process: runs the suites the coordinator grants it, in place of
// RUN_ALL_TESTS(), with the same per-iteration steps (clearing results,
// shuffling, global environments).
#ifndef GTEST_PARALLEL_WORKER_H_
#define GTEST_PARALLEL_WORKER_H_

#include "flags/options.h"
#include "googletest/test_plan.h"
#include "platform/files.h"
#include "protocol/protocol.h"

namespace gtest_parallel {
namespace internal {

// Runs granted tests until the coordinator says the run is over, with the
// run's options (which the worker parsed from the same flags and
// environment as the coordinator). Returns the process exit code.
int RunWorker(const Options& options, const TestPlan& plan, Handle commands,
              Handle events, WorkerStatus* status);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_WORKER_H_
