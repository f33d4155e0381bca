// Unit tests of ConsoleLines (googletest/console_printer.h): the test lines
// it writes in place of GoogleTest's printer are that printer's, byte for
// byte, and it leaves to the printer what it cannot write the same way.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "googletest/console_printer.h"

namespace gtest_parallel {
namespace internal {
namespace {

const testing::TestInfo& ThisTest() {
  return *testing::UnitTest::GetInstance()->current_test_info();
}

// What `print` wrote to stdout, and in `wrote` what it returned.
template <typename Print>
std::string Captured(Print print, bool* wrote) {
  std::fflush(stdout);
  testing::internal::CaptureStdout();
  *wrote = print();
  std::fflush(stdout);
  return testing::internal::GetCapturedStdout();
}

TEST(ConsoleLinesTest, WritesTheStartLine) {
  ConsoleLines lines(false);
  bool wrote = false;
  EXPECT_EQ(Captured([&] { return lines.PrintStart(ThisTest()); }, &wrote),
            "[ RUN      ] ConsoleLinesTest.WritesTheStartLine\n");
  EXPECT_TRUE(wrote);
}

TEST(ConsoleLinesTest, WritesTheEndLineWithTheTime) {
  ConsoleLines lines(false);
  bool wrote = false;
  // A running test's elapsed time is 0 until it ends.
  EXPECT_EQ(Captured([&] { return lines.PrintEnd(ThisTest()); }, &wrote),
            "[       OK ] ConsoleLinesTest.WritesTheEndLineWithTheTime "
            "(0 ms)\n");
  EXPECT_TRUE(wrote);
}

TEST(ConsoleLinesTest, WritesTheEndLineWithoutTheTime) {
  ::testing::GTEST_FLAG(print_time) = false;
  ConsoleLines lines(false);
  bool wrote = false;
  const std::string line =
      Captured([&] { return lines.PrintEnd(ThisTest()); }, &wrote);
  ::testing::GTEST_FLAG(print_time) = true;
  EXPECT_EQ(line,
            "[       OK ] ConsoleLinesTest.WritesTheEndLineWithoutTheTime\n");
  EXPECT_TRUE(wrote);
}

TEST(ConsoleLinesTest, LeavesColouredLinesToGoogleTest) {
  ConsoleLines lines(true);
  bool wrote = true;
  EXPECT_EQ(Captured([&] { return lines.PrintStart(ThisTest()); }, &wrote), "");
  EXPECT_FALSE(wrote);
  EXPECT_EQ(Captured([&] { return lines.PrintEnd(ThisTest()); }, &wrote), "");
  EXPECT_FALSE(wrote);
}

TEST(ConsoleLinesTest, WritesWhatGoogleTestsPrinterWrites) {
  testing::TestEventListener* printer =
      testing::UnitTest::GetInstance()->listeners().default_result_printer();
  if (printer == nullptr) {
    GTEST_SKIP() << "GoogleTest's printer is not installed in this process";
  }
  ConsoleLines lines(false);
  bool wrote = false;
  const std::string ours =
      Captured([&] { return lines.PrintStart(ThisTest()); }, &wrote);
  const std::string theirs = Captured(
      [&] {
        printer->OnTestStart(ThisTest());
        return true;
      },
      &wrote);
  EXPECT_EQ(ours, theirs);
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
