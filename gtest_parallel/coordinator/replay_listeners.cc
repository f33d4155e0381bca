// The coordinator's listener chain (replay_listeners.h).
#include "coordinator/replay_listeners.h"

#include "coordinator/replay.h"
#include "googletest/gtest_version.h"

namespace gtest_parallel {
namespace internal {
namespace {

// GoogleTest sends "start" events to listeners in the order they were
// appended and "end" events in reverse order. Placed before the printers
// and the user's listeners, this hears start events first and end events
// last: it starts things, and wipes the progress line before anything
// prints and draws it again after.
class FirstListener : public testing::EmptyTestEventListener {
 public:
  explicit FirstListener(Replay* replay) : replay_(replay) {}
  void OnTestProgramStart(const testing::UnitTest& unit_test) override {
    replay_->OnProgramStart(unit_test);
  }
  void OnTestIterationStart(const testing::UnitTest& unit_test,
                            int iteration) override {
    replay_->OnIterationStart(unit_test, iteration);
    replay_->progress().Clear();
  }
  void OnEnvironmentsSetUpStart(const testing::UnitTest&) override { Clear(); }
  void OnEnvironmentsTearDownStart(const testing::UnitTest&) override {
    Clear();
  }
  void OnTestSuiteStart(const testing::TestSuite& suite) override {
    replay_->EnterSuite(suite);
    Clear();
  }
  void OnTestStart(const testing::TestInfo& test) override {
    replay_->BeginTest(test);
    Clear();
  }
#if GTEST_PARALLEL_HAS_ON_TEST_DISABLED
  void OnTestDisabled(const testing::TestInfo&) override { Clear(); }
#endif
  void OnTestPartResult(const testing::TestPartResult&) override { Clear(); }
  void OnEnvironmentsSetUpEnd(const testing::UnitTest&) override { Draw(); }
  void OnEnvironmentsTearDownEnd(const testing::UnitTest&) override { Draw(); }
  void OnTestEnd(const testing::TestInfo&) override {
    replay_->EndTest();
    Draw();
  }
  void OnTestSuiteEnd(const testing::TestSuite& suite) override {
    replay_->LeaveSuite(suite);
    Draw();
  }
  void OnTestIterationEnd(const testing::UnitTest& unit_test,
                          int iteration) override {
    replay_->OnIterationEnd(unit_test, iteration);
  }
  void OnTestProgramEnd(const testing::UnitTest&) override {
    replay_->OnProgramEnd();
  }

 private:
  void Clear() { replay_->progress().Clear(); }
  void Draw() { replay_->DrawProgress(); }

  Replay* const replay_;
};

// Placed after them, this hears end events first: the workers' times are
// in place before anybody prints them.
class LastListener : public testing::EmptyTestEventListener {
 public:
  explicit LastListener(Replay* replay) : replay_(replay) {}
  void OnTestEnd(const testing::TestInfo& test) override {
    replay_->progress().Clear();
    replay_->OnTestEnd(test);
  }
  void OnTestSuiteEnd(const testing::TestSuite& suite) override {
    replay_->progress().Clear();
    replay_->OnSuiteEnd(suite);
  }
  void OnEnvironmentsSetUpEnd(const testing::UnitTest&) override {
    replay_->progress().Clear();
  }
  void OnEnvironmentsTearDownEnd(const testing::UnitTest&) override {
    replay_->progress().Clear();
  }
  void OnTestIterationEnd(const testing::UnitTest&, int) override {
    replay_->progress().Clear();
  }
  void OnTestStart(const testing::TestInfo&) override {
    replay_->progress().Draw();
  }
  void OnTestSuiteStart(const testing::TestSuite&) override {
    replay_->progress().Draw();
  }

 private:
  Replay* const replay_;
};

// Passes every event on to the user's listeners (the original repeater),
// and to GoogleTest's default printer, taken out of their list, where that
// printer was: first, so it hears start events before the other listeners
// and end events after them. Test start and end lines that ConsoleLines
// writes do not reach the printer, nor do the tests and suites the replay
// mutes (Replay::muted()).
class Forwarder : public testing::TestEventListener {
 public:
  explicit Forwarder(Replay* replay) : replay_(replay) {}
  void set_target(testing::TestEventListener* target) { target_ = target; }
  void set_printer(testing::TestEventListener* printer, ConsoleLines* lines) {
    printer_ = printer;
    lines_ = lines;
  }

  void OnTestProgramStart(const testing::UnitTest& u) override {
    Forward([&](auto* l) { l->OnTestProgramStart(u); });
  }
  void OnTestIterationStart(const testing::UnitTest& u, int i) override {
    Forward([&](auto* l) { l->OnTestIterationStart(u, i); });
  }
  void OnEnvironmentsSetUpStart(const testing::UnitTest& u) override {
    Forward([&](auto* l) { l->OnEnvironmentsSetUpStart(u); });
  }
  void OnEnvironmentsSetUpEnd(const testing::UnitTest& u) override {
    Backward([&](auto* l) { l->OnEnvironmentsSetUpEnd(u); });
  }
  void OnTestSuiteStart(const testing::TestSuite& s) override {
    Forward([&](auto* l) { l->OnTestSuiteStart(s); }, Muted());
  }
#ifndef GTEST_REMOVE_LEGACY_TEST_CASEAPI_
  void OnTestCaseStart(const testing::TestCase& s) override {
    Forward([&](auto* l) { l->OnTestCaseStart(s); }, Muted());
  }
#endif
  void OnTestStart(const testing::TestInfo& t) override {
    if (printer_ != nullptr && !Muted() && !lines_->PrintStart(t)) {
      printer_->OnTestStart(t);
    }
    target_->OnTestStart(t);
  }
#if GTEST_PARALLEL_HAS_ON_TEST_DISABLED
  void OnTestDisabled(const testing::TestInfo& t) override {
    Forward([&](auto* l) { l->OnTestDisabled(t); });
  }
#endif
  void OnTestPartResult(const testing::TestPartResult& r) override {
    Forward([&](auto* l) { l->OnTestPartResult(r); }, Muted());
  }
  void OnTestEnd(const testing::TestInfo& t) override {
    target_->OnTestEnd(t);
    if (printer_ != nullptr && !Muted() && !lines_->PrintEnd(t)) {
      printer_->OnTestEnd(t);
    }
  }
  void OnTestSuiteEnd(const testing::TestSuite& s) override {
    Backward([&](auto* l) { l->OnTestSuiteEnd(s); }, Muted());
  }
#ifndef GTEST_REMOVE_LEGACY_TEST_CASEAPI_
  void OnTestCaseEnd(const testing::TestCase& s) override {
    Backward([&](auto* l) { l->OnTestCaseEnd(s); }, Muted());
  }
#endif
  void OnEnvironmentsTearDownStart(const testing::UnitTest& u) override {
    Forward([&](auto* l) { l->OnEnvironmentsTearDownStart(u); });
  }
  void OnEnvironmentsTearDownEnd(const testing::UnitTest& u) override {
    Backward([&](auto* l) { l->OnEnvironmentsTearDownEnd(u); });
  }
  void OnTestIterationEnd(const testing::UnitTest& u, int i) override {
    Backward([&](auto* l) { l->OnTestIterationEnd(u, i); });
  }
  void OnTestProgramEnd(const testing::UnitTest& u) override {
    Backward([&](auto* l) { l->OnTestProgramEnd(u); });
  }

 private:
  // GoogleTest's order: start events in the order listeners were appended,
  // end events in reverse.
  // With `mute`, the printer does not hear the event.
  template <typename Event>
  void Forward(Event event, bool mute = false) {
    if (printer_ != nullptr && !mute) event(printer_);
    event(target_);
  }
  template <typename Event>
  void Backward(Event event, bool mute = false) {
    event(target_);
    if (printer_ != nullptr && !mute) event(printer_);
  }
  bool Muted() const { return replay_->muted(); }

  Replay* const replay_;
  testing::TestEventListener* target_ = nullptr;
  testing::TestEventListener* printer_ = nullptr;
  ConsoleLines* lines_ = nullptr;
};

}  // namespace

void InstallReplayListeners(Replay* replay, testing::TestEventListeners* front,
                            testing::TestEventListener* printer,
                            ConsoleLines* lines) {
  front->Append(new FirstListener(replay));
  auto* forwarder = new Forwarder(replay);
  front->Append(forwarder);
  front->Append(new LastListener(replay));
  SwapRepeaters(front);
  forwarder->set_target(RepeaterOf(front));
  forwarder->set_printer(printer, lines);
}

}  // namespace internal
}  // namespace gtest_parallel
