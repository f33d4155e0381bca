// Global test environments that fail or skip in SetUp (the
// environment_failures fixture in its three modes), compared with the
// reference and the serial run like the golden tests.
#include <gtest/gtest.h>

#include <string>

#include "scenario.h"

namespace gtest_parallel_e2e {
namespace {

class EnvironmentFailureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(EnvironmentFailureTest, MatchesReference) {
  for (const char* format : {"xml", "json"}) {
    SCOPED_TRACE(format);
    Scenario scenario;
    scenario.fixture = "environment_failures";
    scenario.env = {{"FIXTURE_ENVIRONMENT_FAILURE", GetParam()}};
    scenario.report_format = format;
    scenario.workers = {1, 3};
    scenario.exit_code = std::string(GetParam()) == "skip" ? 0 : 1;
    CheckScenario(scenario);
  }
}

TEST_P(EnvironmentFailureTest, Repeated) {
  Scenario scenario;
  scenario.fixture = "environment_failures";
  scenario.env = {{"FIXTURE_ENVIRONMENT_FAILURE", GetParam()}};
  scenario.args = {"--gtest_repeat=2"};
  CheckScenario(scenario);
}

INSTANTIATE_TEST_SUITE_P(Modes, EnvironmentFailureTest,
                         ::testing::Values("nonfatal", "fatal", "skip"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace gtest_parallel_e2e
