// Sanitizer reports land on the tests that caused them, on the fixture
// `sanitized.cc` built with ASan+UBSan (faults_asan) and TSan (faults_tsan).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenario.h"

namespace faults {
namespace {

constexpr char kAsan[] = FAULTS_FIXTURE_ASAN;
constexpr char kTsan[] = FAULTS_FIXTURE_TSAN;

// Runs `fixture` on 2 workers with `filter`.
Outcome RunSanitized(const std::string& fixture, const std::string& filter) {
  return RunFixture(fixture, {"--gtest_parallel=2", "--gtest_filter=" + filter},
                    {}, 120);
}

// `test` failed for `finding`, its report in its console section.
void ExpectBlamed(const Outcome& run, const std::string& test,
                  const std::string& finding, const std::string& report) {
  const TestCase* failed = run.report.Find(test);
  ASSERT_NE(failed, nullptr) << run.Context();
  EXPECT_TRUE(failed->Failed()) << failed->element;
  EXPECT_TRUE(failed->Mentions(finding)) << failed->element;
  const std::string section = ConsoleSection(run.run.out, test);
  EXPECT_NE(section.find(report), std::string::npos)
      << "report not shown with the test:\n"
      << section << "\n"
      << run.Context();
}

TEST(Sanitizers, LeakFailsTheTestThatLeaked) {
  // Serially, the leak fails the run at its exit.
  const Outcome serial =
      RunFixture(kAsan, {"--gtest_filter=Leak.*:P/*"}, {}, 120);
  ASSERT_NE(serial.run.exit_code, 0) << serial.Context();

  const Outcome run = RunSanitized(kAsan, "Leak.*:P/*");
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "Leak.LeaksMemory: failed\n")
      << run.Context();
  ExpectBlamed(run, "Leak.LeaksMemory",
               "LeakSanitizer found memory the test leaked",
               "Direct leak of 48 byte(s) in 1 object(s)");
  // The worker's exit check repeats the leak: said, not counted twice.
  EXPECT_NE(run.run.err.find("exit check repeated what was reported"),
            std::string::npos)
      << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST(Sanitizers, UndefinedBehaviourFailsTheTest) {
  const Outcome run = RunSanitized(kAsan, "Undefined.*:P/*");
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "Undefined.SignedOverflow: failed\n")
      << run.Context();
  ExpectBlamed(run, "Undefined.SignedOverflow",
               "UndefinedBehaviorSanitizer reported &quot;signed integer "
               "overflow&quot;",
               "runtime error: signed integer overflow");
}

// A sanitizer that stops the worker is named as the cause of the crash.
TEST(Sanitizers, FatalErrorIsNamedAsTheCause) {
  const Outcome run = RunSanitized(kAsan, "Address.*:P/*");
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "Address.ReadsPastTheEnd: failed\n")
      << run.Context();
  ExpectBlamed(run, "Address.ReadsPastTheEnd",
               "exited with status 1 after AddressSanitizer reported "
               "&quot;heap-buffer-overflow&quot;",
               "ERROR: AddressSanitizer: heap-buffer-overflow");
}

TEST(Sanitizers, DataRaceFailsTheTest) {
  const Outcome serial =
      RunFixture(kTsan, {"--gtest_filter=Race.*:P/*"}, {}, 120);
  ASSERT_EQ(serial.run.exit_code, 66) << serial.Context();

  const Outcome run = RunSanitized(kTsan, "Race.*:P/*");
  EXPECT_FALSE(run.run.timed_out) << run.Context();
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "Race.DataRace: failed\n") << run.Context();
  ExpectBlamed(run, "Race.DataRace",
               "ThreadSanitizer reported &quot;data race&quot;",
               "WARNING: ThreadSanitizer: data race");
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST(Sanitizers, CleanSanitizedRunPasses) {
  for (const char* fixture : {kAsan, kTsan}) {
    const Outcome run = RunSanitized(fixture, "Leak.FreesMemory:P/*");
    EXPECT_EQ(run.run.exit_code, 0) << run.Context();
    EXPECT_EQ(run.report.tests().size(), 31u) << run.Context();
    EXPECT_EQ(run.report.NotPassed(), "") << run.Context();
  }
}

}  // namespace
}  // namespace faults
