// How a worker recognises sanitizer and valgrind reports in a test's
// output, and tells an exit check that only repeats them.
#include "platform/sanitizers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {
namespace {

using Reports = std::vector<std::string>;

TEST(SanitizerReportsTest, NoneInOrdinaryOutput) {
  EXPECT_EQ(SanitizerReportsIn("hello\nruntime of 3 s\nWARNING: low disk\n"),
            Reports{});
}

TEST(SanitizerReportsTest, ThreadSanitizerKindAndCount) {
  const std::string output =
      "==================\n"
      "WARNING: ThreadSanitizer: data race (pid=123)\n  Read of size 4\n"
      "==================\n"
      "WARNING: ThreadSanitizer: data race (pid=123)\n"
      "WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) "
      "(pid=123)\n";
  EXPECT_EQ(SanitizerReportsIn(output),
            (Reports{"ThreadSanitizer reported \"data race\" 2 times",
                     "ThreadSanitizer reported \"lock-order-inversion\""}));
  EXPECT_EQ(CountReports(output, "ThreadSanitizer"), 3);
}

TEST(SanitizerReportsTest, UndefinedBehaviorAndAddressSanitizer) {
  EXPECT_EQ(SanitizerReportsIn("a.cc:3:48: runtime error: signed integer "
                               "overflow: 2147483647 + 1 cannot be "
                               "represented in type 'int'\n"),
            Reports{"UndefinedBehaviorSanitizer reported \"signed integer "
                    "overflow\""});
  EXPECT_EQ(SanitizerReportsIn("==42==ERROR: AddressSanitizer: "
                               "heap-use-after-free on address 0x1 at pc\n"),
            Reports{"AddressSanitizer reported \"heap-use-after-free\""});
}

TEST(SanitizerReportsTest, ValgrindOnlyWithItsPrefix) {
  EXPECT_EQ(SanitizerReportsIn("==77== Invalid read of size 4\n"
                               "==77==    at 0x1: f (a.cc:3)\n"),
            Reports{"valgrind reported \"Invalid read of size 4\""});
  // The same words in a test's own output are not valgrind's.
  EXPECT_EQ(SanitizerReportsIn("Invalid read of size 4\n"
                               "log: == Invalid read of size 4\n"
                               "==x== Invalid read of size 4\n"),
            Reports{});
}

TEST(OnlyRepeatsReportedTest, LeakSanitizerSummaryOfTheReportedObjects) {
  const std::string exit_report =
      "==9==ERROR: LeakSanitizer: detected memory leaks\n\n"
      "Direct leak of 48 byte(s) in 1 object(s) allocated from:\n"
      "    #0 0x1 in malloc\n\n"
      "SUMMARY: AddressSanitizer: 48 byte(s) leaked in 1 allocation(s).\n";
  EXPECT_TRUE(OnlyRepeatsReported(exit_report, 1, 0, 0));
  // More leaked than was reported on tests: something new.
  EXPECT_FALSE(OnlyRepeatsReported(exit_report, 0, 0, 0));
  EXPECT_FALSE(OnlyRepeatsReported(
      "SUMMARY: AddressSanitizer: 96 byte(s) leaked in 2 allocation(s).\n"
      "==9==ERROR: LeakSanitizer: detected memory leaks\n",
      1, 0, 0));
}

TEST(OnlyRepeatsReportedTest, ThreadSanitizerCount) {
  EXPECT_TRUE(
      OnlyRepeatsReported("ThreadSanitizer: reported 2 warnings\n", 0, 2, 0));
  EXPECT_FALSE(
      OnlyRepeatsReported("ThreadSanitizer: reported 3 warnings\n", 0, 2, 0));
  // A new race at exit is a finding of its own.
  EXPECT_FALSE(
      OnlyRepeatsReported("WARNING: ThreadSanitizer: data race (pid=1)\n"
                          "ThreadSanitizer: reported 3 warnings\n",
                          0, 2, 0));
}

TEST(OnlyRepeatsReportedTest, ValgrindAndNothing) {
  EXPECT_TRUE(OnlyRepeatsReported("", 0, 0, 1));
  EXPECT_FALSE(OnlyRepeatsReported("==5== Invalid write of size 8\n", 0, 0, 1));
  // Nothing was reported on tests: an exit status is news.
  EXPECT_FALSE(OnlyRepeatsReported("", 0, 0, 0));
  EXPECT_FALSE(OnlyRepeatsReported("goodbye\n", 0, 0, 0));
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
