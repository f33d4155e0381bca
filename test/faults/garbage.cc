// Fixture: one test writes random bytes into every pipe at fd 10 or above
// (where the runner keeps its result channel), between passing tests.
#include <gtest/gtest.h>

#include "fault_actions.h"

namespace {

TEST(Garbage, WritesIntoResultChannel) {
  faults::Say("about to write garbage into the pipes");
  EXPECT_GT(faults::WriteGarbageIntoPipes(), 0)
      << "faults: found no pipe at fd 10 or above";
}

// Runs after the test above when the same worker gets the whole suite.
TEST(Garbage, RunsAfterwards) { SUCCEED(); }

class QuietTest : public testing::TestWithParam<int> {};

TEST_P(QuietTest, Passes) { EXPECT_GE(GetParam(), 0); }

INSTANTIATE_TEST_SUITE_P(Before, QuietTest, testing::Range(0, 10));
INSTANTIATE_TEST_SUITE_P(After, QuietTest, testing::Range(10, 20));

}  // namespace
