// The --gtest_parallel flag and the GTEST_PARALLEL variable: where the
// number of workers comes from, bad values, and --help.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fixtures.h"
#include "scenario.h"
#include "text_compare.h"

namespace gtest_parallel_e2e {
namespace {

// Runs the gtest_parallel build of `fixture` and expects exit code 0.
void ExpectPasses(const std::string& fixture,
                  const std::vector<std::string>& args, const EnvChanges& env) {
  ScratchDir scratch;
  const FixtureRun run =
      RunFixture(FixtureNamed(fixture), {Build::kGtestParallel, args, env},
                 scratch, "run");
  EXPECT_EQ(run.process.Describe(), "exit code 0") << run.Context();
}

// The variable alone runs the tests in parallel, with the results of a
// serial run.
TEST(ParallelFlagTest, VariableSetsTheWorkers) {
  Scenario scenario;
  scenario.fixture = "basic_pass";
  scenario.env = {{"GTEST_PARALLEL", "3"}};
  scenario.workers = {};
  CheckScenario(scenario);
  ExpectPasses("worker_env", {},
               {{"GTEST_PARALLEL", "3"}, {"FIXTURE_EXPECT_WORKERS", "3"}});
}

// "auto" (also the bare flag) picks the number of CPUs; results are those
// of a serial run.
TEST(ParallelFlagTest, Auto) {
  Scenario scenario;
  scenario.fixture = "assertion_failures";
  scenario.workers = {};
  for (const char* flag : {"--gtest_parallel=auto", "--gtest_parallel"}) {
    SCOPED_TRACE(flag);
    scenario.args = {flag};
    CheckScenario(scenario);
  }
  scenario.args = {};
  scenario.env = {{"GTEST_PARALLEL", "auto"}};
  CheckScenario(scenario);
}

TEST(ParallelFlagTest, FlagWinsOverTheVariable) {
  ExpectPasses("worker_env", {"--gtest_parallel=1"},
               {{"GTEST_PARALLEL", "3"}, {"FIXTURE_EXPECT_WORKERS", "0"}});
  ExpectPasses("worker_env", {"--gtest_parallel=2"},
               {{"GTEST_PARALLEL", "3"}, {"FIXTURE_EXPECT_WORKERS", "2"}});
}

TEST(ParallelFlagTest, ZeroAndOneRunSerially) {
  ExpectPasses("worker_env", {"--gtest_parallel=0"},
               {{"FIXTURE_EXPECT_WORKERS", "0"}});
  ExpectPasses("worker_env", {"--gtest_parallel=1"},
               {{"FIXTURE_EXPECT_WORKERS", "0"}});
  ExpectPasses("worker_env", {}, {{"FIXTURE_EXPECT_WORKERS", "0"}});
}

struct BadValue {
  std::vector<std::string> args;
  EnvChanges env;
  // What the error line must name.
  std::string named;
};

TEST(ParallelFlagTest, BadValuesAreRefused) {
  const std::vector<BadValue> bad_values = {
      {{"--gtest_parallel=abc"}, {}, "--gtest_parallel"},
      {{"--gtest_parallel=-3"}, {}, "--gtest_parallel"},
      {{}, {{"GTEST_PARALLEL", "abc"}}, "GTEST_PARALLEL"},
      {{"--gtest_parallel=2", "--gtest_parallel_force=maybe"},
       {},
       "--gtest_parallel_force"},
      {{}, {{"GTEST_PARALLEL_FORCE", "maybe"}}, "GTEST_PARALLEL_FORCE"},
  };
  for (const BadValue& bad : bad_values) {
    ScratchDir scratch;
    const FixtureRun run = RunFixture(
        FixtureNamed("basic_pass"),
        {Build::kGtestParallel, bad.args, bad.env, "xml"}, scratch, "bad");
    SCOPED_TRACE(run.Context());
    EXPECT_EQ(run.process.signal, 0);
    EXPECT_TRUE(run.process.problem.empty());
    EXPECT_GE(run.process.exit_code, 2) << "expected neither 0 nor 1";
    EXPECT_EQ(std::count(run.process.err.begin(), run.process.err.end(), '\n'),
              1)
        << "expected exactly one line on stderr";
    EXPECT_EQ(run.process.err.back(), '\n');
    EXPECT_NE(run.process.err.find(bad.named), std::string::npos)
        << "the error does not name " << bad.named;
    EXPECT_EQ(run.process.out.find("[ RUN      ]"), std::string::npos);
    EXPECT_EQ(run.process.out.find("[==========]"), std::string::npos);
    EXPECT_FALSE(run.report_exists) << "a report was written";
  }
}

// --help prints GoogleTest's help, then the gtest_parallel flags. So does an
// unknown --gtest_ flag, as GoogleTest shows its help for those.
TEST(ParallelFlagTest, HelpListsTheFlag) {
  const Fixture& fixture = FixtureNamed("basic_pass");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"--gtest_parallel=4", "--help"},
                                             {"--gtest_no_such_flag"}}) {
    SCOPED_TRACE(args.back());
    ScratchDir scratch;
    const FixtureRun reference = RunFixture(
        fixture, {Build::kReference, {args.back()}}, scratch, "reference");
    const FixtureRun run =
        RunFixture(fixture, {Build::kGtestParallel, args}, scratch, "help");
    EXPECT_EQ(run.process.Describe(), reference.process.Describe())
        << run.Context();
    const std::string gtest_help =
        WithoutRunningMainLines(reference.process.out);
    ASSERT_NE(gtest_help.find("--gtest_list_tests"), std::string::npos)
        << reference.Context();
    const size_t help_at = run.process.out.find(gtest_help);
    EXPECT_NE(help_at, std::string::npos) << "GoogleTest's help is missing\n"
                                          << run.Context();
    const size_t flag_at = run.process.out.find("--gtest_parallel");
    EXPECT_NE(flag_at, std::string::npos) << run.Context();
    if (help_at != std::string::npos && flag_at != std::string::npos) {
      EXPECT_GE(flag_at, help_at + gtest_help.size())
          << "--gtest_parallel must come after GoogleTest's help\n"
          << run.Context();
    }
    EXPECT_EQ(run.process.out.find("[ RUN      ]"), std::string::npos);
  }
}

}  // namespace
}  // namespace gtest_parallel_e2e
