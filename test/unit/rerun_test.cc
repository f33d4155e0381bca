// Tests of the re-run line and of --gtest_parallel_rerun_failed (rerun.h):
// quoting, the command, GoogleTest's filter semantics and the selection of
// the last run's failures from the timing file.
#include "coordinator/rerun.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "coordinator/history.h"
#include "flags/options.h"
#include "gtest_parallel/gtest_parallel.h"
#include "scoped_environment.h"

// GoogleTest before 1.12 has no accessors for its flags.
#ifndef GTEST_FLAG_GET
#define GTEST_FLAG_GET(name) ::testing::GTEST_FLAG(name)
#define GTEST_FLAG_SET(name, value) (void)(::testing::GTEST_FLAG(name) = value)
#endif

namespace gtest_parallel {
namespace internal {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/gtp_rerun_" +
         std::to_string(getpid()) + "_" + name;
}

#if !defined(_WIN32)
// What /bin/sh makes of `command_line`: its words, one per line, as
// printf prints them.
std::string ShellWords(const std::string& command_line) {
  const std::string command = "printf '<%s>\\n' " + command_line;
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "(popen failed)";
  std::string out;
  char buffer[256];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    out.append(buffer, got);
  }
  pclose(pipe);
  return out;
}

TEST(ShellQuoteTest, LeavesSafeWordsAsTheyAre) {
  EXPECT_EQ(ShellQuote("./tests"), "./tests");
  EXPECT_EQ(ShellQuote("--gtest_filter=A.b:P/C.d/0"),
            "--gtest_filter=A.b:P/C.d/0");
  EXPECT_EQ(ShellQuote("--gtest_output=xml:/tmp/r,1+2@x%y"),
            "--gtest_output=xml:/tmp/r,1+2@x%y");
}

TEST(ShellQuoteTest, QuotesEverythingElse) {
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("two words"), "'two words'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
  EXPECT_EQ(ShellQuote("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(ShellQuote("~/x"), "'~/x'");
  EXPECT_EQ(ShellQuote("a*"), "'a*'");
}

TEST(ShellQuoteTest, TheShellReadsBackEachWordUnchanged) {
  const std::vector<std::string> words = {
      "",      "plain", "two words", "it's",      "\"double\"", "back\\slash",
      "$HOME", "`id`",  "a;b|c&d",   "new\nline", "tab\there",  "caf\xc3\xa9",
      "*.cc",  "~",     "'",         "''",        "!x",         "#comment"};
  std::string command_line;
  std::string expected;
  for (const std::string& word : words) {
    command_line += " " + ShellQuote(word);
    expected += "<" + word + ">\n";
  }
  EXPECT_EQ(ShellWords(command_line), expected) << command_line;
}

TEST(RerunCommandTest, ReplacesTheFilterAndDropsRepeat) {
  const std::vector<std::string> argv = {
      "./tests",          "--gtest_parallel=4", "--gtest_filter=A.*",
      "--gtest_repeat=3", "--gtest_shuffle",    "--gtest_parallel_rerun_failed",
      "user arg",         "--gtest_filter=B.*"};
  EXPECT_EQ(RerunCommand(argv, {"A.b", "P/C.d/0"}),
            "./tests --gtest_parallel=4 --gtest_shuffle 'user arg' "
            "--gtest_filter=A.b:P/C.d/0");
}

TEST(RerunCommandTest, KeepsTheProgramAsTyped) {
  EXPECT_EQ(RerunCommand({"../build dir/tests"}, {"A.b"}),
            "'../build dir/tests' --gtest_filter=A.b");
  EXPECT_EQ(RerunCommand({"tests"}, {"A.b"}), "tests --gtest_filter=A.b");
  // Not taken for a variable assignment.
  EXPECT_EQ(RerunCommand({"x=y/tests"}, {"A.b"}),
            "'x=y/tests' --gtest_filter=A.b");
  // The program's own arguments keep their order; only the filter moves.
  EXPECT_EQ(RerunCommand({"t", "in.txt", "--gtest_filter=*", "-v"}, {"S.t"}),
            "t in.txt -v --gtest_filter=S.t");
}

TEST(RerunCommandTest, DropsEveryFormOfOurRerunFlag) {
  EXPECT_EQ(RerunArguments({"t", "-gtest_parallel_rerun_failed",
                            "--gtest_parallel_rerun_failed=1",
                            "--gtest_parallel_rerun_alone=0"},
                           false),
            (std::vector<std::string>{"t", "--gtest_parallel_rerun_alone=0"}));
}

TEST(RerunCommandTest, TheShellRunsExactlyTheCommand) {
  const std::string command = RerunCommand(
      {"/bin/echo", "it's", "--gtest_filter=X.*", "--gtest_repeat=2"},
      {"A.b", "P/C.d/0"});
  EXPECT_EQ(ShellWords(command.substr(std::string("/bin/echo ").size())),
            "<it's>\n<--gtest_filter=A.b:P/C.d/0>\n");
}
#else
TEST(ShellQuoteTest, QuotesAsCreateProcessReadsBack) {
  EXPECT_EQ(ShellQuote("C:\\dir\\tests.exe"), "C:\\dir\\tests.exe");
  EXPECT_EQ(ShellQuote(""), "\"\"");
  EXPECT_EQ(ShellQuote("two words"), "\"two words\"");
  EXPECT_EQ(ShellQuote("C:\\my dir\\"), "\"C:\\my dir\\\\\"");
  EXPECT_EQ(ShellQuote("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(ShellQuote("a\\\"b"), "\"a\\\\\\\"b\"");
  EXPECT_EQ(ShellQuote("a&b"), "\"a&b\"");
}
#endif  // _WIN32

TEST(RerunLineTest, NothingWithoutFailures) {
  EXPECT_EQ(RerunLine({"./tests"}, {}, true), "");
}

TEST(RerunLineTest, NamesTheFailedTests) {
  EXPECT_EQ(RerunLine({"./tests", "--gtest_parallel=2"}, {"A.b", "C.d"}, true),
            "[gtest_parallel] to run the failed tests again: ./tests "
            "--gtest_parallel=2 --gtest_filter=A.b:C.d");
}

std::vector<std::string> ManyTests() {
  std::vector<std::string> tests;
  for (int i = 0; i < 400; ++i) {
    tests.push_back("LongSuiteName.LongTestName" + std::to_string(i));
  }
  return tests;
}

TEST(RerunLineTest, ALongListIsReadBackFromTheTimingFile) {
  const std::string line =
      RerunLine({"./tests", "--gtest_filter=-Other.x", "--gtest_repeat=2"},
                ManyTests(), true);
  // The user's filter is kept: the flag selects within it.
  EXPECT_EQ(line,
            "[gtest_parallel] to run the failed tests again: ./tests "
            "--gtest_filter=-Other.x --gtest_parallel_rerun_failed");
}

TEST(RerunLineTest, ALongListIsListedWithoutATimingFile) {
  const std::vector<std::string> tests = ManyTests();
  const std::string line = RerunLine({"./tests"}, tests, false);
  EXPECT_EQ(line,
            "[gtest_parallel] to run the failed tests again: ./tests "
            "--gtest_filter=" +
                FilterOf(tests));
  EXPECT_GT(line.size(), kMaxRerunFilter);
}

TEST(FilterSelectsTest, FollowsGoogleTestsSyntax) {
  EXPECT_TRUE(FilterSelects("*", "A.b"));
  EXPECT_TRUE(FilterSelects("A.*", "A.b"));
  EXPECT_FALSE(FilterSelects("A.*", "AB.c"));
  EXPECT_TRUE(FilterSelects("A.?", "A.b"));
  EXPECT_FALSE(FilterSelects("A.?", "A.bc"));
  EXPECT_TRUE(FilterSelects("X.y:A.b", "A.b"));
  EXPECT_FALSE(FilterSelects("X.y:A.b", "A.bb"));
  EXPECT_FALSE(FilterSelects("A.*-A.b", "A.b"));
  EXPECT_TRUE(FilterSelects("A.*-A.b", "A.c"));
  EXPECT_TRUE(FilterSelects("-A.b", "C.d"));  // Empty positive: everything.
  EXPECT_FALSE(FilterSelects("-A.b:C.*", "C.d"));
  EXPECT_FALSE(FilterSelects("", "A.b"));  // As in GoogleTest: nothing.
  EXPECT_TRUE(FilterSelects("*/C.d/*", "P/C.d/0"));
  EXPECT_TRUE(FilterSelects("*a*b*c", "xaxxbxbxc"));
  EXPECT_FALSE(FilterSelects("*a*b*c", "xaxxbxbxcx"));
}

TEST(RerunSelectionTest, FailedTestsTheFilterSelectsInTheProgramsOrder) {
  const std::vector<std::string> tests = {"A.a", "A.b", "B.a", "P/C.d/0",
                                          "P/C.d/1"};
  const std::vector<std::string> failed = {"P/C.d/1", "Gone.x", "A.b", "B.a"};
  EXPECT_EQ(RerunSelection(tests, failed, "*"),
            (std::vector<std::string>{"A.b", "B.a", "P/C.d/1"}));
  EXPECT_EQ(RerunSelection(tests, failed, "A.*:P/*"),
            (std::vector<std::string>{"A.b", "P/C.d/1"}));
  EXPECT_EQ(RerunSelection(tests, failed, "-B.*"),
            (std::vector<std::string>{"A.b", "P/C.d/1"}));
  EXPECT_TRUE(RerunSelection(tests, failed, "A.a").empty());
  EXPECT_TRUE(RerunSelection(tests, {}, "*").empty());
}

TEST(RerunHistoryTest, FailedNamesReadsTheTimingFile) {
  const std::string path = TempPath("failed.timings");
  std::ofstream(path) << "#\t0123456789abcdef\t3\n"
                         "12\t1\tS.a\n4\t0\tS.b\n7\t1\tP/C.d/0\n";
  History history;
  history.Load(path);
  std::vector<std::string> failed = history.FailedNames();
  std::sort(failed.begin(), failed.end());
  EXPECT_EQ(failed, (std::vector<std::string>{"P/C.d/0", "S.a"}));
  std::remove(path.c_str());
}

TEST(RerunHistoryTest, FailedNamesOfNumberedTestsComeInTheirOrder) {
  const std::string path = TempPath("numbered_failed.timings");
  std::ofstream(path) << "1\t1\tT.t2\n1\t1\tOld.gone\n1\t0\tT.t1\n"
                         "1\t1\tT.t0\n";
  History history;
  history.Index(3, 7, [](int test, std::string* name) {
    *name = "T.t" + std::to_string(test);
  });
  history.Load(path);
  EXPECT_EQ(history.FailedNames(),
            (std::vector<std::string>{"T.t0", "T.t2", "Old.gone"}));
  std::remove(path.c_str());
}

TEST(TimingFilePathTest, FollowsTheOptions) {
  Options options;
  options.timing_file_set = true;
  options.timing_file = "";  // --gtest_parallel_timing_file=none
  EXPECT_EQ(TimingFilePath(options, "/bin/tests"), "");
  options.timing_file = "/x/t.timings";
  EXPECT_EQ(TimingFilePath(options, "/bin/tests"), "/x/t.timings");
  options.timing_file_set = false;
  EXPECT_EQ(TimingFilePath(options, "/bin/tests"),
            History::DefaultPath("/bin/tests"));
}

// ApplyRerunFailed on this very program's tests; GoogleTest's filter is put
// back afterwards.
class ApplyRerunFailedTest : public testing::Test {
 protected:
  ApplyRerunFailedTest() : filter_(GTEST_FLAG_GET(filter)) {
    options_.timing_file_set = true;
    options_.timing_file = path_;
  }
  ~ApplyRerunFailedTest() override {
    GTEST_FLAG_SET(filter, filter_);
    std::remove(path_.c_str());
  }

  const std::string filter_;
  const std::string path_ = TempPath("apply.timings");
  Options options_;
};

TEST_F(ApplyRerunFailedTest, SelectsTheFailedTestsThatExist) {
  std::ofstream(path_) << "3\t1\tApplyRerunFailedTest.NoTimingFile\n"
                          "5\t1\tGone.Test\n"
                          "1\t0\tApplyRerunFailedTest.NothingFailed\n"
                          "2\t1\tFilterSelectsTest.FollowsGoogleTestsSyntax\n";
  GTEST_FLAG_SET(filter, "*");
  EXPECT_EQ(ApplyRerunFailed(options_, "/bin/tests"), -1);
  // In the program's order: FilterSelectsTest is registered first.
  EXPECT_EQ(GTEST_FLAG_GET(filter),
            "FilterSelectsTest.FollowsGoogleTestsSyntax:"
            "ApplyRerunFailedTest.NoTimingFile");

  GTEST_FLAG_SET(filter, "Apply*");
  EXPECT_EQ(ApplyRerunFailed(options_, "/bin/tests"), -1);
  EXPECT_EQ(GTEST_FLAG_GET(filter), "ApplyRerunFailedTest.NoTimingFile");

  GTEST_FLAG_SET(filter, "*-Apply*:Filter*");
  EXPECT_EQ(ApplyRerunFailed(options_, "/bin/tests"), 0);
  EXPECT_EQ(GTEST_FLAG_GET(filter), "*-Apply*:Filter*");  // Untouched.
}

TEST_F(ApplyRerunFailedTest, NothingFailed) {
  std::ofstream(path_) << "3\t0\tApplyRerunFailedTest.NothingFailed\n";
  GTEST_FLAG_SET(filter, "*");
  EXPECT_EQ(ApplyRerunFailed(options_, "/bin/tests"), 0);
  EXPECT_EQ(GTEST_FLAG_GET(filter), "*");
}

TEST_F(ApplyRerunFailedTest, NoTimingFile) {
  EXPECT_EQ(ApplyRerunFailed(options_, "/bin/tests"), 1);
  options_.timing_file = "";  // none
  EXPECT_EQ(ApplyRerunFailed(options_, "/bin/tests"), kUsageErrorExitCode);
}

TEST(RerunFailedFlagTest, IsParsedFromTheFlagAndTheVariable) {
  std::vector<std::string> args = {"prog", "--gtest_parallel_rerun_failed",
                                   "--gtest_filter=A.*"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int argc = 3;
  Options options;
  std::string error;
  ASSERT_TRUE(ParseOptions(&argc, argv.data(), nullptr, &options, &error))
      << error;
  EXPECT_TRUE(options.rerun_failed);
  EXPECT_EQ(argc, 2);
  EXPECT_STREQ(argv[1], "--gtest_filter=A.*");

  argv = {args[0].data(), nullptr};
  argc = 1;
  {
    const ScopedEnvironment variable("GTEST_PARALLEL_RERUN_FAILED", "1");
    ASSERT_TRUE(ParseOptions(&argc, argv.data(), nullptr, &options, &error))
        << error;
    EXPECT_TRUE(options.rerun_failed);
  }
  argc = 1;
  ASSERT_TRUE(ParseOptions(&argc, argv.data(), nullptr, &options, &error))
      << error;
  EXPECT_FALSE(options.rerun_failed);
  EXPECT_NE(FlagsHelp().find("--gtest_parallel_rerun_failed"),
            std::string::npos);
}

TEST(RerunFailedFlagTest, AMisspellingSuggestsIt) {
  std::string arg = "--gtest_parallel_rerun_faild";
  char* argv[] = {arg.data(), arg.data(), nullptr};
  int argc = 2;
  Options options;
  std::string error;
  EXPECT_FALSE(ParseOptions(&argc, argv, nullptr, &options, &error));
  EXPECT_EQ(error,
            "unknown flag --gtest_parallel_rerun_faild; did you mean "
            "--gtest_parallel_rerun_failed?");
  error.clear();
  EXPECT_FALSE(CheckVariableNames({"GTEST_PARALLEL_RERUN_FAILD"}, &error));
  EXPECT_EQ(error,
            "unknown environment variable GTEST_PARALLEL_RERUN_FAILD; did you "
            "mean GTEST_PARALLEL_RERUN_FAILED?");
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
