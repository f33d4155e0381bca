// The worker's environment and spawn request (worker_command.h).
#include "coordinator/worker_command.h"

#include "protocol/protocol.h"
#include "protocol/variables.h"

extern char** environ;

namespace gtest_parallel {
namespace internal {

namespace {

// Variables a worker must not inherit: sharding is the coordinator's, so
// are the reports, and a worker never starts workers of its own.
bool DroppedFromWorkerEnvironment(const std::string& entry) {
  static const char* const kNames[] = {
      "GTEST_TOTAL_SHARDS",      "GTEST_SHARD_INDEX",
      "GTEST_SHARD_STATUS_FILE", "TEST_TOTAL_SHARDS",
      "TEST_SHARD_INDEX",        "TEST_SHARD_STATUS_FILE",
      "XML_OUTPUT_FILE",         "GTEST_OUTPUT",
      "GTEST_PARALLEL",          "GTEST_PARALLEL_WORKER",
      "GTEST_PARALLEL_WORKERS",  kChannelVariable,
      kCoordinatorVariable,      "GTEST_PARALLEL_DB_RESET",
      "GTEST_PARALLEL_DB_LEAKS"};
  const std::string name = entry.substr(0, entry.find('='));
  for (const char* dropped : kNames) {
    if (name == dropped) return true;
  }
  return ScratchSpace::IsScratchVariable(name);
}

// The settings the worker acts on itself, which it cannot take from its
// command line (the coordinator's flags are not passed on): the database
// resets and the leak check, as their variables.
void AddWorkerSettings(const Options& options, std::vector<std::string>* env) {
  if (options.db_reset != DatabaseReset::kDeclared) {
    env->push_back("GTEST_PARALLEL_DB_RESET=" +
                   DatabaseResetName(options.db_reset));
  }
  if (options.db_leaks) env->push_back("GTEST_PARALLEL_DB_LEAKS=1");
}

}  // namespace

std::vector<std::string> WorkerEnvironment(int worker_id, int workers,
                                           const WorkerScratch& scratch) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!DroppedFromWorkerEnvironment(*entry)) env.push_back(*entry);
  }
  env.push_back("GTEST_PARALLEL_WORKER=" + std::to_string(worker_id));
  env.push_back("GTEST_PARALLEL_WORKERS=" + std::to_string(workers));
  env.push_back(std::string(kCoordinatorVariable) + "=" +
                std::to_string(CurrentPid()));
  for (std::string& entry : ScratchSpace::Environment(scratch)) {
    env.push_back(std::move(entry));
  }
  return env;
}

bool WorkerRequest(const std::vector<std::string>& argv, int worker_id,
                   int workers, const Options& options, SpawnRequest* request,
                   std::string* error) {
  WorkerScratch scratch;
  if (!ScratchSpace::Get().ForWorker(worker_id, options.private_workdir,
                                     &scratch, error)) {
    return false;
  }
  *request = SpawnRequest{argv, WorkerEnvironment(worker_id, workers, scratch),
                          scratch.cwd};
  AddWorkerSettings(options, &request->env);
  return true;
}

}  // namespace internal
}  // namespace gtest_parallel
