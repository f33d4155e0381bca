// Running the failed tests again: the command line printed after a run with
// failures ("to run the failed tests again: ..."), and
// --gtest_parallel_rerun_failed, which selects the tests that failed in the
// last run according to the timing file (history.h).
#ifndef GTEST_PARALLEL_RERUN_H_
#define GTEST_PARALLEL_RERUN_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "flags/options.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {

// A filter longer than this is not printed: the re-run line uses
// --gtest_parallel_rerun_failed instead (see RerunLine()).
inline constexpr size_t kMaxRerunFilter = 4000;

// `word` quoted for the shell: POSIX sh single quotes (a word made only of
// [A-Za-z0-9_./=:,+@%-] is left as it is; '' for the empty word), or on
// Windows double quotes as CreateProcess and cmd.exe read them.
std::string ShellQuote(const std::string& word);

// "A.b:C.d": a --gtest_filter value selecting exactly `tests` (full names).
std::string FilterOf(const std::vector<std::string>& tests);

// `argv` (the program's, argv[0] as typed) without the arguments that would
// keep a re-run from running a chosen set of tests exactly once:
// --gtest_repeat=..., --gtest_parallel_rerun_failed[=...] and, unless
// `keep_filter`, --gtest_filter=....
std::vector<std::string> RerunArguments(const std::vector<std::string>& argv,
                                        bool keep_filter);

// The shell command running `failed_tests` (full names) again:
// RerunArguments() quoted, then --gtest_filter= listing them all.
std::string RerunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& failed_tests);

// The re-run line (without a newline) for `failed_tests`, empty when there
// are none: "[gtest_parallel] to run the failed tests again: <command>".
// When the filter would be longer than kMaxRerunFilter and the run keeps a
// timing file (`timing_file`), the command is the program's own (its
// --gtest_filter kept) with --gtest_parallel_rerun_failed, which reads the
// failures back from that file.
std::string RerunLine(const std::vector<std::string>& argv,
                      const std::vector<std::string>& failed_tests,
                      bool timing_file);

// Prints RerunLine() for `options.command_line` on stderr, if not empty.
// For a parallel run's end, once its failures are known.
void PrintRerunLine(const Options& options,
                    const std::vector<std::string>& failed_tests);

// The full names of the tests that failed in `unit_test`'s last iteration,
// in GoogleTest's order.
std::vector<std::string> FailedTests(const testing::UnitTest& unit_test);

// Whether GoogleTest's --gtest_filter `filter` ("POSITIVE[-NEGATIVE]",
// ':'-separated patterns with '*' and '?') selects the test `name`.
bool FilterSelects(const std::string& filter, const std::string& name);

// Of `tests` (the program's, in order), those in `failed` that `filter`
// selects, in the order of `tests`.
std::vector<std::string> RerunSelection(const std::vector<std::string>& tests,
                                        const std::vector<std::string>& failed,
                                        const std::string& filter);

// The timing file a run of `executable` (an absolute path) with `options`
// reads and writes; empty when there is none.
std::string TimingFilePath(const Options& options,
                           const std::string& executable);

// Applies --gtest_parallel_rerun_failed before RUN_ALL_TESTS(): sets
// GoogleTest's filter to the tests that failed in the last run (timing file
// of `executable`) among those the current filter selects, and returns -1.
// When there is nothing to run it says why on stderr and returns the exit
// code to end with: 0 when no test failed last time (or none of those is
// selected), 1 when there is no timing file to read, kUsageExitCode
// when timing files are turned off.
int ApplyRerunFailed(const Options& options, const std::string& executable);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_RERUN_H_
