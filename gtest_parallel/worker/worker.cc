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

}  // namespace

int RunWorker(const Options& options, const TestPlan& plan, Handle commands,
              Handle events, WorkerStatus* status) {
  const char* parent = std::getenv(kCoordinatorVariable);
  if (!DieWithParent(parent ? std::atoll(parent) : 0)) return 0;
  WorkerChannel channel(commands, events, DuplicateStandardOutput(), status);

  Hello hello;
  hello.version = ClaimedVersion();
  hello.pid = CurrentPid();
  hello.test_count = plan.test_count();
  hello.fingerprint = plan.fingerprint();
  channel.Send(Message{hello}, false);
  const Message reply = channel.Receive();
  const Config* config = std::get_if<Config>(&reply.body);
  if (config == nullptr) return 0;
  SetOwnEnvironment("GTEST_PARALLEL_WORKERS", std::to_string(config->workers));
  if (!config->databases.empty()) {
    // Before any test code, global environments included, runs.
    std::string error;
    // A worker that replaces one that crashed finds its writes: put back.
    if (!AttachDatabases(DecodeAssignments(config->databases), &error) ||
        !ResetAttachedDatabases(options, &error)) {
      std::fprintf(stderr, "gtest_parallel: worker %s: %s\n",
                   std::getenv("GTEST_PARALLEL_WORKER"), error.c_str());
      std::fflush(stderr);
      std::_Exit(kUsageExitCode);
    }
  }
  const int first_iteration = config->first_iteration;
  const int repeat = config->repeat;
  int seed = config->seed;

  // The coordinator reports, shards, fails fast and lists; a worker runs.
  GTEST_FLAG_SET(output, "");
  GTEST_FLAG_SET(fail_fast, false);
  GTEST_FLAG_SET(list_tests, false);
  GTEST_FLAG_SET(repeat, 1);
  ApplyCatchExceptionsFlag();
  MarkRunStart();
  AdoptOrphans();
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

  testing::UnitTest* unit_test = testing::UnitTest::GetInstance();
  bool environments_up = false;
  for (int i = first_iteration; repeat < 0 || i < repeat; ++i) {
    // Results need no clearing here: each grant clears its suite's.
    if (shuffle) ShuffleTests(seed);
    listener->BeginIteration(i);
    listener->EnterGlobal();
    if (!environments_up || recreate) {
      for (testing::Environment* environment : Environments()) {
        environment->SetUp();
      }
      environments_up = true;
      listener->NoteChildren();
      const testing::TestResult& global = unit_test->ad_hoc_test_result();
      SendGlobal(&channel,
                 EnvSetUp{i, !global.Skipped() && !global.HasFatalFailure(),
                          GlobalProperties()});
    }
    const testing::TestResult& global = unit_test->ad_hoc_test_result();
    const bool may_run = !global.Skipped() && !global.HasFatalFailure();
    for (;;) {
      listener->EnterIdle();
      channel.Send(Message{Request{i, may_run}}, false);
      const Message answer = channel.Receive();
      const Grant* grant = std::get_if<Grant>(&answer.body);
      if (grant == nullptr) break;
      RunGrant(plan, *grant, listener, &ran);
    }
    if (i == repeat - 1 || recreate) {
      listener->EnterGlobal();
      auto& environments = Environments();
      std::for_each(environments.rbegin(), environments.rend(),
                    [](testing::Environment* e) { e->TearDown(); });
      SendGlobal(&channel, EnvTearDown{i, GlobalProperties()});
    }
    // After the last iteration comes the program's exit (static
    // destructors, sanitizers' exit checks), which the coordinator watches
    // and accounts for like a test.
    if (i == repeat - 1) listener->EnterExit();
    channel.Send(
        Message{IterationEnd{i, listener->leaked_objects(), listener->races(),
                             listener->valgrind_errors()}},
        false);
    channel.Flush();
    UnshuffleTests();
    if (shuffle) seed = NextRandomSeed(seed);
  }
  SwapRepeaters(&own);
  return 0;
}

}  // namespace internal
}  // namespace gtest_parallel
