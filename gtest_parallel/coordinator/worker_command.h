// What starts a worker: the program's own command line, the coordinator's
// environment without what is the coordinator's alone, the worker
// variables, and the worker's scratch directories. Used by the coordinator
// and by the early start before it.
#ifndef GTEST_PARALLEL_COORDINATOR_WORKER_COMMAND_H_
#define GTEST_PARALLEL_COORDINATOR_WORKER_COMMAND_H_

#include <string>
#include <vector>

#include "coordinator/scratch.h"
#include "flags/options.h"
#include "platform/process.h"

namespace gtest_parallel {
namespace internal {

// The environment of worker `worker_id` of `workers`: the coordinator's,
// without what is the coordinator's alone, plus the worker variables and
// its scratch directories.
std::vector<std::string> WorkerEnvironment(int worker_id, int workers,
                                           const WorkerScratch& scratch);

// What starts worker `worker_id` of `workers` running `argv`, in its
// scratch directories (made now if need be); false, with `error`, when
// they cannot be made.
bool WorkerRequest(const std::vector<std::string>& argv, int worker_id,
                   int workers, const Options& options, SpawnRequest* request,
                   std::string* error);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_COORDINATOR_WORKER_COMMAND_H_
