// Fixture: workers that take long to start. A static initializer sleeps
// FAULTS_START_DELAY_MS milliseconds (default 3000) in every process that
// has GTEST_PARALLEL_WORKER set, before any runner code runs; the
// coordinator starts at once. The tests themselves pass at once.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "fault_actions.h"

namespace {

const bool kStartDelayed = [] {
  if (faults::Env("GTEST_PARALLEL_WORKER").empty()) return false;
  const std::string delay = faults::Env("FAULTS_START_DELAY_MS");
  std::this_thread::sleep_for(std::chrono::milliseconds(
      delay.empty() ? 3000 : std::atoi(delay.c_str())));
  return true;
}();

class StartedTest : public testing::TestWithParam<int> {};

TEST_P(StartedTest, Works) { EXPECT_GE(GetParam(), 0); }

INSTANTIATE_TEST_SUITE_P(Started, StartedTest, testing::Range(0, 10));

}  // namespace
