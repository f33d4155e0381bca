// Fault isolation on Windows: the Windows build of test/windows/project's
// crashes.cc, run under Wine on 2 workers with a 3 s timeout. Every crash,
// exit and hang fails only its own test, with its cause after the output the
// test printed; the passing tests pass; the run ends in time with exit code
// 1 and leaves no process of its own behind. A test that closes stdout and
// stderr does not take the next tests' output with them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "harness.h"
#include "report.h"

namespace faults {
namespace {

struct Fault {
  const char* test;
  // The runner's message, in the test's failure.
  const char* cause;
  // What the test printed before its fault.
  const char* output;
};

constexpr Fault kFaults[] = {
    {"Crash.AccessViolation",
     "crashed: access violation (exit code 0xC0000005) while running "
     "Crash.AccessViolation.",
     "crashes: about to write through null"},
    {"Crash.IntegerDivisionByZero",
     "crashed: integer division by zero (exit code 0xC0000094) while running "
     "Crash.IntegerDivisionByZero.",
     "crashes: about to divide by zero"},
    {"Crash.ExitThree", "exited with status 3 while running Crash.ExitThree.",
     "crashes: about to call exit(3)"},
    {"Crash.TerminateProcess",
     "exited with status 7 while running Crash.TerminateProcess.",
     "crashes: about to terminate the process with code 7"},
    {"Hang.SleepsForever",
     "was stopped: the test ran longer than 3 s (--gtest_parallel_timeout) "
     "while running Hang.SleepsForever.",
     "crashes: about to sleep forever"},
};

constexpr const char* kPassing[] = {"Passing.First", "Passing.Second",
                                    "Passing.Third",
                                    "CloseStdio.ClosesStdoutAndStderr"};

// `text` without the "\r" of its Windows line ends.
std::string WithoutCarriageReturns(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  return text;
}

// The console lines from "[ RUN      ] <test>" to the test's end line.
std::string Section(const std::string& out, const std::string& test) {
  const size_t start = out.find("[ RUN      ] " + test + "\n");
  if (start == std::string::npos) return "";
  const size_t end = out.find("] " + test + " (", start + 13);
  return out.substr(start,
                    end == std::string::npos ? std::string::npos : end - start);
}

TEST(WindowsFaults, EachFaultFailsOnlyItsOwnTest) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string xml = std::string(tmp && *tmp ? tmp : "/tmp") +
                          "/gtest_parallel_windows_faults." +
                          std::to_string(getpid()) + ".xml";
  FixtureRun run({GTEST_PARALLEL_WINE, GTEST_PARALLEL_WINDOWS_CRASHES,
                  "--gtest_parallel=2", "--gtest_parallel_timeout=3",
                  "--gtest_output=xml:Z:" + xml},
                 {});
  ASSERT_EQ(run.error(), "");
  const RunResult& result = run.Wait(120);
  const std::string out = WithoutCarriageReturns(result.out);
  const std::string context =
      "command: " + run.CommandLine() + "\nstatus: " + result.Describe() +
      "\nstdout:\n" + Tail(out, 4000) + "\nstderr:\n" + Tail(result.err, 2000);
  EXPECT_EQ(result.exit_code, 1) << context;
  EXPECT_LT(result.seconds, 60) << context;
  const Report report(ReadFile(xml));
  std::remove(xml.c_str());
  ASSERT_EQ(report.tests().size(), 10u) << context;

  for (const Fault& fault : kFaults) {
    SCOPED_TRACE(fault.test);
    const TestCase* test = report.Find(fault.test);
    ASSERT_NE(test, nullptr);
    EXPECT_TRUE(test->Failed()) << test->element;
    EXPECT_TRUE(test->Mentions(fault.cause)) << test->element;
    const std::string section = Section(out, fault.test);
    const size_t output = section.find(fault.output);
    const size_t cause = section.find(fault.cause);
    EXPECT_NE(output, std::string::npos) << section;
    EXPECT_NE(cause, std::string::npos) << section;
    EXPECT_LT(output, cause) << section;
  }
  for (const char* name : kPassing) {
    const TestCase* test = report.Find(name);
    ASSERT_NE(test, nullptr) << name;
    EXPECT_TRUE(test->Passed()) << name << "\n" << test->element;
  }
  // The output of the test after one that closed stdout and stderr.
  EXPECT_NE(Section(out, "CloseStdio.PrintsAfterwards")
                .find("crashes: printed after stdout was closed"),
            std::string::npos)
      << context;
  EXPECT_EQ(Leftovers(run.run_id(), 5), "") << context;
}

}  // namespace
}  // namespace faults
