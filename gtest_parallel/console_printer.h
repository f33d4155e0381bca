// The console lines of the tests the coordinator replays.
//
// GoogleTest's console printer formats every test's elapsed time through a
// freshly made string stream, which costs the coordinator, which prints
// every line of the run, more than replaying the test does. ConsolePrinter
// takes the printer's place, writes the "[ RUN      ]" line and the line of
// a test that passed or was skipped itself, byte for byte as GoogleTest
// would, and passes every other event (failures, suites, summaries) on to
// GoogleTest's printer. It writes lines itself only where it cannot differ:
// no colours, the "C" locale; otherwise it passes everything on.
//
// Unlike GoogleTest's printer it does not flush stdout after each line (a
// write(2) per line, as costly again): on a terminal stdout is line-buffered
// anyway; elsewhere the replay flushes it whenever it waits for a worker,
// and the coordinator before each notice it writes to stderr.
#ifndef GTEST_PARALLEL_CONSOLE_PRINTER_H_
#define GTEST_PARALLEL_CONSOLE_PRINTER_H_

#include <gtest/gtest.h>

#include <memory>

namespace gtest_parallel {
namespace internal {

class ConsolePrinter : public testing::TestEventListener {
 public:
  // Owns `printer`, GoogleTest's default result printer, until Release().
  // `in_color` is whether GoogleTest prints in colour.
  ConsolePrinter(testing::TestEventListener* printer, bool in_color);

  // Hands GoogleTest's printer back.
  testing::TestEventListener* Release() { return printer_.release(); }

  void OnTestStart(const testing::TestInfo& test) override;
  void OnTestEnd(const testing::TestInfo& test) override;

  // Everything else is GoogleTest's printer's.
  void OnTestProgramStart(const testing::UnitTest& u) override {
    printer_->OnTestProgramStart(u);
  }
  void OnTestIterationStart(const testing::UnitTest& u, int i) override {
    printer_->OnTestIterationStart(u, i);
  }
  void OnEnvironmentsSetUpStart(const testing::UnitTest& u) override {
    printer_->OnEnvironmentsSetUpStart(u);
  }
  void OnEnvironmentsSetUpEnd(const testing::UnitTest& u) override {
    printer_->OnEnvironmentsSetUpEnd(u);
  }
  void OnTestSuiteStart(const testing::TestSuite& s) override {
    printer_->OnTestSuiteStart(s);
  }
#ifndef GTEST_REMOVE_LEGACY_TEST_CASEAPI_
  void OnTestCaseStart(const testing::TestCase& s) override {
    printer_->OnTestCaseStart(s);
  }
#endif
  void OnTestDisabled(const testing::TestInfo& t) override {
    printer_->OnTestDisabled(t);
  }
  void OnTestPartResult(const testing::TestPartResult& r) override {
    printer_->OnTestPartResult(r);
  }
  void OnTestSuiteEnd(const testing::TestSuite& s) override {
    printer_->OnTestSuiteEnd(s);
  }
#ifndef GTEST_REMOVE_LEGACY_TEST_CASEAPI_
  void OnTestCaseEnd(const testing::TestCase& s) override {
    printer_->OnTestCaseEnd(s);
  }
#endif
  void OnEnvironmentsTearDownStart(const testing::UnitTest& u) override {
    printer_->OnEnvironmentsTearDownStart(u);
  }
  void OnEnvironmentsTearDownEnd(const testing::UnitTest& u) override {
    printer_->OnEnvironmentsTearDownEnd(u);
  }
  void OnTestIterationEnd(const testing::UnitTest& u, int i) override {
    printer_->OnTestIterationEnd(u, i);
  }
  void OnTestProgramEnd(const testing::UnitTest& u) override {
    printer_->OnTestProgramEnd(u);
  }

 private:
  std::unique_ptr<testing::TestEventListener> printer_;
  bool own_lines_;  // Whether this writes test lines itself.
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_CONSOLE_PRINTER_H_
