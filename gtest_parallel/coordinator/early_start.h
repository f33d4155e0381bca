// Workers started before main(): gtest_parallel::main starts them from a
// static constructor that runs before the program's own static
// initialisation, so that the workers' start-up (which for a large test
// program is mostly registering its tests) overlaps the coordinator's
// instead of following it.
#ifndef GTEST_PARALLEL_EARLY_START_H_
#define GTEST_PARALLEL_EARLY_START_H_

#include <memory>

#include "platform/process.h"

namespace gtest_parallel {
namespace internal {

// Starts the workers a later RunAllTests() will most likely need, judging
// from the command line, the environment and the timing history's count of
// the program's tests (no more workers than tests); does nothing when in
// doubt (a worker, a death-test child, --gtest_list_tests, --help, no
// parallelism, a bad flag).
void StartWorkersEarly(int argc, char** argv);

// The early worker with this id, if any (ownership passes to the caller).
std::unique_ptr<ChildProcess> TakeEarlyWorker(int worker_id);

// Stops and reaps the early workers nobody took.
void DiscardEarlyWorkers();

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_EARLY_START_H_
