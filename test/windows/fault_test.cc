// Fault isolation on Windows: the Windows build of test/windows/project's
// crashes.cc, run under Wine on 2 workers with a 3 s timeout. Every crash,
// exit and hang fails only its own test, with its cause after the output the
// test printed; the passing tests pass; the run ends in time with exit code
// 1 and leaves no process of its own behind. A test that closes stdout and
// stderr does not take the next tests' output with them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "scenario.h"

namespace faults {
namespace {

struct Fault {
  const char* test;
  // The runner's message, in the test's failure.
  const char* cause;
  // What the test printed before its fault.
  const char* output;
};

constexpr Fault kFaultTable[] = {
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

TEST(WindowsFaults, EachFaultFailsOnlyItsOwnTest) {
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  FixtureRun run({GTEST_PARALLEL_WINE, GTEST_PARALLEL_WINDOWS_CRASHES,
                  "--gtest_parallel=2", "--gtest_parallel_timeout=3",
                  "--gtest_output=xml:Z:" + xml},
                 {});
  ASSERT_EQ(run.error(), "");
  const Outcome outcome = Finish(&run, xml, 120);
  const std::string out = WithoutCarriageReturns(outcome.run.out);
  EXPECT_EQ(outcome.run.exit_code, 1) << outcome.Context();
  EXPECT_LT(outcome.run.seconds, 60) << outcome.Context();
  EXPECT_EQ(outcome.leftovers, "") << outcome.Context();
  const Report& report = outcome.report;
  ASSERT_EQ(report.tests().size(), 10u) << outcome.Context();

  for (const Fault& fault : kFaultTable) {
    SCOPED_TRACE(fault.test);
    const TestCase* test = report.Find(fault.test);
    ASSERT_NE(test, nullptr);
    EXPECT_TRUE(test->Failed()) << test->element;
    EXPECT_TRUE(test->Mentions(fault.cause)) << test->element;
    const std::string section = ConsoleSection(out, fault.test);
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
  EXPECT_NE(ConsoleSection(out, "CloseStdio.PrintsAfterwards")
                .find("crashes: printed after stdout was closed"),
            std::string::npos)
      << outcome.Context();
}

}  // namespace
}  // namespace faults
