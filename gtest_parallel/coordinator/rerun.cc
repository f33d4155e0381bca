// Running the failed tests again (see rerun.h).
#include "coordinator/rerun.h"

#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "coordinator/history.h"
#include "googletest/gtest_version.h"
#include "platform/process.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

constexpr char kRerunFailedFlag[] = "gtest_parallel_rerun_failed";

bool StartsWith(const std::string& text, const char* prefix) {
  return text.compare(0, std::strlen(prefix), prefix) == 0;
}

// Whether `arg` is --gtest_parallel_rerun_failed, as our flags may be
// written: one or two dashes, with or without "=value".
bool IsRerunFailedFlag(const std::string& arg) {
  const size_t dashes = StartsWith(arg, "--")  ? 2
                        : StartsWith(arg, "-") ? 1
                                               : 0;
  if (dashes == 0) return false;
  const std::string name = arg.substr(dashes, arg.find('=') - dashes);
  return name == kRerunFailedFlag;
}

#if !defined(_WIN32)
// Whether `c` needs no quoting in sh.
bool IsSafe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') ||
         (c != '\0' && std::strchr("_./=:,+@%-", c) != nullptr);
}
#endif

// Whether the glob `pattern` ('*' any run of characters, '?' one) matches
// all of `name`.
bool GlobMatches(const std::string& pattern, const std::string& name) {
  size_t p = 0, n = 0;
  size_t star = std::string::npos, resume = 0;  // Where to backtrack to.
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Whether one of the ':'-separated `patterns` matches `name`.
bool AnyMatches(const std::string& patterns, const std::string& name) {
  size_t start = 0;
  while (true) {
    const size_t end = patterns.find(':', start);
    if (GlobMatches(patterns.substr(start, end - start), name)) return true;
    if (end == std::string::npos) return false;
    start = end + 1;
  }
}

// The full names of the program's tests, in the order they were registered.
std::vector<std::string> AllTests(const testing::UnitTest& unit_test) {
  std::vector<std::string> names;
  for (int i = 0; i < unit_test.total_test_suite_count(); ++i) {
    const testing::TestSuite* suite = unit_test.GetTestSuite(i);
    for (int j = 0; j < suite->total_test_count(); ++j) {
      names.push_back(std::string(suite->name()) + "." +
                      suite->GetTestInfo(j)->name());
    }
  }
  return names;
}

void Notice(const std::string& text) {
  std::fprintf(stderr, "[gtest_parallel] --%s: %s\n", kRerunFailedFlag,
               text.c_str());
  std::fflush(stderr);
}

std::string Tests(size_t count) {
  return std::to_string(count) + (count == 1 ? " test" : " tests");
}

// `words` quoted and joined by spaces, as a command line.
std::string JoinQuoted(const std::vector<std::string>& words) {
  std::string command;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) command += ' ';
    std::string quoted = ShellQuote(words[i]);
#if !defined(_WIN32)
    // A first word with '=' would be read as a variable assignment.
    if (i == 0 && quoted == words[i] && quoted.find('=') != std::string::npos) {
      quoted = "'" + quoted + "'";
    }
#endif
    command += quoted;
  }
  return command;
}

}  // namespace

std::string ShellQuote(const std::string& word) {
#if defined(_WIN32)
  if (!word.empty() &&
      word.find_first_of(" \t\n\v\"&|<>^()") == std::string::npos) {
    return word;
  }
  return QuotedArgument(word);
#else
  bool safe = !word.empty();
  for (char c : word) safe = safe && IsSafe(c);
  if (safe) return word;
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";  // Close, an escaped quote, open again.
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
#endif
}

std::string FilterOf(const std::vector<std::string>& tests) {
  std::string filter;
  for (const std::string& test : tests) {
    if (!filter.empty()) filter += ':';
    filter += test;
  }
  return filter;
}

std::vector<std::string> RerunArguments(const std::vector<std::string>& argv,
                                        bool keep_filter) {
  std::vector<std::string> kept;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    const bool drop =
        i > 0 &&
        (StartsWith(arg, "--gtest_repeat=") || IsRerunFailedFlag(arg) ||
         (!keep_filter && StartsWith(arg, "--gtest_filter=")));
    if (!drop) kept.push_back(arg);
  }
  return kept;
}

std::string RerunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& failed_tests) {
  std::vector<std::string> words = RerunArguments(argv, false);
  words.push_back("--gtest_filter=" + FilterOf(failed_tests));
  return JoinQuoted(words);
}

std::string RerunLine(const std::vector<std::string>& argv,
                      const std::vector<std::string>& failed_tests,
                      bool timing_file) {
  if (failed_tests.empty() || argv.empty()) return "";
  std::string command;
  if (FilterOf(failed_tests).size() > kMaxRerunFilter && timing_file) {
    std::vector<std::string> words = RerunArguments(argv, true);
    words.push_back(std::string("--") + kRerunFailedFlag);
    command = JoinQuoted(words);
  } else {
    command = RerunCommand(argv, failed_tests);
  }
  return "[gtest_parallel] to run the failed tests again: " + command;
}

void PrintRerunLine(const Options& options,
                    const std::vector<std::string>& failed_tests) {
  const bool timing_file =
      !options.timing_file_set || !options.timing_file.empty();
  const std::string line =
      RerunLine(options.command_line, failed_tests, timing_file);
  if (line.empty()) return;
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

std::vector<std::string> FailedTests(const testing::UnitTest& unit_test) {
  std::vector<std::string> names;
  for (int i = 0; i < unit_test.total_test_suite_count(); ++i) {
    const testing::TestSuite* suite = unit_test.GetTestSuite(i);
    for (int j = 0; j < suite->total_test_count(); ++j) {
      const testing::TestInfo* test = suite->GetTestInfo(j);
      if (test->should_run() && test->result()->Failed()) {
        names.push_back(std::string(suite->name()) + "." + test->name());
      }
    }
  }
  return names;
}

bool FilterSelects(const std::string& filter, const std::string& name) {
  // As GoogleTest reads it: the first '-' starts the negative patterns; an
  // empty positive part before one means '*'.
  const size_t dash = filter.find('-');
  if (dash == std::string::npos) return AnyMatches(filter, name);
  const std::string positive = filter.substr(0, dash);
  return (positive.empty() || AnyMatches(positive, name)) &&
         !AnyMatches(filter.substr(dash + 1), name);
}

std::vector<std::string> RerunSelection(const std::vector<std::string>& tests,
                                        const std::vector<std::string>& failed,
                                        const std::string& filter) {
  const std::unordered_set<std::string> failed_set(failed.begin(),
                                                   failed.end());
  std::vector<std::string> selected;
  for (const std::string& test : tests) {
    if (failed_set.count(test) != 0 &&
        (filter == "*" || FilterSelects(filter, test))) {
      selected.push_back(test);
    }
  }
  return selected;
}

std::string TimingFilePath(const Options& options,
                           const std::string& executable) {
  if (options.timing_file_set) return options.timing_file;
  return History::DefaultPath(executable);
}

int ApplyRerunFailed(const Options& options, const std::string& executable) {
  const std::string path = TimingFilePath(options, executable);
  if (path.empty()) {
    std::fprintf(stderr,
                 "gtest_parallel: --%s reads the last run's failures from the "
                 "timing file, and there is none (%s)\n",
                 kRerunFailedFlag,
                 options.timing_file_set ? "--gtest_parallel_timing_file=none"
                                         : "no cache directory");
    std::fflush(stderr);
    return kUsageExitCode;
  }
  if (std::FILE* file = std::fopen(path.c_str(), "rb")) {
    std::fclose(file);
  } else {
    Notice("no timing file " + path +
           " to read the last run's failures from (parallel runs write it)");
    return 1;
  }
  History history;
  history.Load(path);
  const std::vector<std::string> failed = history.FailedNames();
  if (failed.empty()) {
    Notice("the last run had no failed tests (timing file " + path + ")");
    return 0;
  }
  const std::vector<std::string> selected =
      RerunSelection(AllTests(*testing::UnitTest::GetInstance()), failed,
                     GTEST_FLAG_GET(filter));
  if (selected.empty()) {
    Notice("none of the " + Tests(failed.size()) +
           " that failed in the last run is selected (timing file " + path +
           ")");
    return 0;
  }
  Notice("running the " + Tests(selected.size()) +
         " that failed in the last run (timing file " + path + ")");
  GTEST_FLAG_SET(filter, FilterOf(selected));
  return -1;
}

}  // namespace internal
}  // namespace gtest_parallel
