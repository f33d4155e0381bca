// What a worker does for builds with sanitizers: finds their runtimes in
// the process, runs LeakSanitizer's check after each test, and recognises
// the reports the others print, so that each report fails the test that
// caused it instead of passing unseen or failing the worker at its exit.
#ifndef GTEST_PARALLEL_SANITIZERS_H_
#define GTEST_PARALLEL_SANITIZERS_H_

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// The sanitizer runtimes linked into this process (GCC and Clang), and
// valgrind.
struct Sanitizers {
  bool any = false;   // Some sanitizer's runtime is here, or valgrind.
  bool leak = false;  // LeakSanitizer's checks can be run (ASan or LSan).
};
Sanitizers DetectSanitizers();

// Runs LeakSanitizer's recoverable leak check, which reports every leak
// found so far each time, and keeps what earlier checks reported.
class LeakChecker {
 public:
  LeakChecker() = default;
  ~LeakChecker();
  LeakChecker(const LeakChecker&) = delete;
  LeakChecker& operator=(const LeakChecker&) = delete;

  // The report of the leaks no earlier call found, in LeakSanitizer's
  // format; "" when there are none.
  std::string NewLeaks();
  // The leaked objects the reports NewLeaks() returned so far count.
  long objects() const { return objects_; }

 private:
  std::FILE* report_ = nullptr;  // Where the check writes its report.
  bool redirect_ = true;         // False when the user set a log_path.
  bool reported_blind_ = false;  // Leaks seen without a readable report.
  // Each leak's kind and allocation stack, and the objects seen there.
  std::map<std::string, long> seen_;
  long objects_ = 0;
};

// How many reports of `sanitizer` ("ThreadSanitizer") SanitizerReportsIn
// would find in `output`.
int CountReports(const std::string& output, const std::string& sanitizer);

// True when `output`, what a worker wrote at its exit, holds no finding
// but the exit summaries of findings already reported on tests: a
// LeakSanitizer report of exactly `leaked_objects` objects, "ThreadSanitizer:
// reported N warnings" with N == `races`, or valgrind's summary after
// `valgrind_errors` errors.
bool OnlyRepeatsReported(const std::string& output, long leaked_objects,
                         int races, int valgrind_errors);

// One line per kind of sanitizer or valgrind report in `output`, e.g.
// `ThreadSanitizer reported "data race"` or
// `UndefinedBehaviorSanitizer reported "signed integer overflow" 2 times`.
std::vector<std::string> SanitizerReportsIn(const std::string& output);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_SANITIZERS_H_
