// GoogleTest's own flags in parallel runs: every scenario is compared with
// the gtest_main reference and with the serial run (see scenario.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "scenario.h"
#include "text_compare.h"

namespace gtest_parallel_e2e {
namespace {

Scenario For(const std::string& fixture, std::vector<std::string> args) {
  Scenario scenario;
  scenario.fixture = fixture;
  scenario.args = std::move(args);
  return scenario;
}

TEST(FlagsTest, FilterSelectsTests) {
  CheckScenario(
      For("basic_pass", {"--gtest_filter=BasicTest.*:ManyTest.Test1*"}));
}

TEST(FlagsTest, FilterWithNegativePatterns) {
  CheckScenario(
      For("assertion_failures", {"--gtest_filter=*Test.*-*Assert*:*Output*"}));
}

TEST(FlagsTest, FilterOnParameterizedAndTypedNames) {
  CheckScenario(
      For("typed_param", {"--gtest_filter=*/SquareTest.*:TypedTest/*:*/1"}));
}

TEST(FlagsTest, FilterMatchingNothing) {
  Scenario scenario = For("basic_pass", {"--gtest_filter=NoSuchTest.*"});
  scenario.exit_code = 0;
  CheckScenario(scenario);
}

TEST(FlagsTest, FilterFromTheEnvironment) {
  Scenario scenario = For("basic_pass", {});
  scenario.env = {{"GTEST_FILTER", "SkipTest.*:PropertyTest.*"}};
  CheckScenario(scenario);
}

TEST(FlagsTest, OneTestOnManyWorkers) {
  Scenario scenario = For("assertion_failures",
                          {"--gtest_filter=ExpectFailureTest.SingleExpect"});
  scenario.workers = {8};
  CheckScenario(scenario);
}

// Arguments that are not flags are left to the program (and ignored).
TEST(FlagsTest, OtherArgumentsAreIgnored) {
  CheckScenario(For("basic_pass", {"positional", "--not_a_gtest_flag=1",
                                   "--gtest_filter=ManyTest.*"}));
}

TEST(FlagsTest, FilterOnSuitesWithFailingSetUpTestSuite) {
  CheckScenario(For("fixture_failures", {"--gtest_filter=Failing*"}));
}

TEST(FlagsTest, AlsoRunDisabledTests) {
  Scenario scenario = For("basic_pass", {"--gtest_also_run_disabled_tests"});
  scenario.exit_code = 1;  // BasicTest.DISABLED_FailsWhenRun fails.
  CheckScenario(scenario);
  CheckScenario(For("typed_param", {"--gtest_also_run_disabled_tests"}));
}

TEST(FlagsTest, AlsoRunDisabledTestsWithFilter) {
  CheckScenario(For("basic_pass", {"--gtest_also_run_disabled_tests",
                                   "--gtest_filter=*DISABLED_*"}));
}

TEST(FlagsTest, Repeat) {
  for (const char* fixture :
       {"basic_pass", "assertion_failures", "environment", "listener"}) {
    SCOPED_TRACE(fixture);
    CheckScenario(For(fixture, {"--gtest_repeat=3"}));
  }
}

TEST(FlagsTest, RepeatRecreatingEnvironments) {
  for (const char* fixture : {"environment", "listener"}) {
    SCOPED_TRACE(fixture);
    CheckScenario(For(
        fixture,
        {"--gtest_repeat=2", "--gtest_recreate_environments_when_repeating"}));
  }
}

TEST(FlagsTest, RepeatWithJsonReport) {
  Scenario scenario = For("fixture_failures", {"--gtest_repeat=3"});
  scenario.report_format = "json";
  CheckScenario(scenario);
}

TEST(FlagsTest, Shuffle) {
  for (const char* fixture :
       {"basic_pass", "typed_param", "assertion_failures", "death_fast"}) {
    SCOPED_TRACE(fixture);
    const FixtureRun serial = CheckScenario(
        For(fixture, {"--gtest_shuffle", "--gtest_random_seed=42"}));
    EXPECT_NE(serial.process.out.find(
                  "Note: Randomizing tests' orders with a seed of 42 .\n"),
              std::string::npos)
        << serial.Context();
  }
}

TEST(FlagsTest, ShuffleWithAnotherSeed) {
  const FixtureRun serial = CheckScenario(
      For("basic_pass", {"--gtest_shuffle", "--gtest_random_seed=7"}));
  EXPECT_NE(serial.process.out.find(
                "Note: Randomizing tests' orders with a seed of 7 .\n"),
            std::string::npos)
      << serial.Context();
}

TEST(FlagsTest, ShuffleWithRepeat) {
  CheckScenario(For("basic_pass", {"--gtest_shuffle", "--gtest_random_seed=5",
                                   "--gtest_repeat=2"}));
}

TEST(FlagsTest, FailFast) {
  for (const char* fixture :
       {"assertion_failures", "fixture_failures", "death_threadsafe"}) {
    SCOPED_TRACE(fixture);
    Scenario scenario = For(fixture, {"--gtest_fail_fast"});
    scenario.workers = {2, 4, 8};
    CheckScenario(scenario);
  }
}

TEST(FlagsTest, FailFastWithoutFailures) {
  CheckScenario(For("basic_pass", {"--gtest_fail_fast"}));
}

TEST(FlagsTest, Brief) {
  for (const char* fixture :
       {"basic_pass", "assertion_failures", "fixture_failures"}) {
    SCOPED_TRACE(fixture);
    CheckScenario(For(fixture, {"--gtest_brief=1"}));
  }
}

TEST(FlagsTest, ListTests) {
  for (const char* fixture : {"basic_pass", "typed_param", "death_fast",
                              "fixture_failures", "listener"}) {
    SCOPED_TRACE(fixture);
    CheckScenario(For(fixture, {"--gtest_list_tests"}));
  }
}

TEST(FlagsTest, ListTestsWithFilterAndDisabled) {
  CheckScenario(For("typed_param",
                    {"--gtest_list_tests", "--gtest_also_run_disabled_tests",
                     "--gtest_filter=*Square*"}));
}

TEST(FlagsTest, PrintTimeOff) {
  for (const char* fixture : {"basic_pass", "assertion_failures"}) {
    SCOPED_TRACE(fixture);
    CheckScenario(For(fixture, {"--gtest_print_time=0"}));
  }
}

TEST(FlagsTest, Color) {
  CheckScenario(For("assertion_failures", {"--gtest_color=yes"}));
}

// --gtest_output=xml:DIR/ names the report after the program.
TEST(FlagsTest, ReportInADirectory) {
  const Fixture& fixture = FixtureNamed("basic_pass");
  ScratchDir scratch;
  const auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
  };
  const std::string reference_dir = scratch.NewSubdir("reference");
  const FixtureRun reference =
      RunFixture(fixture,
                 {Build::kReference,
                  {"--gtest_output=xml:" + ProgramPath(reference_dir) + "/"}},
                 scratch, "reference");
  const std::string expected =
      read(reference_dir + "/basic_pass_gtest_main.xml");
  ASSERT_FALSE(expected.empty()) << reference.Context();

  for (const char* workers : {"0", "4"}) {
    const std::string dir =
        scratch.NewSubdir(std::string("parallel") + workers);
    const FixtureRun run =
        RunFixture(fixture,
                   {Build::kGtestParallel,
                    {std::string("--gtest_parallel=") + workers,
                     "--gtest_output=xml:" + ProgramPath(dir) + "/"}},
                   scratch, std::string("parallel=") + workers);
    ExpectSameResults(reference, run, "");
    EXPECT_TRUE(SameText("xml reports (times removed)", reference.command,
                         NormalizeXml(expected), run.command,
                         NormalizeXml(read(dir + "/basic_pass.xml"))));
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      files.push_back(entry.path().filename().string());
    }
    EXPECT_EQ(files, std::vector<std::string>{"basic_pass.xml"})
        << run.Context();
  }
}

}  // namespace
}  // namespace gtest_parallel_e2e
