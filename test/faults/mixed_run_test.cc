// The mixed fixture `faults` on 4 workers with a 5 s timeout: every fault
// fails only its own test, with the runner's message after the test's
// captured output; every other test passes; the run ends in time with exit
// code 1 and leaves no process behind. Also the garbage-writing fixture.
#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>

#include "fixture_programs.h"
#include "scenario.h"

namespace faults {
namespace {

// The mixed run, run once for all the tests here.
const Outcome& Mixed() {
  static const Outcome* const outcome = new Outcome(RunFixture(
      kFaults, {"--gtest_parallel=4", "--gtest_parallel_timeout=5"}, {}, 180));
  return *outcome;
}

struct Fault {
  const char* test;
  // Expected in the test's failure, in the XML report and on the console.
  const char* message;
  // Printed by the test before its fault; expected before the message.
  const char* output;
};

// Names the fault in GoogleTest's messages.
void PrintTo(const Fault& fault, std::ostream* os) { *os << fault.test; }

constexpr char kWorker[] = "gtest_parallel: worker {N} (pid {N}) ";

const Fault kFaultTable[] = {
    {"Segfault.DereferencesNull",
     "was killed by SIGSEGV (Segmentation fault) while running "
     "Segfault.DereferencesNull.",
     "faults: about to dereference null"},
    {"Abort.CallsAbort",
     "was killed by SIGABRT (Aborted) while running Abort.CallsAbort.",
     "faults: about to call abort()"},
    {"Terminate.CallsStdTerminate",
     "was killed by SIGABRT (Aborted) while running "
     "Terminate.CallsStdTerminate.",
     "faults: about to call std::terminate()"},
    {"ExitZero.CallsExit0",
     "exited with status 0 while running ExitZero.CallsExit0.",
     "faults: about to call exit(0)"},
    {"ExitOne.CallsExit1",
     "exited with status 1 while running ExitOne.CallsExit1.",
     "faults: about to call exit(1)"},
    {"UnderscoreExit.CallsUnderscoreExit3",
     "exited with status 3 while running "
     "UnderscoreExit.CallsUnderscoreExit3.",
     "faults: about to call _exit(3)"},
    {"StackOverflow.RecursesForever",
     "was killed by SIGSEGV (Segmentation fault) while running "
     "StackOverflow.RecursesForever.",
     "faults: about to overflow the stack"},
    {"SelfKill.RaisesSigkill",
     "was killed by SIGKILL (Killed) while running SelfKill.RaisesSigkill.",
     "faults: about to raise SIGKILL"},
    {"CloseStdio.ClosesStdoutAndStderr", "faults: closed stdout and stderr",
     "faults: about to close stdout and stderr"},
    {"Flood.Writes200MB", "faults: wrote 200 MB", "faults: end of flood"},
    {"FloodForever.WritesUntilStopped", "--gtest_parallel_timeout",
     "faults: flood xxxx"},
    {"Hang.SleepsForever", "--gtest_parallel_timeout",
     "faults: about to sleep forever"},
    {"Garbage.WritesIntoResultChannel", "result channel",
     "faults: about to write garbage into the pipes"},
};

// Messages the runner words itself start with kWorker.
std::string ExpectedMessage(const Fault& fault) {
  const std::string message = fault.message;
  const bool from_runner = message.rfind("was killed", 0) == 0 ||
                           message.rfind("exited with", 0) == 0;
  return from_runner ? kWorker + message : message;
}

TEST(MixedRun, FinishesWithinAMinute) {
  const Outcome& run = Mixed();
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_LT(run.run.seconds, 60) << run.Context();
}

TEST(MixedRun, ExitCodeIsOne) {
  EXPECT_EQ(Mixed().run.exit_code, 1) << Mixed().Context();
}

TEST(MixedRun, ReportHasEveryTest) {
  const Outcome& run = Mixed();
  const std::vector<std::string> listed = ListTests(kFaults);
  ASSERT_GT(listed.size(), 200u);
  EXPECT_EQ(run.report.tests().size(), listed.size()) << run.Context();
  for (const std::string& name : listed) {
    EXPECT_NE(run.report.Find(name), nullptr) << name << " is not reported";
  }
}

TEST(MixedRun, EveryOtherTestPasses) {
  const Outcome& run = Mixed();
  std::set<std::string> faulty;
  for (const Fault& fault : kFaultTable) faulty.insert(fault.test);
  int passing = 0;
  for (const TestCase& test : run.report.tests()) {
    // Left* tests leave processes behind; what becomes of those tests
    // themselves is not specified.
    if (faulty.count(test.FullName()) != 0 || test.suite == "LeftSleep" ||
        test.suite == "LeftWriter") {
      continue;
    }
    EXPECT_TRUE(test.Passed())
        << test.FullName() << " " << test.Outcome() << ":\n"
        << test.element;
    if (test.suite.find("/PassingTest") != std::string::npos && test.Passed()) {
      ++passing;
    }
  }
  EXPECT_EQ(passing, 200) << run.Context();
}

TEST(MixedRun, TestsLeavingProcessesFailNamingThem) {
  const Outcome& run = Mixed();
  for (const char* name :
       {"LeftSleep.StartsSleep1000", "LeftWriter.ForksEndlessWriter"}) {
    const TestCase* test = run.report.Find(name);
    ASSERT_NE(test, nullptr) << name << " is not reported" << run.Context();
    EXPECT_TRUE(test->Failed()) << test->element;
    EXPECT_NE(test->element.find("the test left 1 process running (pid "),
              std::string::npos)
        << test->element;
  }
}

TEST(MixedRun, LeavesNoProcessBehind) {
  EXPECT_EQ(Mixed().leftovers, "") << Mixed().Context();
}

class MixedRunFault : public testing::TestWithParam<Fault> {};

TEST_P(MixedRunFault, FailsWithMessageAfterItsOutput) {
  const Fault& fault = GetParam();
  const Outcome& run = Mixed();
  const std::string message = ExpectedMessage(fault);
  const TestCase* test = run.report.Find(fault.test);
  ASSERT_NE(test, nullptr) << fault.test << " is not reported" << run.Context();
  EXPECT_TRUE(test->Failed()) << test->element;
  EXPECT_TRUE(ContainsPattern(test->element, message))
      << "expected \"" << message << "\" in:\n"
      << test->element;

  const std::string console = ConsoleSection(run.run.out, fault.test);
  ASSERT_NE(console, "") << fault.test << " not on the console"
                         << run.Context();
  const size_t message_at = FindPattern(console, message);
  EXPECT_NE(message_at, std::string::npos)
      << "expected \"" << message << "\" in:\n"
      << Tail(console, 4000);
  const size_t output_at = console.find(fault.output);
  EXPECT_NE(output_at, std::string::npos)
      << "expected its output \"" << fault.output << "\" in:\n"
      << Tail(console, 4000);
  if (message_at != std::string::npos && output_at != std::string::npos) {
    EXPECT_LT(output_at, message_at) << "output after the failure:\n"
                                     << Tail(console, 4000);
  }
  // Once when it ends, once in the summary of failed tests.
  EXPECT_GE(Count(run.run.out, "[  FAILED  ] " + std::string(fault.test)), 2)
      << run.Context();
}

std::string FaultName(const testing::TestParamInfo<Fault>& info) {
  const std::string test = info.param.test;
  return test.substr(0, test.find('.'));
}

INSTANTIATE_TEST_SUITE_P(MixedRun, MixedRunFault,
                         testing::ValuesIn(kFaultTable), FaultName);

// The JSON report says the same as the XML one.
TEST(MixedRun, JsonReportHasTheFailures) {
  ScratchDir scratch;
  const std::string json = scratch.File("report.json");
  FixtureRun run({kFaults, "--gtest_parallel=3",
                  "--gtest_filter=Segfault.*:ExitZero.*:A/PassingTest.*",
                  "--gtest_output=json:" + json},
                 {});
  const RunResult& result = run.Wait(120);
  const std::string text = ReadFile(json);
  const std::string context = "\ncommand: " + run.CommandLine() + "\n" +
                              result.Describe() + "\n" + Tail(result.out, 3000);
  EXPECT_EQ(result.exit_code, 1) << context;
  EXPECT_NE(text.find("\"tests\": 42,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"failures\": 2,"), std::string::npos) << text;
  EXPECT_TRUE(ContainsPattern(text, std::string(kWorker) +
                                        "was killed by SIGSEGV (Segmentation "
                                        "fault) while running "
                                        "Segfault.DereferencesNull."))
      << text;
  EXPECT_TRUE(ContainsPattern(text, std::string(kWorker) +
                                        "exited with status 0 while running "
                                        "ExitZero.CallsExit0."))
      << text;
  EXPECT_EQ(Leftovers(run.run_id(), 1.0), "") << context;
}

// A test writing garbage into the result channel fails; the run goes on.
TEST(ResultChannel, GarbageFailsOnlyTheWriter) {
  const Outcome run = RunFixture(kGarbage, {"--gtest_parallel=2"}, {}, 120);
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_LT(run.run.seconds, 30) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  ASSERT_EQ(run.report.tests().size(), 22u) << run.Context();
  for (const TestCase& test : run.report.tests()) {
    if (test.FullName() == "Garbage.WritesIntoResultChannel") {
      EXPECT_TRUE(test.Failed()) << test.element;
      EXPECT_TRUE(test.Mentions("result channel")) << test.element;
    } else {
      EXPECT_TRUE(test.Passed()) << test.FullName() << ":\n" << test.element;
    }
  }
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

}  // namespace
}  // namespace faults
