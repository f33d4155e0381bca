// Starting workers before main() (see early_start.h).
#include "coordinator/early_start.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/history.h"
#include "coordinator/worker_command.h"
#include "flags/options.h"
#include "platform/debugger.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

std::vector<std::unique_ptr<ChildProcess>>& Early() {
  static auto* workers = new std::vector<std::unique_ptr<ChildProcess>>;
  return *workers;
}

bool StartsWith(const char* text, const char* prefix) {
  return std::strncmp(text, prefix, std::strlen(prefix)) == 0;
}

// The most tests a --gtest_filter of exact names can select; -1 when it has
// wildcards (or there is no filter).
int ExactFilterSize(const std::string& filter) {
  const std::string positive = filter.substr(0, filter.find('-'));
  if (positive.empty() || positive.find_first_of("*?") != std::string::npos) {
    return -1;
  }
  int count = 1;
  for (char c : positive) count += c == ':';
  return count;
}

// Looks through the command line: false when it asks for no run (a list,
// help, GoogleTest's internal modes); else `serial_likely` is set when it
// breaks on failures, and `limit` to what an exact --gtest_filter selects.
bool ScanArguments(int argc, char** argv, bool* serial_likely, int* limit) {
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (StartsWith(arg, "--gtest_internal_") ||
        StartsWith(arg, "--gtest_list_tests") ||
        std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0 ||
        std::strcmp(arg, "-?") == 0 || std::strcmp(arg, "/?") == 0 ||
        StartsWith(arg, "--gtest_help")) {
      return false;
    }
    if (StartsWith(arg, "--gtest_break_on_failure") ||
        StartsWith(arg, "-gtest_break_on_failure")) {
      *serial_likely = true;
    }
    if (StartsWith(arg, "--gtest_filter=")) {
      *limit = ExactFilterSize(arg + std::strlen("--gtest_filter="));
    }
  }
  return true;
}

}  // namespace

void StartWorkersEarly(int argc, char** argv) {
  if (argc < 1 || argv == nullptr || std::getenv(kChannelVariable) != nullptr) {
    return;
  }
  const char* list = std::getenv("GTEST_LIST_TESTS");
  if (list != nullptr && std::strcmp(list, "0") != 0) return;
  // Under a debugger or with --gtest_break_on_failure the run is most likely
  // serial (unless --gtest_parallel_force, seen below).
  const char* trap = std::getenv("GTEST_BREAK_ON_FAILURE");
  bool serial_likely =
      DebuggerAttached() || (trap != nullptr && std::strcmp(trap, "0") != 0);
  int limit = -1;
  if (!ScanArguments(argc, argv, &serial_likely, &limit)) return;
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  int count = argc;
  Options options;
  std::string error;
  if (!ParseOptions(&count, args.data(), std::getenv("GTEST_PARALLEL"),
                    &options, &error) ||
      options.workers <= 1 || (serial_likely && !options.force_parallel) ||
      options.rerun_failed) {  // Which tests run is not known yet.
    return;
  }
  std::vector<std::string> worker_argv(args.begin(), args.begin() + count);
  worker_argv[0] = SelfExecutable(argv[0]);
  // The timing history tells how many tests the program had last time: a
  // program of one test needs one worker, and a worker started for nothing
  // costs a process start on the machine's cores and its scratch space.
  const int listed = History::ListedTestCount(
      options.timing_file_set ? options.timing_file
                              : History::DefaultPath(worker_argv[0]));
  if (listed > 0 && (limit <= 0 || listed < limit)) limit = listed;
  const int workers =
      limit > 0 ? std::min(limit, options.workers) : options.workers;
  for (int id = 1; id <= workers; ++id) {
    SpawnRequest request;
    if (!WorkerRequest(worker_argv, id, workers, options, &request, &error)) {
      return;  // The coordinator will try again and report.
    }
    auto worker = ChildProcess::Spawn(request, &error);
    if (!worker) return;
    Early().push_back(std::move(worker));
  }
}

std::unique_ptr<ChildProcess> TakeEarlyWorker(int worker_id) {
  auto& early = Early();
  if (worker_id < 1 || worker_id > static_cast<int>(early.size())) {
    return nullptr;
  }
  return std::move(early[worker_id - 1]);
}

void DiscardEarlyWorkers() {
  // All killed first, so that they die together.
  for (auto& worker : Early()) {
    if (worker) worker->Kill();
  }
  for (auto& worker : Early()) {
    if (!worker) continue;
    ExitStatus status;
    for (int i = 0; i < 200 && !worker->TryWait(&status); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  Early().clear();
}

}  // namespace internal
}  // namespace gtest_parallel
