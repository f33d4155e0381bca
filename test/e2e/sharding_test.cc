// GoogleTest sharding (GTEST_TOTAL_SHARDS, GTEST_SHARD_INDEX,
// GTEST_SHARD_STATUS_FILE) combined with --gtest_parallel.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "fixtures.h"
#include "scenario.h"

namespace gtest_parallel_e2e {
namespace {

class ShardingTest
    : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(ShardingTest, ParallelShardMatchesSerialShard) {
  const Fixture& fixture = FixtureNamed(std::get<0>(GetParam()));
  const std::string shard = std::to_string(std::get<1>(GetParam()));
  ScratchDir scratch;

  // Each run gets its own status file, which it must create.
  auto run = [&](Build build, std::vector<std::string> args,
                 const std::string& label) {
    const std::string status_file =
        scratch.NewSubdir(label + "-status") + "/shard_status";
    const EnvChanges env = {
        {"GTEST_TOTAL_SHARDS", "2"},
        {"GTEST_SHARD_INDEX", shard},
        {"GTEST_SHARD_STATUS_FILE", ProgramPath(status_file)}};
    FixtureRun result = RunFixture(
        fixture, {build, std::move(args), env, "xml"}, scratch, label);
    EXPECT_TRUE(std::filesystem::exists(status_file))
        << "GTEST_SHARD_STATUS_FILE was not created\n"
        << result.Context();
    return result;
  };

  const FixtureRun reference = run(Build::kReference, {}, "reference");
  const FixtureRun serial = run(Build::kGtestParallel, {}, "serial");
  ExpectSameResults(reference, serial, "xml");
  ExpectSameConsole(reference, serial, /*strip_running_main=*/true);
  for (const char* workers : {"2", "3"}) {
    const FixtureRun parallel =
        run(Build::kGtestParallel, {std::string("--gtest_parallel=") + workers},
            std::string("parallel=") + workers);
    ExpectSameResults(reference, parallel, "xml");
    ExpectSameConsole(serial, parallel, /*strip_running_main=*/false);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shards, ShardingTest,
    ::testing::Combine(::testing::Values("basic_pass", "assertion_failures",
                                         "typed_param"),
                       ::testing::Values(0, 1)),
    [](const ::testing::TestParamInfo<std::tuple<std::string, int>>& info) {
      return std::get<0>(info.param) + "_shard" +
             std::to_string(std::get<1>(info.param));
    });

}  // namespace
}  // namespace gtest_parallel_e2e
