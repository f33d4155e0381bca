// The replay of worker records into GoogleTest (see replay.h): the
// stand-ins are in stand_ins.cc, the listener chain in replay_listeners.cc.
#include "coordinator/replay.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "coordinator/replay_listeners.h"
#include "coordinator/rerun.h"
#include "coordinator/stand_ins.h"
#include "googletest/gtest_version.h"
#include "platform/signals.h"

namespace gtest_parallel {
namespace internal {

Replay::Replay(Coordinator* coordinator, const TestPlan& plan,
               const Options& options)
    : coordinator_(coordinator), plan_(plan), options_(options) {}

Replay::~Replay() { Uninstall(); }

void Replay::Install() {
  if (installed_) return;
  installed_ = true;
  SetStandInTarget(this);
  factories_.assign(plan_.test_count(), nullptr);
  for (int id = 0; id < plan_.suite_count(); ++id) {
    SuiteHook set_up = SuiteSetUpStandIn(), tear_down = SuiteTearDownStandIn();
    SwapSuiteHooks(plan_.suite(id), &set_up, &tear_down);
    hooks_.emplace_back(set_up, tear_down);
  }
  environments_.swap(Environments());
  replay_environment_ = NewEnvironmentStandIn();
  // GoogleTest's default printer is the first listener unless --gtest_brief
  // replaced it (or the user took it out): the forwarder calls it in that
  // place, in front of the user's listeners, and writes the test lines.
  testing::TestEventListeners& listeners =
      testing::UnitTest::GetInstance()->listeners();
  if (!GTEST_FLAG_GET(brief) && listeners.default_result_printer()) {
    printer_.reset(listeners.Release(listeners.default_result_printer()));
    lines_ = std::make_unique<ConsoleLines>(ConsoleInColor());
  }
  Environments().push_back(replay_environment_);
  InstallReplayListeners(this, &front_, printer_.get(), lines_.get());
}

void Replay::Uninstall() {
  if (!installed_) return;
  installed_ = false;
  SwapRepeaters(&front_);
  if (printer_) {
    RestoreDefaultResultPrinter(printer_.release());
    lines_.reset();
  }
  // GoogleTest 1.15 and later delete the environments (only the stand-in
  // is registered now) when RUN_ALL_TESTS() ends and empty the list; older
  // ones leave that to the stand-in's owner.
  std::vector<testing::Environment*>& registered = Environments();
  const bool still_registered =
      std::find(registered.begin(), registered.end(), replay_environment_) !=
      registered.end();
  registered.swap(environments_);
  if (still_registered) delete replay_environment_;
  replay_environment_ = nullptr;
  environments_.clear();
  for (int id = 0; id < plan_.suite_count(); ++id) {
    SwapSuiteHooks(plan_.suite(id), &hooks_[id].first, &hooks_[id].second);
  }
  hooks_.clear();
  for (int id = 0; id < plan_.test_count(); ++id) RestoreFactory(id);
  factories_.clear();
  SetStandInTarget(nullptr);
}

void Replay::Raise(const Record& record) {
  const bool show = options_.output == OutputMode::kAll ||
                    (options_.output == OutputMode::kFailures &&
                     (record.Failed() || record.flaky));
  bool noted = !show || record.output_dropped == 0;
  progress_.Clear();
  size_t parts = 0;
  for (const Record::Item& item : record.items) {
    if (item.is_part) {
      const Part& part = item.part;
      ReportTestPart(static_cast<testing::TestPartResult::Type>(part.type),
                     part.has_file ? part.file.c_str() : nullptr, part.line,
                     part.message);
      // Where the test cleared its results, so does its replay.
      if (++parts == record.cleared_parts) ClearCurrentTestParts();
      continue;
    }
    if (!show || item.output.empty()) continue;
    if (!noted) {
      std::printf("[gtest_parallel: %zu earlier bytes of output omitted]\n",
                  record.output_dropped);
      noted = true;
    }
    std::fwrite(item.output.data(), 1, item.output.size(), stdout);
    std::fflush(stdout);
  }
  for (const Property& property : record.properties) {
    testing::Test::RecordProperty(property.key, property.value);
  }
}

void Replay::ReplayTest(const testing::TestInfo& test) {
  const int id = plan_.IdOf(&test);
  if (id >= 0 && static_cast<size_t>(id) < reached_.size()) reached_[id] = 1;
  const Record record = coordinator_->TakeTest(id);
  if (id >= 0 && static_cast<size_t>(id) < test_times_.size()) {
    test_times_[id] = {record.start_ms, record.elapsed_ms};
  }
  test_interrupted_ = record.interrupted;
  test_not_run_ = record.not_run;
  Raise(record);
}

void Replay::PollArrivals(bool announce) {
  for (const ReadyRecords::Arrival& arrival : coordinator_->TakeArrivals()) {
    const size_t id = static_cast<size_t>(arrival.key);
    progress_.TestFinished(arrival.failed,
                           id < expected_ms_.size() ? expected_ms_[id] : -1,
                           arrival.elapsed_ms);
    if (arrival.failed && id < reached_.size() && !reached_[id]) {
      unannounced_.push_back(arrival);
    }
  }
  if (!announce) return;
  for (const ReadyRecords::Arrival& failure : unannounced_) {
    if (reached_[static_cast<size_t>(failure.key)]) continue;
    char line[64];
    std::snprintf(line, sizeof(line), " (%.1f s, worker %d)",
                  static_cast<double>(failure.elapsed_ms) / 1000,
                  failure.worker);
    progress_.Announce("[gtest_parallel] FAILED " +
                       plan_.FullName(failure.key) + line);
  }
  unannounced_.clear();
}

void Replay::DrawProgress() {
  if (!progress_.DrawDue()) return;
  PollArrivals(false);
  SetRunning();
  progress_.Draw(true);
}

void Replay::SetRunning() {
  std::vector<Progress::Running> running;
  for (Coordinator::RunningTest& test : coordinator_->Running()) {
    const size_t id = static_cast<size_t>(test.test);
    running.push_back(
        Progress::Running{std::move(test.name), test.seconds,
                          id < expected_ms_.size() ? expected_ms_[id] : -1});
  }
  progress_.SetRunning(std::move(running));
}

void Replay::BeginTest(const testing::TestInfo& test) {
  const int id = plan_.IdOf(&test);
  muted_test_ = id >= 0 && coordinator_->WillNotRun(id);
}

void Replay::EndTest() { muted_test_ = false; }

void Replay::ReplaySuiteSetUp(const testing::TestSuite& suite) {
  Raise(coordinator_->TakeSuiteSetUp(plan_.IdOf(&suite)));
}

void Replay::ReplaySuiteTearDown(const testing::TestSuite& suite) {
  Raise(coordinator_->TakeSuiteTearDown(plan_.IdOf(&suite)));
}

void Replay::ReplayEnvSetUp() { Raise(coordinator_->TakeEnvSetUp()); }

void Replay::ReplayEnvTearDown() {
  const Record record = coordinator_->TakeEnvTearDown();
  // Before the report printers' end of iteration, which write properties.
  passed_alone_ = coordinator_->TakePassedAlone();
  for (const auto& [id, note] : passed_alone_) {
    AddTestProperty(*plan_.test(id), "gtest_parallel_passes_alone", note);
  }
  Raise(record);
}

namespace {

size_t TestCount(const std::vector<TestPlan::SuiteRun>& runs) {
  size_t count = 0;
  for (const TestPlan::SuiteRun& run : runs) count += run.tests.size();
  return count;
}

bool SameRuns(const std::vector<TestPlan::SuiteRun>& a,
              const std::vector<TestPlan::SuiteRun>& b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const TestPlan::SuiteRun& x, const TestPlan::SuiteRun& y) {
        return x.suite == y.suite && x.tests == y.tests;
      });
}

}  // namespace

void Replay::StartEarly() {
  const std::string& filter = GTEST_FLAG_GET(filter);
  // --gtest_repeat=0 runs no iteration at all.
  if (!installed_ || filter != "*" || GTEST_FLAG_GET(repeat) == 0 ||
      GTEST_FLAG_GET(shuffle) || ShardingRequested()) {
    return;
  }
  std::vector<TestPlan::SuiteRun> runs =
      plan_.UnfilteredRuns(GTEST_FLAG_GET(also_run_disabled_tests));
  const size_t to_run = TestCount(runs);
  if (to_run == 0) return;
  const int seed = GTEST_FLAG_GET(random_seed);
  StartWorkers(to_run, seed);
  coordinator_->BeginIteration(0, runs, seed);
  early_runs_ = std::move(runs);
}

void Replay::StartWorkers(size_t to_run, int seed) {
  const int workers =
      static_cast<int>(std::min<size_t>(options_.workers, to_run));
  if (before_start_) before_start_(workers);
  coordinator_->Start(workers, GTEST_FLAG_GET(repeat), seed);
}

void Replay::OnProgramStart(const testing::UnitTest& unit_test) {
  const std::vector<TestPlan::SuiteRun> runs = plan_.CurrentRuns();
  const size_t to_run = TestCount(runs);
  if (early_runs_.empty()) {
    if (to_run == 0) return;
    StartWorkers(to_run, unit_test.random_seed());
  }
  // The console printer leaves its lines in stdout's buffer: they go out
  // whenever the run has to wait for a worker, so a watcher sees every line
  // up to the test that keeps it waiting.
  coordinator_->set_before_wait_callback([] { std::fflush(stdout); });
  // A failure that comes in while the report waits for an earlier test is
  // shown at once.
  coordinator_->set_waiting_callback([this] {
    PollArrivals(true);
    SetRunning();
    progress_.Draw(true);
  });
  const int repeat = std::max(1, GTEST_FLAG_GET(repeat));
  expected_ms_ = coordinator_->ExpectedMs();
  int64_t expected = 0;
  int unknown = 0;
  for (const TestPlan::SuiteRun& run : runs) {
    for (int test : run.tests) {
      const int64_t ms = expected_ms_[static_cast<size_t>(test)];
      expected += std::max<int64_t>(ms, 0);
      unknown += ms < 0 ? 1 : 0;
    }
  }
  progress_.Start(static_cast<int>(to_run) * repeat,
                  coordinator_->worker_count(), expected * repeat,
                  unknown * repeat, "");
}

void Replay::OnProgramEnd() {
  if (coordinator_->worker_count() == 0) return;
  std::string summary;
  if (const int restarts = coordinator_->restarts(); restarts > 0) {
    summary += "; " + std::to_string(restarts) + " worker" +
               (restarts == 1 ? "" : "s") + " replaced after dying";
  }
  progress_.Finish(Outcome(), summary);
  PrintRerunLine(options_, FailedTests(*testing::UnitTest::GetInstance()));
}

std::string Replay::Outcome() const {
  const Tally& t = tally_;
  const int ran = t.passed + t.failed + t.skipped + t.interrupted;
  if (coordinator_->interrupt_signal() == 0) {
    return std::to_string(ran) + "/" + std::to_string(progress_.total()) +
           " tests done";
  }
  std::string outcome = "interrupted: " + std::to_string(t.passed) +
                        " passed, " + std::to_string(t.failed) + " failed, ";
  if (t.skipped > 0) outcome += std::to_string(t.skipped) + " skipped, ";
  return outcome + std::to_string(t.interrupted) + " interrupted, " +
         std::to_string(t.not_run) + " not run";
}

void Replay::PrintNotRun() {
  if (not_run_.empty()) return;
  std::printf(
      "[ NOT RUN  ] %zu %s not run: the run was interrupted, listed below:\n",
      not_run_.size(), not_run_.size() == 1 ? "test was" : "tests were");
  for (int id : not_run_) {
    std::printf("[ NOT RUN  ] %s\n", plan_.FullName(id).c_str());
  }
  not_run_.clear();
}

void Replay::OnIterationStart(const testing::UnitTest& unit_test,
                              int iteration) {
  test_times_.assign(plan_.test_count(), {0, -1});
  reached_.assign(plan_.test_count(), 0);
  unannounced_.clear();
  not_run_.clear();
  if (coordinator_->worker_count() == 0) return;
  std::vector<TestPlan::SuiteRun> runs = plan_.CurrentRuns();
  if (!early_runs_.empty()) {  // Iteration 0, started early.
    // GoogleTest filtered as StartEarly() foresaw, or tests that should not
    // run may have run.
    if (!SameRuns(runs, early_runs_)) {
      coordinator_->Fail(
          "the tests handed out before GoogleTest filtered them differ from "
          "the ones it selected");
    }
    early_runs_.clear();
    return;
  }
  coordinator_->BeginIteration(iteration, std::move(runs),
                               unit_test.random_seed());
}

void Replay::OnIterationEnd(const testing::UnitTest& /*unit_test*/,
                            int /*iteration*/) {
  if (coordinator_->worker_count() == 0) return;
  const std::vector<std::string> flaky = coordinator_->TakeFlaky();
  if (flaky.empty() && passed_alone_.empty() && not_run_.empty()) return;
  progress_.Clear();
  PrintNotRun();
  // After GoogleTest's own summary, in its style.
  if (!flaky.empty()) {
    std::printf("[  FLAKY   ] %zu %s passed only when retried, listed below:\n",
                flaky.size(), flaky.size() == 1 ? "test" : "tests");
  }
  for (const std::string& line : flaky) {
    std::printf("[  FLAKY   ] %s\n", line.c_str());
  }
  if (!passed_alone_.empty()) {
    std::printf(
        "[  ALONE   ] %zu %s failed beside other tests but %s alone, listed "
        "below:\n",
        passed_alone_.size(), passed_alone_.size() == 1 ? "test" : "tests",
        passed_alone_.size() == 1 ? "passes" : "pass");
  }
  for (const auto& [id, note] : passed_alone_) {
    std::printf("[  ALONE   ] %s: passes alone: %s\n",
                plan_.FullName(id).c_str(), note.c_str());
  }
  passed_alone_.clear();
  std::fflush(stdout);
}

void Replay::OnTestEnd(const testing::TestInfo& test) {
  const int id = plan_.IdOf(&test);
  if (test_not_run_) {
    ++tally_.not_run;
    if (id >= 0) not_run_.push_back(id);
  } else if (test_interrupted_) {
    ++tally_.interrupted;
  } else if (test.result()->Failed()) {
    ++tally_.failed;
  } else if (test.result()->Skipped()) {
    ++tally_.skipped;
  } else {
    ++tally_.passed;
  }
  test_not_run_ = test_interrupted_ = false;
  if (id >= 0 && static_cast<size_t>(id) < test_times_.size() &&
      test_times_[id].second >= 0) {
    SetTestTimes(test, test_times_[id].first, test_times_[id].second);
  }
  if (GTEST_FLAG_GET(fail_fast) && test.result()->Failed()) {
    coordinator_->StopDispatch();
  }
}

void Replay::EnterSuite(const testing::TestSuite& suite) {
  const int suite_id = plan_.IdOf(&suite);
  if (suite_id < 0) return;
  muted_suite_ = InterruptCount() > 0;  // Only an interrupted run mutes.
  for (int id : plan_.tests_of(suite_id)) {
    if (factories_[id] == nullptr) {
      factories_[id] = SwapTestFactory(plan_.test(id), StandInTestFactory());
    }
    if (muted_suite_ && plan_.test(id)->should_run()) {
      muted_suite_ = coordinator_->WillNotRun(id);
    }
  }
}

void Replay::LeaveSuite(const testing::TestSuite& suite) {
  muted_suite_ = false;
  const int suite_id = plan_.IdOf(&suite);
  if (suite_id < 0) return;
  for (int id : plan_.tests_of(suite_id)) RestoreFactory(id);
}

void Replay::RestoreFactory(int id) {
  if (factories_[id] == nullptr) return;
  SwapTestFactory(plan_.test(id), factories_[id]);
  factories_[id] = nullptr;
}

void Replay::OnSuiteEnd(const testing::TestSuite& suite) {
  int64_t start = 0, elapsed = 0;
  bool any = false;
  const int suite_id = plan_.IdOf(&suite);
  if (suite_id < 0 || test_times_.empty()) return;
  for (int id : plan_.tests_of(suite_id)) {
    const auto& [test_start, test_elapsed] = test_times_[id];
    if (test_elapsed < 0) continue;
    start = any ? std::min(start, test_start) : test_start;
    elapsed += test_elapsed;
    any = true;
  }
  if (any) SetSuiteTimes(suite, start, elapsed);
}

}  // namespace internal
}  // namespace gtest_parallel
