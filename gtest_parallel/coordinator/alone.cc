// Running a failed test again alone (see alone.h).
#include "coordinator/alone.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "platform/files.h"
#include "platform/process.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Names at most this many tests per worker in a note.
constexpr size_t kMaxNamed = 5;
// The end of the output that is searched for the test's result line.
constexpr size_t kOutputTail = 1 << 16;

std::string NameList(const std::vector<int>& tests,
                     const std::function<std::string(int)>& name_of) {
  std::string list;
  for (size_t i = 0; i < tests.size() && i < kMaxNamed; ++i) {
    list += (i > 0 ? ", " : "") + name_of(tests[i]);
  }
  if (tests.size() > kMaxNamed) {
    list += " and " + std::to_string(tests.size() - kMaxNamed) + " more";
  }
  return list;
}

}  // namespace

std::string PassesAloneNote(const std::vector<Span>& spans, const Span& failed,
                            const std::function<std::string(int)>& name_of) {
  std::map<int, std::vector<int>> beside;  // By worker, in start order.
  std::vector<const Span*> before;
  for (const Span& span : spans) {
    if (span.test == failed.test && span.worker == failed.worker &&
        span.start_ms == failed.start_ms) {
      continue;
    }
    if (span.worker != failed.worker) {
      // Overlapping, a shared millisecond included.
      if (span.start_ms <= failed.end_ms && span.end_ms >= failed.start_ms) {
        beside[span.worker].push_back(span.test);
      }
    } else if (span.end_ms <= failed.start_ms) {
      before.push_back(&span);
    }
  }
  std::string text;
  if (!beside.empty()) {
    text = "shares state with tests run beside it (";
    bool first = true;
    for (const auto& [worker, tests] : beside) {
      text += (first ? "" : "; ") + std::string("worker ") +
              std::to_string(worker) + " ran " + NameList(tests, name_of);
      first = false;
    }
    return text + " at the same time)";
  }
  std::stable_sort(
      before.begin(), before.end(),
      [](const Span* a, const Span* b) { return a->start_ms > b->start_ms; });
  std::vector<int> last;
  for (const Span* span : before) last.push_back(span->test);
  if (last.empty()) return "depends on something outside it";
  return "depends on state left by tests run before it (worker " +
         std::to_string(failed.worker) + " ran " + NameList(last, name_of) +
         " before it, latest first)";
}

double AloneTimeLimitSeconds(const Options& options, int64_t elapsed_ms) {
  // A process start and the suite's set-up come on top of the test.
  constexpr double kStartSeconds = 5;
  constexpr double kMinimum = 30;
  if (options.timeout_seconds > 0) {
    return options.timeout_seconds + kStartSeconds;
  }
  return std::max(kMinimum, 10.0 * static_cast<double>(elapsed_ms) / 1000);
}

bool RunAlone(const std::vector<std::string>& argv,
              const std::vector<std::string>& env, const std::string& cwd,
              const std::string& name, double limit_seconds,
              const std::function<bool()>& cancelled, std::string* outcome) {
  SpawnRequest request{argv, env, cwd};
  // Later flags win: only this test, once, no report file, every line.
  for (const char* flag :
       {"--gtest_repeat=1", "--gtest_output=", "--gtest_brief=0",
        "--gtest_color=no", "--gtest_parallel=0"}) {
    request.argv.push_back(flag);
  }
  request.argv.push_back("--gtest_filter=" + name);
  request.env.push_back(std::string(kAloneVariable) + "=1");
  std::string error;
  std::unique_ptr<ChildProcess> child = ChildProcess::Spawn(request, &error);
  if (!child) {
    *outcome = "could not start: " + error;
    return false;
  }
  const auto start = std::chrono::steady_clock::now();
  ExitStatus status;
  bool ended = false;
  while (!(ended = child->TryWait(&status))) {
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (waited > limit_seconds || cancelled()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!ended) {
    child->Kill();
    while (!child->TryWait(&status)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    *outcome = cancelled()
                   ? "interrupted"
                   : "did not end within " +
                         std::to_string(static_cast<int>(limit_seconds)) + " s";
    return false;
  }
  child->Kill();  // Whatever it left running.
  if (!status.exited || status.code != 0) {
    *outcome = "failed: " + status.Describe();
    return false;
  }
  const int64_t size = FileSize(child->output());
  const int64_t from =
      std::max<int64_t>(0, size - static_cast<int64_t>(kOutputTail));
  const std::string tail =
      ReadAt(child->output(), from, static_cast<size_t>(size - from));
  if (tail.find("[       OK ] " + name + " (") == std::string::npos) {
    *outcome = "did not run";
    return false;
  }
  *outcome = "passed";
  return true;
}

}  // namespace internal
}  // namespace gtest_parallel
