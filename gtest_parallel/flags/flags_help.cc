// The flags' part of --help (FlagsHelp in options.h).
#include <string>

#include "flags/options.h"

namespace gtest_parallel {
namespace internal {
namespace {

// The heading and the flags of the run itself: workers, time limits,
// retries, output and timings.
constexpr char kParallelHelp[] =
    "Parallel Execution (gtest_parallel):\n"
    "  --gtest_parallel=[N|auto]\n"
    "      Run the tests on N worker processes (auto: one per available\n"
    "      CPU). 0 or 1 runs them serially, exactly like gtest_main.\n"
    "  --gtest_parallel_timeout=SECONDS\n"
    "      Stop and fail a test that runs longer (default: no limit).\n"
    "  --gtest_parallel_slow=SECONDS\n"
    "      Name tests still running after this long (default: 60).\n"
    "  --gtest_parallel_retries=N\n"
    "      Run a failed or crashed test up to N more times; one that\n"
    "      then passes is reported FLAKY and counts as passed.\n"
    "  --gtest_parallel_output=(failures|all|none)\n"
    "      Whose captured stdout/stderr to print (default: failures).\n"
    "  --gtest_parallel_timing_file=PATH\n"
    "      Where test durations are kept to schedule the longest tests\n"
    "      first next time (none: nowhere).\n";

// The flags of the test databases.
constexpr char kDatabaseHelp[] =
    "  --gtest_parallel_db=ALIAS=URL\n"
    "      Use this server for the database declared as ALIAS (also\n"
    "      GTEST_PARALLEL_DB_<ALIAS>=URL); repeat for several.\n"
    "  --gtest_parallel_keepdb\n"
    "      Keep the test databases, and reuse a template whose schema\n"
    "      has not changed. Runs that share a kept template take\n"
    "      turns: a second one waits, saying so.\n"
    "  --gtest_parallel_dropdb\n"
    "      Drop the databases --gtest_parallel_keepdb kept for this\n"
    "      program on the servers of its databases, and run no test.\n"
    "  --gtest_parallel_db_reset=(test|suite|crash|never)\n"
    "      When a test database goes back to its template's state:\n"
    "      after every test (default), after every suite, only when a\n"
    "      worker starts after a crash, or never. Overrides what each\n"
    "      declaration says (DatabaseDeclaration::WithReset).\n"
    "  --gtest_parallel_db_leaks\n"
    "      Fail each test that leaves a database different from its\n"
    "      template, naming the tables and their rows.\n";

// The flags of the workers' isolation: debuggers, directories.
constexpr char kIsolationHelp[] =
    "  --gtest_parallel_force\n"
    "      Run in parallel even under a debugger or with\n"
    "      --gtest_break_on_failure (which otherwise run serially).\n"
    "  --gtest_parallel_workdir=(private|shared)\n"
    "      Run each worker in a directory of its own, of links to the\n"
    "      working directory's entries, so that files the tests create\n"
    "      there stay apart (default: private; shared on Windows).\n"
    "      Every worker always has its own TEST_TMPDIR and TMPDIR.\n"
    "  --gtest_parallel_keep_scratch\n"
    "      Keep the workers' temporary and working directories when a\n"
    "      test failed, and say where they are.\n";

// The flags of splitting suites and running failed tests again.
constexpr char kSchedulingHelp[] =
    "  --gtest_parallel_split=(never|auto|always)\n"
    "      Whether a suite's tests may run on several workers at once\n"
    "      (default: auto, only a suite longer than a worker's share of\n"
    "      the run, and not one that failed last time).\n"
    "  --gtest_parallel_rerun_alone=(1|0)\n"
    "      Run each failed test again alone, and name those that pass\n"
    "      alone: they share state with tests run beside them\n"
    "      (default: 1). The run fails either way.\n"
    "  --gtest_parallel_rerun_failed\n"
    "      Run only the tests that failed in the last parallel run, by\n"
    "      the timing file (and selected by --gtest_filter, if given).\n";

// How environment variables set the flags.
constexpr char kEnvironmentHelp[] =
    "\n"
    "  Each flag has an environment variable of the same name in upper\n"
    "  case (GTEST_PARALLEL, GTEST_PARALLEL_TIMEOUT, ...); flags win.\n";

}  // namespace

std::string FlagsHelp() {
  return std::string("\n") + kParallelHelp + kDatabaseHelp + kIsolationHelp +
         kSchedulingHelp + kEnvironmentHelp;
}

}  // namespace internal
}  // namespace gtest_parallel
