// The golden comparison: every fixture, run by its gtest_main reference,
// serially and on 1, 2, 4 and 8 workers (or the counts that
// GTEST_PARALLEL_E2E_WORKERS lists, e.g. "1,2,4"), with an XML and with a
// JSON report. The fixtures that need a working directory or environment
// prepared for them are left to their own tests (isolation_test.cc).
// Reports must equal the reference's, exit codes too, and the parallel
// consoles the serial one (see scenario.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "scenario.h"

namespace gtest_parallel_e2e {
namespace {

// The worker counts to compare at.
std::vector<int> WorkerCounts() {
  const char* listed = std::getenv("GTEST_PARALLEL_E2E_WORKERS");
  if (listed == nullptr || *listed == '\0') return {1, 2, 4, 8};
  std::vector<int> counts;
  std::istringstream in(listed);
  std::string count;
  while (std::getline(in, count, ',')) counts.push_back(std::stoi(count));
  return counts;
}

class GoldenTest : public ::testing::TestWithParam<Fixture> {
 protected:
  void CheckWithReport(const std::string& format) {
    const Fixture& fixture = GetParam();
    ASSERT_NE(fixture.exit_code, -1)
        << "fixtures.cc does not know the fixture " << fixture.name;
    Scenario scenario;
    scenario.fixture = fixture.name;
    scenario.report_format = format;
    scenario.workers = WorkerCounts();
    scenario.exit_code = fixture.exit_code;
    CheckScenario(scenario);
  }
};

TEST_P(GoldenTest, XmlReport) { CheckWithReport("xml"); }

TEST_P(GoldenTest, JsonReport) { CheckWithReport("json"); }

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenTest,
                         ::testing::ValuesIn(GoldenFixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace gtest_parallel_e2e
