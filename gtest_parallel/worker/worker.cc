// The worker loop (see worker.h).
#include "worker/worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "databases/reset.h"
#include "databases/run_databases.h"
#include "googletest/gtest_access.h"
#include "googletest/gtest_version.h"
#include "platform/process.h"
#include "platform/process_tree.h"
#include "protocol/variables.h"
#include "worker/worker_listener.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Runs one grant: the suite with just the granted tests marked; more may be
// granted while it runs (WorkerListener::OnTestEnd). Every test and suite
// is unmarked otherwise: GoogleTest marks them only when it filters, which
// a worker never lets it do. `ran` tells, by suite, which suites this
// process has run before (a retry, a repeat): their results are cleared.
void RunGrant(const TestPlan& plan, const Grant& grant,
              WorkerListener* listener, std::vector<bool>* ran) {
  const int suite_id = grant.suite;
  testing::TestSuite* suite = plan.suite(suite_id);
  // Fault injection for gtest_parallel's own tests: a GoogleTest that runs
  // a suite's tests in an order the plan did not foresee.
  static const bool reverse =
      std::getenv("GTEST_PARALLEL_TESTING_REVERSE_SUITES") != nullptr;
  if (reverse) ReverseTestOrder(suite);
  if ((*ran)[suite_id]) ClearSuiteResults(suite);
  (*ran)[suite_id] = true;
  SetShouldRun(suite, true);
  listener->BeginSuite(suite_id, grant.tests, grant.last);
  RunSuite(suite);
  SetShouldRun(suite, false);
  for (int id : plan.tests_of(suite_id)) {
    SetShouldRun(plan.test(id), false);
  }
}

// The properties recorded outside tests (by the global environments).
std::vector<Property> GlobalProperties() {
  return PropertiesOf(testing::UnitTest::GetInstance()->ad_hoc_test_result());
}

// Sends an event of the global environments, and flushes.
void SendGlobal(WorkerChannel* channel, MessageBody body) {
  channel->Send(Message{std::move(body)}, true);
  channel->Flush();
}

// The protocol version the worker says it speaks: kProtocolVersion, unless
// gtest_parallel's own tests make it claim another (fault injection).
int32_t ClaimedVersion() {
  const char* claimed = std::getenv("GTEST_PARALLEL_TESTING_PROTOCOL_VERSION");
  return claimed != nullptr ? std::atoi(claimed) : kProtocolVersion;
}

// Says hello to the coordinator and takes its configuration into
// *config; false when the coordinator answers with anything else.
bool Connect(const TestPlan& plan, WorkerChannel* channel, Config* config) {
  Hello hello;
  hello.version = ClaimedVersion();
  hello.pid = CurrentPid();
  hello.test_count = plan.test_count();
  hello.fingerprint = plan.fingerprint();
  channel->Send(Message{hello}, false);
  const Message reply = channel->Receive();
  const Config* received = std::get_if<Config>(&reply.body);
  if (received == nullptr) return false;
  *config = *received;
  return true;
}

// Applies the coordinator's configuration to this process: the worker
// count in the environment, and the databases, attached and reset before
// any test code, global environments included, runs. Exits when the
// databases cannot be had.
void ApplyConfig(const Options& options, const Config& config) {
  SetOwnEnvironment("GTEST_PARALLEL_WORKERS", std::to_string(config.workers));
  if (config.databases.empty()) return;
  std::string error;
  // A worker that replaces one that crashed finds its writes: put back.
  if (!AttachDatabases(DecodeAssignments(config.databases), &error) ||
      !ResetAttachedDatabases(options, &error)) {
    std::fprintf(stderr, "gtest_parallel: worker %s: %s\n",
                 std::getenv("GTEST_PARALLEL_WORKER"), error.c_str());
    std::fflush(stderr);
    std::_Exit(kUsageExitCode);
  }
}

// Sets GoogleTest up to run what it is granted, and this process to adopt
// what its tests leave behind.
void PrepareToRun() {
  // The coordinator reports, shards, fails fast and lists; a worker runs.
  GTEST_FLAG_SET(output, "");
  GTEST_FLAG_SET(fail_fast, false);
  GTEST_FLAG_SET(list_tests, false);
  GTEST_FLAG_SET(repeat, 1);
  ApplyCatchExceptionsFlag();
  MarkRunStart();
  AdoptOrphans();
}

// Sets the global environments up in iteration `iteration` and reports
// how that went.
void SetUpEnvironments(int iteration, WorkerChannel* channel,
                       WorkerListener* listener) {
  for (testing::Environment* environment : Environments()) {
    environment->SetUp();
  }
  listener->NoteChildren();
  const testing::TestResult& global =
      testing::UnitTest::GetInstance()->ad_hoc_test_result();
  SendGlobal(channel,
             EnvSetUp{iteration, !global.Skipped() && !global.HasFatalFailure(),
                      GlobalProperties()});
}

// Asks for work in iteration `iteration` and runs each grant, until the
// coordinator has none left for this worker.
void ServeGrants(int iteration, const TestPlan& plan, WorkerChannel* channel,
                 WorkerListener* listener, std::vector<bool>* ran) {
  const testing::TestResult& global =
      testing::UnitTest::GetInstance()->ad_hoc_test_result();
  const bool may_run = !global.Skipped() && !global.HasFatalFailure();
  for (;;) {
    listener->EnterIdle();
    channel->Send(Message{Request{iteration, may_run}}, false);
    const Message answer = channel->Receive();
    const Grant* grant = std::get_if<Grant>(&answer.body);
    if (grant == nullptr) break;
    RunGrant(plan, *grant, listener, ran);
  }
}

// Tears the global environments down, last first, and reports it.
void TearDownEnvironments(int iteration, WorkerChannel* channel,
                          WorkerListener* listener) {
  listener->EnterGlobal();
  auto& environments = Environments();
  std::for_each(environments.rbegin(), environments.rend(),
                [](testing::Environment* e) { e->TearDown(); });
  SendGlobal(channel, EnvTearDown{iteration, GlobalProperties()});
}

// Reports the end of iteration `iteration`, the last one if `last`.
void EndIteration(int iteration, bool last, WorkerChannel* channel,
                  WorkerListener* listener) {
  // After the last iteration comes the program's exit (static destructors,
  // sanitizers' exit checks), which the coordinator watches and accounts
  // for like a test.
  if (last) listener->EnterExit();
  channel->Send(
      Message{IterationEnd{iteration, listener->leaked_objects(),
                           listener->races(), listener->valgrind_errors()}},
      false);
  channel->Flush();
}

}  // namespace

int RunWorker(const Options& options, const TestPlan& plan, Handle commands,
              Handle events, WorkerStatus* status) {
  const char* parent = std::getenv(kCoordinatorVariable);
  if (!DieWithParent(parent ? std::atoll(parent) : 0)) return 0;
  WorkerChannel channel(commands, events, DuplicateStandardOutput(), status);
  Config config;
  if (!Connect(plan, &channel, &config)) return 0;
  ApplyConfig(options, config);
  const int repeat = config.repeat;
  int seed = config.seed;
  PrepareToRun();
  const bool shuffle = GTEST_FLAG_GET(shuffle);
  const bool recreate = RecreateEnvironmentsWhenRepeating() || repeat < 0;

  // Only our listener hears this process's events; the user's listeners
  // and the printers hear the replay in the coordinator.
  testing::TestEventListeners own;
  auto* listener = new WorkerListener(&channel, &plan, status);
  own.Append(listener);
  AppendResetListener(options, &own);
  SwapRepeaters(&own);
  std::vector<bool> ran(plan.suite_count(), false);

  bool environments_up = false;
  for (int i = config.first_iteration; repeat < 0 || i < repeat; ++i) {
    // Results need no clearing here: each grant clears its suite's.
    if (shuffle) ShuffleTests(seed);
    listener->BeginIteration(i);
    listener->EnterGlobal();
    if (!environments_up || recreate) {
      SetUpEnvironments(i, &channel, listener);
      environments_up = true;
    }
    ServeGrants(i, plan, &channel, listener, &ran);
    if (i == repeat - 1 || recreate) {
      TearDownEnvironments(i, &channel, listener);
    }
    EndIteration(i, i == repeat - 1, &channel, listener);
    UnshuffleTests();
    if (shuffle) seed = NextRandomSeed(seed);
  }
  SwapRepeaters(&own);
  return 0;
}

}  // namespace internal
}  // namespace gtest_parallel
