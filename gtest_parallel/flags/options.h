// gtest_parallel's own command-line flags and environment variables.
//
// Our flags are parsed with Boost.Program_options and removed from argv;
// every other argument is left, in order, for GoogleTest.
#ifndef GTEST_PARALLEL_OPTIONS_H_
#define GTEST_PARALLEL_OPTIONS_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// Which tests' captured output the coordinator prints.
enum class OutputMode { kFailures, kAll, kNone };

// Whether a suite's tests may be spread over several workers.
enum class SplitPolicy {
  kNever,   // Every suite runs on one worker.
  kAuto,    // Only a suite bigger than a worker's fair share of the run
            // that did not fail last time (see scheduler.h).
  kAlways,  // Any suite, whenever that balances the workers better.
};

// --gtest_parallel_db_reset: gtest_parallel::ResetScope for every
// database, or kDeclared to leave it to each declaration.
enum class DatabaseReset { kDeclared, kTest, kSuite, kCrash, kNever };

// The flag's value for `reset` ("test", ...); "" for kDeclared.
std::string DatabaseResetName(DatabaseReset reset);

// What the user asked for.
struct Options {
  // Number of workers; 0 or 1 means an ordinary serial run.
  int workers = 0;
  // True when the number came from "auto".
  bool workers_auto = false;
  // Captured output shown: by default only that of failing tests.
  OutputMode output = OutputMode::kFailures;
  // Bytes of output kept per test (the end of it, when there is more).
  size_t output_limit = 1 << 20;
  // A test running longer is stopped and failed; 0: no limit.
  double timeout_seconds = 0;
  // A test running longer is named in a notice; 0: never.
  double slow_seconds = 60;
  // Times a failed or crashed test is run again.
  int retries = 0;
  // Where test durations are kept between runs; empty: nowhere.
  std::string timing_file;
  bool timing_file_set = false;  // Given explicitly (flag or variable).
  // Database URLs given by --gtest_parallel_db=ALIAS=URL, by alias.
  std::map<std::string, std::string> database_urls;
  // Keep the databases and reuse a template whose schema is unchanged.
  bool keepdb = false;
  // Drop the kept databases of the program instead of running tests.
  bool dropdb = false;
  // When the databases are put back to the template's state: kDeclared
  // leaves it to each declaration (DatabaseDeclaration::reset).
  DatabaseReset db_reset = DatabaseReset::kDeclared;
  // Fail each test that leaves a database different from its template.
  bool db_leaks = false;
  // Run on workers even when a debugger is attached or
  // --gtest_break_on_failure is given (both otherwise make the run serial).
  bool force_parallel = false;
  // Each worker in a working directory of its own (scratch.h); otherwise
  // in this process's.
#if defined(_WIN32)
  bool private_workdir = false;  // Links need a privilege on Windows.
#else
  bool private_workdir = true;
#endif
  // Keep the workers' scratch directories when a test failed.
  bool keep_scratch = false;
  SplitPolicy split = SplitPolicy::kAuto;
  // Run each failed test again alone, to tell failures that come from
  // tests running beside it.
  bool rerun_alone = true;
  // Run only the tests that failed in the last run, by the timing file
  // (rerun.h).
  bool rerun_failed = false;
  // The command line as given, argv[0] as typed and our flags included
  // (set by gtest_parallel::InitGoogleTest, not by ParseOptions): the
  // re-run line repeats it.
  std::vector<std::string> command_line;
};

// Upper bounds, guards against typos.
inline constexpr int kMaxWorkers = 1024;
inline constexpr int kMaxRetries = 100;

// Parses and removes our flags from argv (argv[0] is kept). `env_parallel`
// is the value of GTEST_PARALLEL or null; the other GTEST_PARALLEL_*
// variables are read from the environment. Flags win over variables.
// Returns false with a one-line `error` naming the bad flag or variable.
//
// Our flags are --gtest_parallel and --gtest_parallel_*, and also any other
// --gtest_* that looks like a misspelling of one of them (--gtest_paralel,
// --gtest-parallel) but is none of GoogleTest's: an unknown one is an error
// that suggests the nearest flag, where GoogleTest would print its help and
// exit 0 without running a test.
bool ParseOptions(int* argc, char** argv, const char* env_parallel,
                  Options* options, std::string* error);

// Checks the names of the environment's variables: false, with an `error`
// suggesting the nearest, for the first that looks like a misspelling of
// one of our settings' variables (GTEST_PARALLEL_RETRY). Our variables that
// are not settings (GTEST_PARALLEL_WORKER, GTEST_PARALLEL_DB_<ALIAS>, ...)
// and anything not close to a setting's name pass.
bool CheckVariableNames(const std::vector<std::string>& names,
                        std::string* error);

// Parses an N|auto worker count as written in `source` (a flag or variable
// name, used in the error message).
bool ParseWorkerCount(const std::string& value, const std::string& source,
                      Options* options, std::string* error);

// Help text for our flags, in GoogleTest's --help layout.
std::string FlagsHelp();

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_OPTIONS_H_
