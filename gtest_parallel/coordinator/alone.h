// Running a failed test again alone, to tell a test that fails only beside
// others (a shared file, port or database row; state left by the tests
// before it) from one that fails on its own.
//
// After an iteration's tests have all ended, the coordinator runs each
// failed test once more in a fresh process: the program itself, serially
// (--gtest_parallel=0), with only that test selected, in scratch
// directories no worker used, while nothing else runs. A test that passes
// there still fails the run -- that is not flakiness for retries to hide --
// but its failure gets a diagnosis naming the tests that ran beside it.
#ifndef GTEST_PARALLEL_ALONE_H_
#define GTEST_PARALLEL_ALONE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "flags/options.h"

namespace gtest_parallel {
namespace internal {

// At most this many failed tests of an iteration are run again alone.
inline constexpr int kMaxAloneRuns = 10;

// When a worker ran a test (epoch milliseconds).
struct Span {
  int worker = 0;
  int test = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

// What passing alone says about `failed`: the tests other workers ran while
// it ran ("shares state with tests run beside it (worker 2 ran A.B, A.C at
// the same time)"), or, when none did, the last ones its own worker ran
// before it. `name_of` gives a test's full name.
std::string PassesAloneNote(const std::vector<Span>& spans, const Span& failed,
                            const std::function<std::string(int)>& name_of);

// How long a test that ran for `elapsed_ms` may take alone.
double AloneTimeLimitSeconds(const Options& options, int64_t elapsed_ms);

// Runs test `name` alone: `argv` is the program's command line as a worker
// gets it, `env` its environment and `cwd` its working directory (empty:
// ours). True when it passed. Gives up, false, after `limit_seconds` or
// once `cancelled` says so; `outcome` says what happened ("passed",
// "failed: exited with status 1", "did not end within 60 s").
bool RunAlone(const std::vector<std::string>& argv,
              const std::vector<std::string>& env, const std::string& cwd,
              const std::string& name, double limit_seconds,
              const std::function<bool()>& cancelled, std::string* outcome);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_ALONE_H_
