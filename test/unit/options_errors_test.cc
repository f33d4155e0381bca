// Unit tests of the errors of flag and environment parsing (options.h):
// misspelt, unknown, missing, repeated flags and variables, all reported
// in gtest_parallel's words, and GoogleTest's own flags left alone.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "flags/options.h"
#include "options_test_util.h"
#include "scoped_environment.h"

namespace gtest_parallel {
namespace internal {
namespace options_testing {
namespace {

bool HasBoostWords(const std::string& error) {
  for (const char* words :
       {"option '", "unrecognised", "should follow", "required argument",
        "cannot be specified", "the argument"}) {
    if (error.find(words) != std::string::npos) return true;
  }
  return false;
}

TEST(ParseOptionsTest, MisspeltMainFlagIsAnErrorSuggestingIt) {
  Parsed parsed = Parse({"prog", "--gtest_paralel=2"});
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error,
            "unknown flag --gtest_paralel=2; did you mean --gtest_parallel?");

  for (const char* typo :
       {"-gtest_paralel=2", "--gtest_paralle=3", "--gtest_parralel=2",
        "--gtest_prallel=2", "--gtest-parallel=2", "--gtest_parallell",
        "--gtest_parallel-3", "--gtest_parallelism=3", "--gtest_paralell"}) {
    SCOPED_TRACE(typo);
    parsed = Parse({"prog", typo, "--gtest_filter=A.*"});
    EXPECT_FALSE(parsed.ok);
    EXPECT_EQ(parsed.error.rfind(std::string("unknown flag ") + typo, 0), 0u)
        << parsed.error;
    EXPECT_NE(parsed.error.find("did you mean --gtest_parallel?"),
              std::string::npos)
        << parsed.error;
    EXPECT_TRUE(IsOneLine(parsed.error)) << parsed.error;
  }
}

TEST(ParseOptionsTest, MisspeltSettingFlagIsAnErrorSuggestingTheNearest) {
  Parsed parsed = Parse({"prog", "--gtest_parallel_retry=2"});
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error,
            "unknown flag --gtest_parallel_retry=2; did you mean "
            "--gtest_parallel_retries?");

  const std::map<std::string, std::string> typos = {
      {"-gtest_parallel_retry=2", "--gtest_parallel_retries"},
      {"--gtest_parallel_timout=5", "--gtest_parallel_timeout"},
      {"--gtest_paralel_timeout=5", "--gtest_parallel_timeout"},
      {"--gtest_parallel_keep_db", "--gtest_parallel_keepdb"},
      {"--gtest_parallel_outptu=all", "--gtest_parallel_output"},
      {"--gtest_parallel_rerun_alon=0", "--gtest_parallel_rerun_alone"},
      {"--gtest-parallel-split=never", "--gtest_parallel_split"},
  };
  for (const auto& [typo, nearest] : typos) {
    SCOPED_TRACE(typo);
    parsed = Parse({"prog", typo});
    EXPECT_FALSE(parsed.ok);
    EXPECT_EQ(parsed.error,
              "unknown flag " + typo + "; did you mean " + nearest + "?");
  }
}

TEST(ParseOptionsTest, UnknownFlagWithNothingCloseHasNoSuggestion) {
  const Parsed parsed = Parse({"prog", "--gtest_parallel_verbose=1"});
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error,
            "unknown flag --gtest_parallel_verbose=1 (--help lists "
            "gtest_parallel's flags)");
}

TEST(ParseOptionsTest, UnknownFlagErrorHidesAValueThatMayHoldAPassword) {
  const Parsed parsed =
      Parse({"prog", "--gtest_parallel_dbs=app=postgresql://u:Secr3t@h/db"});
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error,
            "unknown flag --gtest_parallel_dbs=...; did you mean "
            "--gtest_parallel_db?");
}

TEST(ParseOptionsTest, MissingValueIsAnErrorInOurWords) {
  const std::map<std::string, std::string> cases = {
      {"--gtest_parallel=", "--gtest_parallel= needs a value: N or auto"},
      {"-gtest_parallel=", "--gtest_parallel= needs a value: N or auto"},
      {"--gtest_parallel_timeout=",
       "--gtest_parallel_timeout= needs a value: a number of seconds (0 for "
       "no limit)"},
      {"--gtest_parallel_timeout",
       "--gtest_parallel_timeout needs a value after '=': a number of "
       "seconds (0 for no limit)"},
      {"--gtest_parallel_keepdb=",
       "--gtest_parallel_keepdb= needs a value: 1 or 0"},
      {"--gtest_parallel_db",
       "--gtest_parallel_db needs a value after '=': "
       "ALIAS=URL"},
      {"--gtest_parallel_split=",
       "--gtest_parallel_split= needs a value: never, auto or always"},
  };
  for (const auto& [flag, error] : cases) {
    SCOPED_TRACE(flag);
    const Parsed parsed = Parse({"prog", flag});
    EXPECT_FALSE(parsed.ok);
    EXPECT_EQ(parsed.error, error);
  }
}

TEST(ParseOptionsTest, RepeatedFlagIsAnErrorInOurWords) {
  Parsed parsed = Parse({"prog", "--gtest_parallel=2", "--gtest_parallel=3"});
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error, "--gtest_parallel is given more than once");

  parsed = Parse({"prog", "-gtest_parallel_output=all", "x",
                  "--gtest_parallel_output=none"});
  EXPECT_FALSE(parsed.ok);
  EXPECT_EQ(parsed.error, "--gtest_parallel_output is given more than once");
}

TEST(ParseOptionsTest, EveryFlagErrorIsOneLineInOurWords) {
  for (const Args& args : std::vector<Args>{
           {"--gtest_parallel="},
           {"--gtest_parallel=x"},
           {"--gtest_parallel_timeout"},
           {"--gtest_parallel_retries="},
           {"--gtest_parallel_retry=2"},
           {"--gtest_parallel_=2"},
           {"--gtest_parallel_", "--gtest_parallel"},
           {"--gtest_parallel=1", "-gtest_parallel=2"},
           {"--gtest_parallel_slow=1", "--gtest_parallel_slow"},
           {"--gtest_parallel_db=", "--gtest_parallel_db=a=b"},
           {"-gtest_parallel_workdir"},
           {"--gtest_parallel_force=", "--gtest_parallel_force"}}) {
    Args argv = {"prog"};
    argv.insert(argv.end(), args.begin(), args.end());
    SCOPED_TRACE(args.front());
    const Parsed parsed = Parse(argv);
    EXPECT_FALSE(parsed.ok);
    EXPECT_FALSE(parsed.error.empty());
    EXPECT_FALSE(HasBoostWords(parsed.error)) << parsed.error;
    EXPECT_TRUE(IsOneLine(parsed.error)) << parsed.error;
  }
}

TEST(ParseOptionsTest, GoogleTestsOwnFlagsAreLeftAlone) {
  const Args args = {
      "prog", "--gtest_filter=Parallel.*", "--gtest_output=xml:out.xml",
      "--gtest_repeat=2", "--gtest_shuffle", "--gtest_random_seed=7",
      "--gtest_color=no", "--gtest_brief=1", "--gtest_print_time=0",
      "--gtest_list_tests", "--gtest_also_run_disabled_tests",
      "--gtest_break_on_failure", "--gtest_catch_exceptions=0",
      "--gtest_death_test_style=threadsafe", "--gtest_death_test_use_fork",
      "--gtest_fail_fast", "--gtest_fail_if_no_test_linked",
      "--gtest_flagfile=flags.txt", "--gtest_print_utf8=0",
      "--gtest_recreate_environments_when_repeating",
      "--gtest_stack_trace_depth=3", "--gtest_throw_on_failure",
      "--gtest_stream_result_to=localhost:1",
      "--gtest_install_failure_signal_handler",
      "--gtest_show_internal_stack_frames",
      "--gtest_internal_run_death_test=a|1|2|3", "--gtest_help",
      "-gtest_filter=A.*",
      // Not near ours: GoogleTest's to answer (with its help text).
      "--gtest_no_such_flag", "--gtest_filer=A.*", "--gtest_repeet=2"};
  const Parsed parsed = Parse(args);
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.left, args);
}

TEST(CheckVariableNamesTest, MisspeltVariableIsAnErrorSuggestingTheNearest) {
  std::string error;
  EXPECT_FALSE(CheckVariableNames({"PATH", "GTEST_PARALLEL_RETRY"}, &error));
  EXPECT_EQ(error,
            "unknown environment variable GTEST_PARALLEL_RETRY; did you mean "
            "GTEST_PARALLEL_RETRIES?");

  const std::map<std::string, std::string> typos = {
      {"GTEST_PARALEL", "GTEST_PARALLEL"},
      {"GTEST_PARALLELL", "GTEST_PARALLEL"},
      {"GTEST_PARALLEL_TIMOUT", "GTEST_PARALLEL_TIMEOUT"},
      {"GTEST_PARALEL_TIMEOUT", "GTEST_PARALLEL_TIMEOUT"},
      {"GTEST_PARALLEL_KEEP_DB", "GTEST_PARALLEL_KEEPDB"},
      {"GTEST_PARALLEL_RERUNALONE", "GTEST_PARALLEL_RERUN_ALONE"},
      {"GTEST_PARALLEL_TIMING_FILES", "GTEST_PARALLEL_TIMING_FILE"},
  };
  for (const auto& [typo, nearest] : typos) {
    SCOPED_TRACE(typo);
    error.clear();
    EXPECT_FALSE(CheckVariableNames({typo}, &error));
    EXPECT_EQ(error, "unknown environment variable " + typo +
                         "; did you mean " + nearest + "?");
  }
}

TEST(CheckVariableNamesTest, OurOtherVariablesAndUnrelatedOnesPass) {
  const std::vector<std::string> names = {
      // Ours: the settings, and those that are not settings.
      "GTEST_PARALLEL", "GTEST_PARALLEL_TIMEOUT", "GTEST_PARALLEL_SLOW",
      "GTEST_PARALLEL_RETRIES", "GTEST_PARALLEL_OUTPUT",
      "GTEST_PARALLEL_TIMING_FILE", "GTEST_PARALLEL_KEEPDB",
      "GTEST_PARALLEL_FORCE", "GTEST_PARALLEL_WORKDIR",
      "GTEST_PARALLEL_KEEP_SCRATCH", "GTEST_PARALLEL_SPLIT",
      "GTEST_PARALLEL_RERUN_ALONE", "GTEST_PARALLEL_WORKER",
      "GTEST_PARALLEL_WORKERS", "GTEST_PARALLEL_CHANNEL",
      "GTEST_PARALLEL_COORDINATOR", "GTEST_PARALLEL_ALONE",
      "GTEST_PARALLEL_SHARED_TMPDIR", "GTEST_PARALLEL_SQLITE_DATABASE",
      "GTEST_PARALLEL_SQLITE_DATABASE_APP", "GTEST_PARALLEL_DB_APP",
      "GTEST_PARALLEL_DB_SLOW", "GTEST_PARALLEL_DB_DIR",
      "GTEST_PARALLEL_DB_BENCH", "GTEST_PARALLEL_DATABASE_APP",
      "GTEST_PARALLEL_DATABASE_URL", "GTEST_PARALLEL_DATABASE_SHOP",
      "GTEST_PARALLEL_TEST_PG_URL", "GTEST_PARALLEL_TEST_MARIADB_NOCREATE_URL",
      "GTEST_PARALLEL_TESTING_REVERSE_SUITES", "GTEST_PARALLEL_E2E_LAUNCHER",
      "GTEST_PARALLEL_E2E_DRIVE", "GTEST_PARALLEL_E2E_WORKERS",
      "GTEST_PARALLEL_FIXTURE_USES_RUNNER", "GTEST_PARALLEL_SANITIZER",
      "GTEST_PARALLEL_SANITIZER_TESTS",
      // Not close to any setting's name.
      "GTEST_PARALLEL_X", "GTEST_PARALLEL_SOMETHING_ELSE",
      "GTEST_PARALLEL_GTEST_VERSION", "GTEST_PARALLEL_WINDOWS_BOOST_SOURCE",
      // Not ours at all.
      "GTEST_FILTER", "GTEST_OUTPUT", "GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS",
      "TEST_TMPDIR", "PATH", "", "=C:"};
  std::string error;
  EXPECT_TRUE(CheckVariableNames(names, &error)) << error;
  EXPECT_EQ(error, "");
}

TEST(ParseOptionsTest, MisspeltVariableInTheEnvironmentIsAnError) {
  {
    const ScopedEnvironment retry("GTEST_PARALLEL_RETRY", "2");
    const Parsed parsed = Parse({"prog"});
    EXPECT_FALSE(parsed.ok);
    EXPECT_EQ(parsed.error,
              "unknown environment variable GTEST_PARALLEL_RETRY; did you "
              "mean GTEST_PARALLEL_RETRIES?");
  }
  const ScopedEnvironment worker("GTEST_PARALLEL_WORKER", "3");
  const ScopedEnvironment alias("GTEST_PARALLEL_DB_APP", "sqlite::memory:");
  const Parsed parsed = Parse({"prog", "--gtest_parallel=2"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 2);
}

}  // namespace
}  // namespace options_testing
}  // namespace internal
}  // namespace gtest_parallel
