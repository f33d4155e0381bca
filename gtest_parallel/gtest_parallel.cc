// The public entry points: flag handling and the choice between a serial
// run, a worker and a coordinator.
#include "gtest_parallel/gtest_parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "coordinator.h"
#include "gtest_access.h"
#include "options.h"
#include "process.h"
#include "replay.h"
#include "test_plan.h"
#include "worker.h"

namespace gtest_parallel {
namespace {

using internal::Handle;

struct State {
  internal::Options options;
  bool initialized = false;
  bool worker = false;
  Handle commands = internal::kNoHandle;
  Handle events = internal::kNoHandle;
  internal::WorkerStatus* status = nullptr;
  std::vector<std::string> worker_argv;  // For spawning workers.
  std::atomic<int> coordinator_workers{0};
};

State& GetState() {
  static State* state = new State;
  return *state;
}

int EnvInt(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : 0;
}

[[noreturn]] void UsageError(const std::string& message) {
  std::fprintf(stderr, "gtest_parallel: %s\n", message.c_str());
  std::fflush(stderr);
  std::exit(kUsageErrorExitCode);
}

int RunCoordinator(State& state) {
  const internal::TestPlan plan = internal::TestPlan::Snapshot();
  internal::Coordinator coordinator(state.options, plan, state.worker_argv);
  internal::Replay replay(&coordinator, plan, state.options);
  // A failure re-raised here must neither trap nor throw: it already did,
  // where it happened.
  GTEST_FLAG_SET(break_on_failure, false);
  GTEST_FLAG_SET(throw_on_failure, false);
  replay.Install();
  const int result = RUN_ALL_TESTS();
  state.coordinator_workers = coordinator.worker_count();
  replay.Uninstall();
  coordinator.Finish();
  const std::string error = coordinator.fatal_error();
  if (!error.empty()) {
    std::fprintf(stderr, "gtest_parallel: %s\n", error.c_str());
    return result != 0 ? result : 1;
  }
  // Like a shell reports a process killed by the signal.
  if (const int signal = coordinator.interrupt_signal(); signal != 0) {
    return 128 + signal;
  }
  return result;
}

// A worker must not outlive its coordinator even while the program's own
// static initialisation still runs: arrange that first thing.
#if defined(__GNUC__) && !defined(_WIN32)
__attribute__((constructor(101))) void DieWithCoordinator() {
  const char* parent = std::getenv(internal::kCoordinatorVariable);
  if (parent != nullptr && std::getenv(internal::kChannelVariable) != nullptr) {
    if (!internal::DieWithParent(std::atoll(parent))) std::_Exit(0);
  }
}
#endif

}  // namespace

void InitGoogleTest(int* argc, char** argv) {
  State& state = GetState();
  std::string error;
  if (!internal::ParseOptions(argc, argv, std::getenv("GTEST_PARALLEL"),
                              &state.options, &error)) {
    UsageError(error);
  }
  state.worker_argv.assign(argv, argv + *argc);
  if (!state.worker_argv.empty()) {
    state.worker_argv[0] = internal::SelfExecutable(argv[0]);
  }
  testing::InitGoogleTest(argc, argv);
  state.initialized = true;
  if (internal::HelpRequested()) {
    std::printf("%s", internal::FlagsHelp().c_str());
    std::fflush(stdout);
    return;
  }
  if (!internal::InDeathTestChild()) {
    error.clear();
    state.worker = internal::TakeWorkerChannel(&state.commands, &state.events,
                                               &state.status, &error);
    if (!error.empty()) UsageError(error);
  }
}

int RunAllTests() {
  State& state = GetState();
  if (!state.initialized) {
    int argc = 1;
    char name[] = "gtest_parallel";
    char* argv[] = {name, nullptr};
    InitGoogleTest(&argc, argv);
  }
  if (state.worker) {
    const internal::TestPlan plan = internal::TestPlan::Snapshot();
    return internal::RunWorker(plan, state.commands, state.events,
                               state.status);
  }
  if (state.options.workers <= 1 || internal::HelpRequested() ||
      internal::InDeathTestChild() || GTEST_FLAG_GET(list_tests)) {
    return RUN_ALL_TESTS();
  }
  return RunCoordinator(state);
}

int Main(int argc, char** argv) {
  InitGoogleTest(&argc, argv);
  return RunAllTests();
}

int WorkerId() { return EnvInt("GTEST_PARALLEL_WORKER"); }

int WorkerCount() {
  const int from_environment = EnvInt("GTEST_PARALLEL_WORKERS");
  return from_environment != 0 ? from_environment
                               : GetState().coordinator_workers.load();
}

}  // namespace gtest_parallel
