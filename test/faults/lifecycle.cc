// Fixture: tests that harm the worker's whole life rather than one test:
// they break its result channel, make the program's exit fail or talk, or
// leave processes that escape the worker's process group. Each is picked
// with --gtest_filter; 40 passing tests keep them company.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "fault_actions.h"

namespace {

using faults::Say;

class PassingTest : public testing::TestWithParam<int> {};

TEST_P(PassingTest, Works) { EXPECT_EQ(GetParam() * 2 / 2, GetParam()); }

INSTANTIATE_TEST_SUITE_P(P, PassingTest, testing::Range(0, 40));

// What the program does at its exit, set by the test that ran in this
// process.
enum class AtExit { kNothing, kAbort, kTalk, kHang };
AtExit g_at_exit = AtExit::kNothing;

// A static object whose destructor runs at the program's exit.
struct ExitBehaviour {
  ~ExitBehaviour() {
    switch (g_at_exit) {
      case AtExit::kAbort:
        Say("a static destructor aborts");
        std::abort();
      case AtExit::kTalk:
        Say("goodbye from a static destructor");
        break;
      case AtExit::kHang:
        Say("a static destructor hangs");
        faults::SleepFor(std::chrono::seconds(1000));
        break;
      case AtExit::kNothing:
        break;
    }
  }
} g_exit_behaviour;

TEST(Exit, AbortsInStaticDestructor) { g_at_exit = AtExit::kAbort; }
TEST(Exit, TalksInStaticDestructor) { g_at_exit = AtExit::kTalk; }
TEST(Exit, HangsInStaticDestructor) { g_at_exit = AtExit::kHang; }

// Closes every descriptor above stderr, the runner's included, and passes.
TEST(Channel, ClosesDescriptors) {
  for (int fd = 3; fd < 1024; ++fd) close(fd);
}

// Points every open descriptor above stderr at /dev/null, and passes.
TEST(Channel, DupsDevNullOverDescriptors) {
  const int null = open("/dev/null", O_RDWR);
  ASSERT_GE(null, 0);
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd != null && fcntl(fd, F_GETFD) >= 0) dup2(null, fd);
  }
  close(null);
}

// Starts a daemon the classic way (fork, setsid, fork), which leaves the
// worker's process group and session; returns once it runs `sleep 1000`.
void StartDaemon() {
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    setsid();
    if (fork() == 0) {
      execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
      _exit(127);
    }
    _exit(0);
  }
  waitpid(child, nullptr, 0);
}

// Leaves a daemon, a child and itself running until killed.
TEST(Orphans, SleepsWithDaemonAndChild) {
  StartDaemon();
  faults::StartSleep1000();
  faults::NoteStarted();
  Say("daemon and child started");
  faults::SleepFor(std::chrono::seconds(1000));
}

// Leaves a daemon running and returns.
TEST(Orphans, LeavesDaemon) { StartDaemon(); }

// Passes, but branches on uninitialised memory: an error under valgrind.
TEST(Memory, BranchesOnUninitialisedMemory) {
  int* numbers = static_cast<int*>(std::malloc(2 * sizeof(int)));
  ASSERT_NE(numbers, nullptr);
  const volatile int unset = numbers[1];
  if (unset == 12345) Say("an unlikely value");
  std::free(numbers);
}

}  // namespace
