// Tests that crash, exit or hang in the ways Windows programs do, among
// passing ones, for the Windows fault test (test/windows/fault_test.cc):
// each fault must fail only its own test, with its cause and the output
// the test printed first. (GoogleTest built with MinGW catches no SEH
// exceptions, so a crash ends the worker, as it would without
// --gtest_catch_exceptions.)
#include <gtest/gtest.h>
#include <io.h>
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// Printed straight to the standard output handle, so that it is there even
// when the process ends right after.
void Say(const char* line) {
  DWORD written = 0;
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), line,
            static_cast<DWORD>(std::strlen(line)), &written, nullptr);
}

TEST(Passing, First) { SUCCEED(); }

TEST(Crash, AccessViolation) {
  Say("crashes: about to write through null\n");
  *static_cast<volatile int*>(nullptr) = 1;
}

TEST(Crash, IntegerDivisionByZero) {
  Say("crashes: about to divide by zero\n");
  // Both volatile: GCC turns 1 / x into a comparison.
  volatile int seven = 7;
  volatile int zero = 0;
  volatile int result = seven / zero;
  (void)result;
}

TEST(Crash, ExitThree) {
  Say("crashes: about to call exit(3)\n");
  std::exit(3);
}

TEST(Crash, TerminateProcess) {
  Say("crashes: about to terminate the process with code 7\n");
  ::TerminateProcess(GetCurrentProcess(), 7);
}

TEST(CloseStdio, ClosesStdoutAndStderr) {
  std::fflush(nullptr);
  _close(1);
  _close(2);
}

// Runs after ClosesStdoutAndStderr, on the same worker when the scheduler
// keeps the suite together (it does for this small program).
TEST(CloseStdio, PrintsAfterwards) {
  std::printf("crashes: printed after stdout was closed\n");
  ADD_FAILURE() << "failing, so that the output is shown";
}

TEST(Hang, SleepsForever) {
  Say("crashes: about to sleep forever\n");
  Sleep(INFINITE);
}

TEST(Passing, Second) { SUCCEED(); }
TEST(Passing, Third) { EXPECT_EQ(2, 1 + 1); }

}  // namespace
