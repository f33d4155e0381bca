// Unit tests for the parsing of gtest_parallel's flag and environment
// variable (options.h).
#include "flags/options.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "platform/cpus.h"
#include "scoped_environment.h"

namespace gtest_parallel {
namespace internal {
namespace {

// An argv built from strings, null-terminated like the one main() gets.
class Argv {
 public:
  explicit Argv(std::vector<std::string> args) : storage_(std::move(args)) {
    for (std::string& arg : storage_) pointers_.push_back(arg.data());
    pointers_.push_back(nullptr);
    original_ = pointers_;
    argc_ = static_cast<int>(storage_.size());
  }

  int* argc() { return &argc_; }
  char** argv() { return pointers_.data(); }
  char* original(size_t i) const { return original_[i]; }

  // The arguments left in argv, argv[0] included.
  std::vector<std::string> Left() const {
    return std::vector<std::string>(pointers_.begin(),
                                    pointers_.begin() + argc_);
  }

 private:
  std::vector<std::string> storage_;
  std::vector<char*> pointers_;
  std::vector<char*> original_;
  int argc_ = 0;
};

struct Parsed {
  bool ok = false;
  Options options;
  std::string error;
  std::vector<std::string> left;
};

Parsed Parse(std::vector<std::string> args, const char* env = nullptr) {
  Argv argv(std::move(args));
  Parsed parsed;
  parsed.ok = ParseOptions(argv.argc(), argv.argv(), env, &parsed.options,
                           &parsed.error);
  parsed.left = argv.Left();
  return parsed;
}

using Args = std::vector<std::string>;

TEST(ParseOptionsTest, NoFlagAndNoEnvironmentMeansSerial) {
  const Parsed parsed = Parse({"prog", "--gtest_filter=A.*", "x"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 0);
  EXPECT_FALSE(parsed.options.workers_auto);
  EXPECT_EQ(parsed.left, (Args{"prog", "--gtest_filter=A.*", "x"}));
  EXPECT_EQ(parsed.error, "");
}

TEST(ParseOptionsTest, OnlyProgramName) {
  const Parsed parsed = Parse({"prog"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 0);
  EXPECT_EQ(parsed.left, Args{"prog"});
}

TEST(ParseOptionsTest, ResetsOptionsGivenIn) {
  Argv argv({"prog"});
  Options options;
  options.workers = 7;
  options.workers_auto = true;
  options.output = OutputMode::kNone;
  options.output_limit = 5;
  std::string error;
  ASSERT_TRUE(
      ParseOptions(argv.argc(), argv.argv(), nullptr, &options, &error));
  const Options defaults;
  EXPECT_EQ(options.workers, 0);
  EXPECT_FALSE(options.workers_auto);
  EXPECT_EQ(options.output, defaults.output);
  EXPECT_EQ(options.output_limit, defaults.output_limit);
}

TEST(ParseOptionsTest, FlagWithNumber) {
  const Parsed parsed = Parse({"prog", "--gtest_parallel=4"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 4);
  EXPECT_FALSE(parsed.options.workers_auto);
  EXPECT_EQ(parsed.left, Args{"prog"});
}

TEST(ParseOptionsTest, FlagIsRemovedAndOtherArgumentsKeepTheirOrder) {
  const Parsed parsed =
      Parse({"prog", "--gtest_filter=A.*", "positional", "--gtest_parallel=3",
             "--gtest_repeat=2", "-v", "--", "last"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 3);
  EXPECT_EQ(parsed.left, (Args{"prog", "--gtest_filter=A.*", "positional",
                               "--gtest_repeat=2", "-v", "--", "last"}));
}

TEST(ParseOptionsTest, KeepsTheOriginalArgvPointersAndTerminatesArgv) {
  Argv argv({"prog", "--gtest_parallel=2", "--gtest_color=no", "file.txt"});
  Options options;
  std::string error;
  ASSERT_TRUE(ParseOptions(argv.argc(), argv.argv(), nullptr, &options, &error))
      << error;
  ASSERT_EQ(*argv.argc(), 3);
  EXPECT_EQ(argv.argv()[0], argv.original(0));
  EXPECT_EQ(argv.argv()[1], argv.original(2));
  EXPECT_EQ(argv.argv()[2], argv.original(3));
  EXPECT_EQ(argv.argv()[3], nullptr);
}

TEST(ParseOptionsTest, FlagFirstOrLast) {
  Parsed parsed = Parse({"prog", "--gtest_parallel=2", "a", "b"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 2);
  EXPECT_EQ(parsed.left, (Args{"prog", "a", "b"}));

  parsed = Parse({"prog", "a", "b", "--gtest_parallel=5"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 5);
  EXPECT_EQ(parsed.left, (Args{"prog", "a", "b"}));
}

TEST(ParseOptionsTest, BareFlagMeansAuto) {
  const Parsed parsed = Parse({"prog", "--gtest_parallel"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, AvailableCpus());
  EXPECT_TRUE(parsed.options.workers_auto);
  EXPECT_EQ(parsed.left, Args{"prog"});
}

// A bare flag followed by any other argument: the argument must neither be
// taken as the flag's value nor crash the parser (Boost offers the next
// token to an option with an implicit value).
TEST(ParseOptionsTest, BareFlagFollowedByOtherArguments) {
  Parsed parsed = Parse({"prog", "--gtest_parallel", "--gtest_filter=A.*"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_TRUE(parsed.options.workers_auto);
  EXPECT_EQ(parsed.left, (Args{"prog", "--gtest_filter=A.*"}));

  // GoogleTest's flags take their value after '='; so does ours.
  parsed = Parse({"prog", "--gtest_parallel", "3"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_TRUE(parsed.options.workers_auto);
  EXPECT_EQ(parsed.options.workers, AvailableCpus());
  EXPECT_EQ(parsed.left, (Args{"prog", "3"}));
}

TEST(ParseOptionsTest, ExplicitAuto) {
  const Parsed parsed = Parse({"prog", "--gtest_parallel=auto"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, AvailableCpus());
  EXPECT_TRUE(parsed.options.workers_auto);
}

TEST(ParseOptionsTest, SingleDashIsAccepted) {
  Parsed parsed = Parse({"prog", "-gtest_parallel=3", "x"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 3);
  EXPECT_EQ(parsed.left, (Args{"prog", "x"}));

  parsed = Parse({"prog", "-gtest_parallel"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_TRUE(parsed.options.workers_auto);
  EXPECT_EQ(parsed.left, Args{"prog"});
}

TEST(ParseOptionsTest, ZeroOneAndTheMaximumAreAccepted) {
  for (int workers : {0, 1, 2, kMaxWorkers}) {
    const Parsed parsed =
        Parse({"prog", "--gtest_parallel=" + std::to_string(workers)});
    ASSERT_TRUE(parsed.ok) << workers << ": " << parsed.error;
    EXPECT_EQ(parsed.options.workers, workers);
    EXPECT_FALSE(parsed.options.workers_auto);
    EXPECT_EQ(parsed.left, Args{"prog"});
  }
}

// Arguments that are not flags of GoogleTest's form, or not in our letters.
// (Misspellings of our flags are errors: see MisspeltMainFlagIsAnError.)
TEST(ParseOptionsTest, SimilarLookingArgumentsAreLeftAlone) {
  const Args args = {"prog",
                     "---gtest_parallel=3",
                     "gtest_parallel=3",
                     "--GTEST_PARALLEL=3",
                     "-",
                     "",
                     "/gtest_parallel=3",
                     "--parallel=3",
                     "--gtest_filter=gtest_parallel*"};
  const Parsed parsed = Parse(args);
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 0);
  EXPECT_EQ(parsed.left, args);
}

TEST(ParseOptionsTest, EnvironmentIsUsedWithoutTheFlag) {
  Parsed parsed = Parse({"prog", "x"}, "5");
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 5);
  EXPECT_FALSE(parsed.options.workers_auto);
  EXPECT_EQ(parsed.left, (Args{"prog", "x"}));

  parsed = Parse({"prog"}, "auto");
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, AvailableCpus());
  EXPECT_TRUE(parsed.options.workers_auto);
}

TEST(ParseOptionsTest, FlagWinsOverEnvironment) {
  Parsed parsed = Parse({"prog", "--gtest_parallel=2"}, "5");
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 2);
  EXPECT_FALSE(parsed.options.workers_auto);

  parsed = Parse({"prog", "--gtest_parallel=3"}, "auto");
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 3);
  EXPECT_FALSE(parsed.options.workers_auto);

  parsed = Parse({"prog", "--gtest_parallel=0"}, "8");
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.options.workers, 0);

  parsed = Parse({"prog", "--gtest_parallel"}, "7");
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_TRUE(parsed.options.workers_auto);
  EXPECT_EQ(parsed.options.workers, AvailableCpus());
}

// Values that are not N|auto, for the flag and for the variable alike.
const char* const kBadValues[] = {"abc",        "-3",
                                  "3x",         "x3",
                                  "",           " 3",
                                  "3 ",         "+3",
                                  "3.0",        "0x10",
                                  "1025",       "99999",
                                  "9999999999", "99999999999999999999",
                                  "AUTO",       "Auto",
                                  "auto ",      "-1",
                                  "3=4"};

bool IsOneLine(const std::string& text) {
  return text.find('\n') == std::string::npos &&
         text.find('\r') == std::string::npos;
}

TEST(ParseOptionsTest, BadFlagValuesAreRejectedNamingTheFlag) {
  for (const char* value : kBadValues) {
    SCOPED_TRACE(std::string("value '") + value + "'");
    const Parsed parsed =
        Parse({"prog", std::string("--gtest_parallel=") + value});
    EXPECT_FALSE(parsed.ok);
    EXPECT_NE(parsed.error.find("--gtest_parallel"), std::string::npos)
        << parsed.error;
    EXPECT_TRUE(IsOneLine(parsed.error)) << parsed.error;
  }
}

TEST(ParseOptionsTest, BadSingleDashFlagValueIsRejected) {
  const Parsed parsed = Parse({"prog", "-gtest_parallel=abc"});
  EXPECT_FALSE(parsed.ok);
  EXPECT_NE(parsed.error.find("gtest_parallel"), std::string::npos)
      << parsed.error;
  EXPECT_TRUE(IsOneLine(parsed.error)) << parsed.error;
}

TEST(ParseOptionsTest, BadEnvironmentValuesAreRejectedNamingTheVariable) {
  for (const char* value : kBadValues) {
    SCOPED_TRACE(std::string("value '") + value + "'");
    const Parsed parsed = Parse({"prog"}, value);
    EXPECT_FALSE(parsed.ok);
    EXPECT_NE(parsed.error.find("GTEST_PARALLEL"), std::string::npos)
        << parsed.error;
    EXPECT_EQ(parsed.error.find("--gtest_parallel"), std::string::npos)
        << parsed.error;
    EXPECT_TRUE(IsOneLine(parsed.error)) << parsed.error;
  }
}

TEST(ParseOptionsTest, ErrorQuotesTheBadValue) {
  const Parsed parsed = Parse({"prog", "--gtest_parallel=12ab"});
  EXPECT_FALSE(parsed.ok);
  EXPECT_NE(parsed.error.find("12ab"), std::string::npos) << parsed.error;
}

TEST(ParseOptionsTest, OneAboveTheMaximumIsRejected) {
  const Parsed parsed =
      Parse({"prog", "--gtest_parallel=" + std::to_string(kMaxWorkers + 1)});
  EXPECT_FALSE(parsed.ok);
  EXPECT_NE(parsed.error.find("--gtest_parallel"), std::string::npos);
}

TEST(ParseWorkerCountTest, NumbersAndAuto) {
  Options options;
  std::string error;
  ASSERT_TRUE(ParseWorkerCount("7", "SRC", &options, &error)) << error;
  EXPECT_EQ(options.workers, 7);
  EXPECT_FALSE(options.workers_auto);

  ASSERT_TRUE(ParseWorkerCount("auto", "SRC", &options, &error)) << error;
  EXPECT_EQ(options.workers, AvailableCpus());
  EXPECT_TRUE(options.workers_auto);

  // A number after "auto" clears the auto mark.
  ASSERT_TRUE(ParseWorkerCount("0", "SRC", &options, &error)) << error;
  EXPECT_EQ(options.workers, 0);
  EXPECT_FALSE(options.workers_auto);
}

TEST(ParseWorkerCountTest, ErrorNamesTheSourceAndValue) {
  for (const char* value : kBadValues) {
    SCOPED_TRACE(std::string("value '") + value + "'");
    Options options;
    std::string error;
    EXPECT_FALSE(ParseWorkerCount(value, "MY_SOURCE", &options, &error));
    EXPECT_NE(error.find("MY_SOURCE"), std::string::npos) << error;
    EXPECT_NE(error.find(std::string("'") + value + "'"), std::string::npos)
        << error;
    EXPECT_TRUE(IsOneLine(error)) << error;
  }
}

TEST(FlagsHelpTest, DescribesTheFlagAndTheVariable) {
  const std::string help = FlagsHelp();
  EXPECT_NE(help.find("--gtest_parallel=[N|auto]"), std::string::npos);
  EXPECT_NE(help.find("GTEST_PARALLEL"), std::string::npos);
  EXPECT_NE(help.find("auto"), std::string::npos);
}

TEST(FlagsHelpTest, FitsGoogleTestHelpLayout) {
  const std::string help = FlagsHelp();
  ASSERT_FALSE(help.empty());
  // It is appended to GoogleTest's help: it starts with a blank line and
  // ends with a newline, and no line is wider than 80 columns.
  EXPECT_EQ(help.front(), '\n');
  EXPECT_EQ(help.back(), '\n');
  size_t start = 0;
  while (start < help.size()) {
    size_t end = help.find('\n', start);
    if (end == std::string::npos) end = help.size();
    EXPECT_LE(end - start, 80u) << help.substr(start, end - start);
    start = end + 1;
  }
  // The flag is indented like GoogleTest's own ("  --gtest_...").
  EXPECT_NE(help.find("\n  --gtest_parallel"), std::string::npos);
}

TEST(ParseOptionsTest, DatabaseUrlsPerAliasRepeatable) {
  const Parsed parsed =
      Parse({"prog", "--gtest_parallel_db=app=sqlite::memory:", "x",
             "--gtest_parallel_db=cache=postgresql://u:p@h/db?a=b"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.left, (Args{"prog", "x"}));
  EXPECT_EQ(parsed.options.database_urls.size(), 2u);
  EXPECT_EQ(parsed.options.database_urls.at("app"), "sqlite::memory:");
  EXPECT_EQ(parsed.options.database_urls.at("cache"),
            "postgresql://u:p@h/db?a=b");
}

TEST(ParseOptionsTest, DatabaseFlagWithoutAliasIsAnErrorThatHidesTheValue) {
  for (const char* bad :
       {"--gtest_parallel_db=postgresql://u:Secr3t@h/db",
        "--gtest_parallel_db==x", "--gtest_parallel_db=app="}) {
    const Parsed parsed = Parse({"prog", bad});
    EXPECT_FALSE(parsed.ok) << bad;
    EXPECT_NE(parsed.error.find("--gtest_parallel_db"), std::string::npos);
    EXPECT_NE(parsed.error.find("ALIAS=URL"), std::string::npos);
    EXPECT_EQ(parsed.error.find("Secr3t"), std::string::npos) << parsed.error;
  }
}

TEST(ParseOptionsTest, Keepdb) {
  EXPECT_FALSE(Parse({"prog"}).options.keepdb);
  EXPECT_TRUE(Parse({"prog", "--gtest_parallel_keepdb"}).options.keepdb);
  EXPECT_TRUE(Parse({"prog", "--gtest_parallel_keepdb=1"}).options.keepdb);
  EXPECT_FALSE(Parse({"prog", "--gtest_parallel_keepdb=0"}).options.keepdb);
  const Parsed bad = Parse({"prog", "--gtest_parallel_keepdb=maybe"});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("--gtest_parallel_keepdb"), std::string::npos);
}

TEST(ParseOptionsTest, KeepdbFromTheEnvironmentFlagWins) {
  const ScopedEnvironment keepdb("GTEST_PARALLEL_KEEPDB", "1");
  EXPECT_TRUE(Parse({"prog"}).options.keepdb);
  EXPECT_FALSE(Parse({"prog", "--gtest_parallel_keepdb=0"}).options.keepdb);
}

TEST(ParseOptionsTest, Dropdb) {
  EXPECT_FALSE(Parse({"prog"}).options.dropdb);
  EXPECT_TRUE(Parse({"prog", "--gtest_parallel_dropdb"}).options.dropdb);
  EXPECT_FALSE(Parse({"prog", "--gtest_parallel_dropdb=0"}).options.dropdb);
  const Parsed bad = Parse({"prog", "--gtest_parallel_dropdb=maybe"});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("--gtest_parallel_dropdb"), std::string::npos);
  const ScopedEnvironment dropdb("GTEST_PARALLEL_DROPDB", "1");
  EXPECT_TRUE(Parse({"prog"}).options.dropdb);
  const Parsed typo = Parse({"prog", "--gtest_parallel_drop_db"});
  EXPECT_FALSE(typo.ok);
  EXPECT_NE(typo.error.find("did you mean --gtest_parallel_dropdb?"),
            std::string::npos)
      << typo.error;
}

TEST(ParseOptionsTest, Force) {
  EXPECT_FALSE(Parse({"prog"}).options.force_parallel);
  EXPECT_TRUE(Parse({"prog", "--gtest_parallel_force"}).options.force_parallel);
  EXPECT_TRUE(
      Parse({"prog", "--gtest_parallel_force=true"}).options.force_parallel);
  EXPECT_FALSE(
      Parse({"prog", "--gtest_parallel_force=0"}).options.force_parallel);
  const Parsed bad = Parse({"prog", "--gtest_parallel_force=maybe"});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("--gtest_parallel_force"), std::string::npos);
}

TEST(ParseOptionsTest, ForceFromTheEnvironmentFlagWins) {
  {
    const ScopedEnvironment force("GTEST_PARALLEL_FORCE", "1");
    EXPECT_TRUE(Parse({"prog"}).options.force_parallel);
    EXPECT_FALSE(
        Parse({"prog", "--gtest_parallel_force=false"}).options.force_parallel);
  }
  const ScopedEnvironment bad_force("GTEST_PARALLEL_FORCE", "maybe");
  const Parsed bad = Parse({"prog"});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("GTEST_PARALLEL_FORCE"), std::string::npos);
}

// Words of Boost.Program_options' own messages, which must never show.
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
}  // namespace internal
}  // namespace gtest_parallel
