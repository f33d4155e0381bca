// --gtest_parallel_retries on the `faults_flaky` fixture: a test that fails,
// crashes or hangs once passes on a retry and is marked flaky; one that
// always fails runs 1 + N times and fails; passing tests run once.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixture_programs.h"
#include "scenario.h"

namespace faults {
namespace {

class Retry : public testing::Test {
 protected:
  Outcome RunFlaky(const std::string& filter,
                   std::vector<std::string> extra_args) {
    std::vector<std::string> args{"--gtest_parallel=2",
                                  "--gtest_filter=" + filter};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return RunFixture(kFlaky, args, {"FAULTS_STATE_DIR=" + state_.path()}, 90);
  }

  // How many times the test ran.
  int Attempts(const std::string& full_name) {
    return Count(ReadFile(state_.File(full_name + ".runs")), "attempt\n");
  }

  // The console after GoogleTest's closing "[==========]" line, and stderr.
  static std::string Ending(const Outcome& run) {
    const size_t last = run.run.out.rfind("[==========]");
    return (last == std::string::npos ? "" : run.run.out.substr(last)) +
           run.run.err;
  }

  void ExpectFlaky(const Outcome& run, const std::string& name) {
    const TestCase* test = run.report.Find(name);
    ASSERT_NE(test, nullptr) << run.Context();
    EXPECT_TRUE(test->Passed()) << test->element;
    EXPECT_TRUE(test->Mentions("gtest_parallel_flaky")) << test->element;
    EXPECT_EQ(Attempts(name), 2) << name;
    const std::string ending = Ending(run);
    EXPECT_NE(ending.find("FLAKY"), std::string::npos) << run.Context();
    EXPECT_NE(ending.find(name), std::string::npos)
        << name << " not listed at the end" << run.Context();
  }

  ScratchDir state_;
};

TEST_F(Retry, TestFailingOnceIsRetriedAndMarkedFlaky) {
  const Outcome run = RunFlaky("Flaky.FailsOnce:Flaky.CrashesOnce:Steady/*",
                               {"--gtest_parallel_retries=2"});
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_EQ(run.report.tests().size(), 7u) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "") << run.Context();
  ExpectFlaky(run, "Flaky.FailsOnce");
  ExpectFlaky(run, "Flaky.CrashesOnce");
  for (int i = 0; i < 5; ++i) {
    const std::string name = "Steady/SteadyTest.Passes/" + std::to_string(i);
    EXPECT_EQ(Attempts("Steady_SteadyTest.Passes_" + std::to_string(i)), 1)
        << name;
    const TestCase* test = run.report.Find(name);
    ASSERT_NE(test, nullptr) << run.Context();
    EXPECT_FALSE(test->Mentions("gtest_parallel_flaky")) << test->element;
  }
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST_F(Retry, TestHangingOnceIsRetriedAfterTheTimeout) {
  const Outcome run =
      RunFlaky("Flaky.HangsOnce:Steady/*",
               {"--gtest_parallel_retries=1", "--gtest_parallel_timeout=2"});
  EXPECT_EQ(run.run.exit_code, 0) << run.Context();
  EXPECT_LT(run.run.seconds, 30) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "") << run.Context();
  ExpectFlaky(run, "Flaky.HangsOnce");
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST_F(Retry, AlwaysFailingTestRunsOnePlusRetriesTimes) {
  const Outcome run =
      RunFlaky("AlwaysFails.*:Steady/*", {"--gtest_parallel_retries=2"});
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(), "AlwaysFails.Fails: failed\n")
      << run.Context();
  // And once more alone, where it fails too.
  EXPECT_EQ(Attempts("AlwaysFails.Fails"), 4);
  const TestCase* test = run.report.Find("AlwaysFails.Fails");
  ASSERT_NE(test, nullptr) << run.Context();
  EXPECT_TRUE(test->Mentions("faults: fails every time")) << test->element;
  EXPECT_FALSE(test->Mentions("gtest_parallel_flaky")) << test->element;
  EXPECT_FALSE(test->Mentions("gtest_parallel_passes_alone"))
      << test->element;
  EXPECT_EQ(run.run.out.find("[  ALONE   ]"), std::string::npos)
      << run.Context();
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

TEST_F(Retry, WithoutRetriesAFlakyTestFails) {
  const Outcome run = RunFlaky("Flaky.FailsOnce:Flaky.CrashesOnce",
                               {"--gtest_parallel_rerun_alone=0"});
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(),
            "Flaky.FailsOnce: failed\nFlaky.CrashesOnce: failed\n")
      << run.Context();
  EXPECT_EQ(Attempts("Flaky.FailsOnce"), 1);
  EXPECT_EQ(Attempts("Flaky.CrashesOnce"), 1);
  EXPECT_EQ(run.run.out.find("[  ALONE   ]"), std::string::npos)
      << run.Context();
}

// Run again alone, a test that failed (or crashed) the first time passes:
// the run still fails, and the test is named as one that passes alone.
TEST_F(Retry, AFailureThatDoesNotHappenAloneIsNamed) {
  const Outcome run = RunFlaky("Flaky.FailsOnce:Flaky.CrashesOnce", {});
  EXPECT_EQ(run.run.exit_code, 1) << run.Context();
  EXPECT_EQ(run.report.NotPassed(),
            "Flaky.FailsOnce: failed\nFlaky.CrashesOnce: failed\n")
      << run.Context();
  EXPECT_EQ(Attempts("Flaky.FailsOnce"), 2);
  EXPECT_EQ(Attempts("Flaky.CrashesOnce"), 2);
  EXPECT_NE(run.run.out.find("[  ALONE   ] 2 tests failed beside other tests "
                             "but pass alone, listed below:\n"),
            std::string::npos)
      << run.Context();
  for (const char* name : {"Flaky.FailsOnce", "Flaky.CrashesOnce"}) {
    EXPECT_NE(run.run.out.find("[  ALONE   ] " + std::string(name) +
                               ": passes alone: "),
              std::string::npos)
        << run.Context();
    const TestCase* test = run.report.Find(name);
    ASSERT_NE(test, nullptr) << run.Context();
    EXPECT_TRUE(test->Mentions("gtest_parallel_passes_alone")) << name;
  }
  EXPECT_EQ(run.leftovers, "") << run.Context();
}

}  // namespace
}  // namespace faults
