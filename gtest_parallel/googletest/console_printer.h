// The console lines of the tests the coordinator replays.
//
// GoogleTest's console printer formats every test's elapsed time through a
// freshly made string stream, which costs the coordinator, which prints
// every line of the run, more than replaying the test does. ConsoleLines
// writes the "[ RUN      ]" line and the line of a test that passed or was
// skipped, byte for byte as GoogleTest would; the replay leaves every other
// line (failures, suites, summaries) to GoogleTest's printer. It writes
// lines only where it cannot differ: no colours, the "C" locale; otherwise
// it leaves them all to GoogleTest's printer.
//
// Unlike GoogleTest's printer it does not flush stdout after each line (a
// write(2) per line, as costly again): on a terminal stdout is line-buffered
// anyway; elsewhere the replay flushes it whenever it waits for a worker,
// and the coordinator before each notice it writes to stderr.
#ifndef GTEST_PARALLEL_CONSOLE_PRINTER_H_
#define GTEST_PARALLEL_CONSOLE_PRINTER_H_

#include <gtest/gtest.h>

namespace gtest_parallel {
namespace internal {

class ConsoleLines {
 public:
  // `in_color` is whether GoogleTest prints in colour.
  explicit ConsoleLines(bool in_color);

  // Each writes the line GoogleTest's printer would write on the test's
  // start or end; false when it wrote nothing and that printer must.
  bool PrintStart(const testing::TestInfo& test);
  bool PrintEnd(const testing::TestInfo& test);

 private:
  bool own_lines_;  // Whether this writes test lines at all.
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_CONSOLE_PRINTER_H_
