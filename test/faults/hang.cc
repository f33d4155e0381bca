// Fixture: tests that never end, a slow one, one that fails at once and
// plenty of short ones, for timeouts, interruptions and what the console
// shows meanwhile. Always run it with a --gtest_filter: the Hang
// tests only end when the runner stops them. With FAULTS_STATE_DIR set, the
// Hang tests create <dir>/<Suite.Test>.started once they run.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "fault_actions.h"

namespace {

using faults::Say;
using faults::SleepFor;

TEST(Hang, SleepsForever) {
  faults::NoteStarted();
  Say("Hang.SleepsForever is sleeping");
  SleepFor(std::chrono::seconds(1000));
  ADD_FAILURE() << "faults: slept 1000 s without being stopped";
}

TEST(Hang, IgnoresSigterm) {
  signal(SIGTERM, SIG_IGN);
  faults::NoteStarted();
  Say("Hang.IgnoresSigterm is sleeping with SIGTERM ignored");
  SleepFor(std::chrono::seconds(1000));
  ADD_FAILURE() << "faults: slept 1000 s without being stopped";
}

TEST(Hang, WithGrandchild) {
  EXPECT_GT(faults::StartSleep1000(), 0);
  faults::NoteStarted();
  Say("Hang.WithGrandchild started sleep 1000 and is sleeping");
  SleepFor(std::chrono::seconds(1000));
  ADD_FAILURE() << "faults: slept 1000 s without being stopped";
}

TEST(Slow, TakesThreeSeconds) {
  std::this_thread::sleep_for(std::chrono::seconds(3));
  SUCCEED();
}

// Registered after the slow one: its failure is known long before the
// report reaches it.
TEST(FailsAtOnce, AfterTheSlowOne) {
  Say("FailsAtOnce.AfterTheSlowOne fails at once");
  ADD_FAILURE() << "faults: failed on purpose";
}

class QuickTest : public testing::TestWithParam<int> {};

TEST_P(QuickTest, Passes) { EXPECT_GE(GetParam(), 0); }

INSTANTIATE_TEST_SUITE_P(Quick, QuickTest, testing::Range(0, 10));

class SleeperTest : public testing::TestWithParam<int> {};

TEST_P(SleeperTest, SleepsOneSecond) {
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_GE(GetParam(), 0);
}

INSTANTIATE_TEST_SUITE_P(Sleepers, SleeperTest, testing::Range(0, 20));

// The first instance passes after 5 ms (long enough for the worker to send
// what it has when the second starts), the second never ends: the console
// shows the first's lines and the second's "[ RUN      ]" line, then waits.
class StuckTest : public testing::TestWithParam<int> {};

TEST_P(StuckTest, SecondSleepsForever) {
  if (GetParam() == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return;
  }
  SleepFor(std::chrono::seconds(1000));
  ADD_FAILURE() << "faults: slept 1000 s without being stopped";
}

INSTANTIATE_TEST_SUITE_P(Stuck, StuckTest, testing::Values(0, 1));

}  // namespace
