// The public entry points: flag handling and the choice between a serial
// run, a worker and a coordinator.
#include "gtest_parallel/gtest_parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/alone.h"
#include "coordinator/coordinator.h"
#include "coordinator/early_start.h"
#include "coordinator/replay.h"
#include "coordinator/rerun.h"
#include "coordinator/scratch.h"
#include "databases/run_databases.h"
#include "databases/serial_databases.h"
#include "flags/options.h"
#include "googletest/gtest_access.h"
#include "googletest/gtest_version.h"
#include "googletest/test_plan.h"
#include "platform/debugger.h"
#include "platform/files.h"
#include "platform/process.h"
#include "platform/process_tree.h"
#include "platform/signals.h"
#include "protocol/variables.h"
#include "worker/worker.h"

namespace gtest_parallel {

static_assert(kUsageErrorExitCode == internal::kUsageExitCode,
              "the public and the internal usage exit codes differ");

namespace {

using internal::Handle;

struct State {
  internal::Options options;
  bool initialized = false;
  bool worker = false;
  bool alone = false;  // Run alone by a coordinator (alone.h).
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

// Why a run asked to use workers stays in this process, or null when it
// need not: a debugger sees only this process (its breakpoints would never
// be reached in a worker), and --gtest_break_on_failure would kill a worker
// with a trap no debugger catches.
const char* SerialReason(const internal::Options& options) {
  if (options.force_parallel) return nullptr;
  if (internal::DebuggerAttached()) return "a debugger is attached";
  if (GTEST_FLAG_GET(break_on_failure)) {
    return "--gtest_break_on_failure is set";
  }
  return nullptr;
}

// Makes the databases of `workers` workers before they start; a run that
// cannot have them ends here, before any test, with nothing left behind.
void SetUpWorkerDatabases(internal::RunDatabases* databases,
                          internal::Coordinator* coordinator, int workers) {
  coordinator->CatchInterrupts();
  std::string error;
  if (!databases->Prepare(&error) ||
      !databases->SetUp(
          workers, [] { return internal::InterruptCount() > 0; }, &error)) {
    databases->TearDown();
    internal::DiscardEarlyWorkers();
    internal::ScratchSpace::Get().Finish(false);
    std::fprintf(stderr, "gtest_parallel: %s\n", error.c_str());
    std::fflush(stderr);
    const int signal =
        internal::InterruptCount() > 0 ? internal::FirstInterrupt() : 0;
    std::exit(signal != 0 ? 128 + signal : kUsageErrorExitCode);
  }
  std::vector<std::vector<internal::Property>> per_worker;
  for (int worker = 1; worker <= workers; ++worker) {
    per_worker.push_back(internal::EncodeAssignments(databases->For(worker)));
  }
  coordinator->SetWorkerDatabases(std::move(per_worker));
}

int RunCoordinator(State& state) {
  const internal::TestPlan plan = internal::TestPlan::Snapshot();
  internal::RunDatabases databases(state.options);
  internal::Coordinator coordinator(state.options, plan, state.worker_argv);
  internal::Replay replay(&coordinator, plan, state.options);
  replay.set_before_start([&](int workers) {
    state.coordinator_workers = workers;
    if (internal::RunDatabases::Declared()) {
      SetUpWorkerDatabases(&databases, &coordinator, workers);
    }
  });
  // A failure re-raised here must neither trap nor throw: it already did,
  // where it happened.
  GTEST_FLAG_SET(break_on_failure, false);
  GTEST_FLAG_SET(throw_on_failure, false);
  replay.Install();
  // With databases, the workers wait for them (made in before_start).
  if (!internal::RunDatabases::Declared()) replay.StartEarly();
  const int result = RUN_ALL_TESTS();
  state.coordinator_workers = coordinator.worker_count();
  replay.Uninstall();
  coordinator.Finish();
  databases.TearDown();
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
  // As typed, for the re-run line (rerun.h).
  std::vector<std::string> command_line(argv, argv + *argc);
  std::string error;
  if (!internal::ParseOptions(argc, argv, std::getenv("GTEST_PARALLEL"),
                              &state.options, &error)) {
    UsageError(error);
  }
  state.options.command_line = std::move(command_line);
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
    // Run alone by a coordinator: a serial run, the channel only keeping it
    // from outliving the coordinator, the databases those of a worker.
    const char* alone = std::getenv(internal::kAloneVariable);
    if (alone != nullptr && *alone != '\0') {
      state.worker = false;
      state.alone = true;
      internal::SetOwnEnvironment(internal::kAloneVariable, "");
    }
  }
  internal::SetDatabaseUrlOverrides(state.options.database_urls);
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
    return internal::RunWorker(state.options, plan, state.commands,
                               state.events, state.status);
  }
  if (internal::HelpRequested() || internal::InDeathTestChild()) {
    return RUN_ALL_TESTS();
  }
  // --gtest_parallel_dropdb runs no test.
  if (state.options.dropdb && !state.alone) {
    internal::DiscardEarlyWorkers();
    internal::ScratchSpace::Get().Finish(false);
    return internal::RunDropdb(state.options);
  }
  // Before the early start (Replay::StartEarly), which the filter stops.
  if (state.options.rerun_failed && !state.alone) {
    const int exit_code = internal::ApplyRerunFailed(
        state.options, state.worker_argv.empty() ? "" : state.worker_argv[0]);
    if (exit_code >= 0) {
      internal::DiscardEarlyWorkers();
      internal::ScratchSpace::Get().Finish(false);
      return exit_code;
    }
  }
  if (GTEST_FLAG_GET(list_tests)) return RUN_ALL_TESTS();
  bool serial = state.options.workers <= 1;
  if (const char* reason = serial ? nullptr : SerialReason(state.options)) {
    std::fprintf(stderr,
                 "[gtest_parallel] %s: running the tests serially in this "
                 "process (--gtest_parallel_force runs them in parallel "
                 "anyway)\n",
                 reason);
    std::fflush(stderr);
    internal::DiscardEarlyWorkers();
    internal::ScratchSpace::Get().Finish(false);
    serial = true;
  }
  if (serial) {
    // Run alone, it attaches to the databases its environment names (see
    // Database()).
    if (!internal::RunDatabases::Declared() || state.alone) {
      return RUN_ALL_TESTS();
    }
    return internal::RunSerialWithDatabases(state.options);
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
