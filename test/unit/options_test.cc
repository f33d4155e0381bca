// Unit tests for the parsing of gtest_parallel's flag and environment
// variable (options.h): --gtest_parallel and GTEST_PARALLEL, their values
// and errors, and the flags' help. The other flags are tested in
// options_flags_test.cc, unknown and misspelt ones in
// options_errors_test.cc.
#include "flags/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "options_test_util.h"
#include "platform/cpus.h"

namespace gtest_parallel {
namespace internal {
namespace options_testing {
namespace {

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

}  // namespace
}  // namespace options_testing
}  // namespace internal
}  // namespace gtest_parallel
