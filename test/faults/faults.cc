// Fixture: 200 passing tests spread over five suites, and one test of every
// kind of fault a test can commit against the process running it, each in a
// suite of its own. Run it with --gtest_parallel=N and
// --gtest_parallel_timeout=S (FloodForever and Hang never end by
// themselves): every fault must fail only its own test.
//
// Tests print lines starting with "faults: " so that the captured output
// can be found in the console.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>

#include "fault_actions.h"

namespace {

using faults::Say;

class PassingTest : public testing::TestWithParam<int> {};

TEST_P(PassingTest, Works) {
  std::printf("faults: passing test output %d\n", GetParam());
  EXPECT_EQ(GetParam() * 3 / 3, GetParam());
}

INSTANTIATE_TEST_SUITE_P(A, PassingTest, testing::Range(0, 40));
INSTANTIATE_TEST_SUITE_P(B, PassingTest, testing::Range(40, 80));
INSTANTIATE_TEST_SUITE_P(C, PassingTest, testing::Range(80, 120));
INSTANTIATE_TEST_SUITE_P(D, PassingTest, testing::Range(120, 160));
INSTANTIATE_TEST_SUITE_P(E, PassingTest, testing::Range(160, 200));

// Recurses until the stack is exhausted; the addition after the call keeps
// it from becoming a loop.
int Recurse(int depth) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  if (depth == INT_MAX) return 0;
  return Recurse(depth + 1) + frame[0];
}

TEST(Segfault, DereferencesNull) {
  Say("about to dereference null");
  volatile int* volatile pointer = nullptr;
  *pointer = 1;
}

TEST(Abort, CallsAbort) {
  Say("about to call abort()");
  std::abort();
}

TEST(Terminate, CallsStdTerminate) {
  Say("about to call std::terminate()");
  std::terminate();
}

TEST(ExitZero, CallsExit0) {
  Say("about to call exit(0)");
  std::exit(0);
}

TEST(ExitOne, CallsExit1) {
  Say("about to call exit(1)");
  std::exit(1);
}

TEST(UnderscoreExit, CallsUnderscoreExit3) {
  Say("about to call _exit(3)");
  _exit(3);
}

TEST(StackOverflow, RecursesForever) {
  // With an unlimited stack the recursion would eat the memory instead.
  rlimit limit;
  if (getrlimit(RLIMIT_STACK, &limit) == 0 &&
      (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > (64u << 20))) {
    limit.rlim_cur = 8u << 20;
    setrlimit(RLIMIT_STACK, &limit);
  }
  Say("about to overflow the stack");
  EXPECT_EQ(Recurse(0), 0);
}

TEST(SelfKill, RaisesSigkill) {
  Say("about to raise SIGKILL");
  raise(SIGKILL);
}

TEST(CloseStdio, ClosesStdoutAndStderr) {
  Say("about to close stdout and stderr");
  std::fflush(nullptr);
  close(1);
  close(2);
  std::printf("faults: printed into the closed stdout\n");
  std::fflush(stdout);
  ADD_FAILURE() << "faults: closed stdout and stderr";
}

// Runs after the test above when the same worker gets the whole suite: its
// output must still be captured.
TEST(CloseStdio, PrintsAfterwards) {
  Say("printed after stdout was closed");
  SUCCEED();
}

// The same without a failure: only stdout itself shows the worker that
// the test closed it.
TEST(CloseStdioQuietly, ClosesStdoutAndStderr) {
  std::fflush(nullptr);
  close(1);
  close(2);
}

TEST(CloseStdioQuietly, PrintsAfterwards) {
  Say("printed after stdout was closed quietly");
  SUCCEED();
}

TEST(Flood, Writes200MB) {
  faults::WriteFlood(200 << 20);
  Say("end of flood");
  ADD_FAILURE() << "faults: wrote 200 MB";
}

TEST(FloodForever, WritesUntilStopped) {
  Say("flooding until stopped");
  faults::FloodFor(std::chrono::seconds(300));
  ADD_FAILURE() << "faults: flooded for 300 s without being stopped";
}

TEST(Hang, SleepsForever) {
  Say("about to sleep forever");
  faults::SleepFor(std::chrono::seconds(1000));
  ADD_FAILURE() << "faults: slept 1000 s without being stopped";
}

TEST(LeftSleep, StartsSleep1000) { EXPECT_GT(faults::StartSleep1000(), 0); }

TEST(LeftWriter, ForksEndlessWriter) {
  EXPECT_GT(faults::ForkEndlessWriter(), 0);
}

TEST(Garbage, WritesIntoResultChannel) {
  Say("about to write garbage into the pipes");
  EXPECT_GT(faults::WriteGarbageIntoPipes(), 0)
      << "faults: found no pipe at fd 10 or above";
}

}  // namespace
