// The worker loop (see worker.h).
#include "worker/worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

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
void RunGrant(const TestPlan& plan, const Message& grant,
              WorkerListener* listener, std::vector<bool>* ran) {
  const int suite_id = static_cast<int>(grant.id);
  testing::TestSuite* suite = plan.suite(suite_id);
  // Fault injection for gtest_parallel's own tests: a GoogleTest that runs
  // a suite's tests in an order the plan did not foresee.
  static const bool reverse =
      std::getenv("GTEST_PARALLEL_TESTING_REVERSE_SUITES") != nullptr;
  if (reverse) ReverseTestOrder(suite);
  if ((*ran)[suite_id]) ClearSuiteResults(suite);
  (*ran)[suite_id] = true;
  SetShouldRun(suite, true);
  listener->BeginSuite(static_cast<int>(grant.id),
                       std::vector<int>(grant.ids.begin(), grant.ids.end()),
                       grant.b != 0);
  RunSuite(suite);
  SetShouldRun(suite, false);
  for (int id : plan.tests_of(static_cast<int>(grant.id))) {
    SetShouldRun(plan.test(id), false);
  }
}

void SendGlobal(WorkerChannel* channel, MessageType type, int iteration,
                int64_t a) {
  Message message;
  message.type = type;
  message.id = iteration;
  message.a = a;
  message.props =
      PropertiesOf(testing::UnitTest::GetInstance()->ad_hoc_test_result());
  channel->Send(std::move(message), true);
  channel->Flush();
}

}  // namespace

int RunWorker(const TestPlan& plan, Handle commands, Handle events,
              WorkerStatus* status) {
  const char* parent = std::getenv(kCoordinatorVariable);
  if (!DieWithParent(parent ? std::atoll(parent) : 0)) return 0;
  WorkerChannel channel(commands, events, DuplicateStandardOutput(), status);

  Message hello;
  hello.type = MessageType::kHello;
  hello.id = CurrentPid();
  hello.a = plan.test_count();
  hello.b = static_cast<int64_t>(plan.fingerprint());
  channel.Send(std::move(hello), false);
  const Message config = channel.Receive();
  if (config.type != MessageType::kConfig) return 0;
  if (!config.ids.empty()) {
    SetOwnEnvironment("GTEST_PARALLEL_WORKERS", std::to_string(config.ids[0]));
  }
  if (!config.props.empty()) {
    // Before any test code, global environments included, runs.
    std::string error;
    if (!AttachDatabases(DecodeAssignments(config.props), &error)) {
      std::fprintf(stderr, "gtest_parallel: worker %s: %s\n",
                   std::getenv("GTEST_PARALLEL_WORKER"), error.c_str());
      std::fflush(stderr);
      std::_Exit(kUsageExitCode);
    }
  }
  const int first_iteration = static_cast<int>(config.id);
  const int repeat = static_cast<int>(config.a);
  int seed = static_cast<int>(config.b);

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
      SendGlobal(&channel, MessageType::kEnvSetUp, i,
                 !global.Skipped() && !global.HasFatalFailure());
    }
    const testing::TestResult& global = unit_test->ad_hoc_test_result();
    const bool may_run = !global.Skipped() && !global.HasFatalFailure();
    for (;;) {
      listener->EnterIdle();
      Message request;
      request.type = MessageType::kRequest;
      request.id = i;
      request.a = may_run;
      channel.Send(std::move(request), false);
      const Message reply = channel.Receive();
      if (reply.type != MessageType::kGrant) break;
      RunGrant(plan, reply, listener, &ran);
    }
    if (i == repeat - 1 || recreate) {
      listener->EnterGlobal();
      auto& environments = Environments();
      std::for_each(environments.rbegin(), environments.rend(),
                    [](testing::Environment* e) { e->TearDown(); });
      SendGlobal(&channel, MessageType::kEnvTearDown, i, 0);
    }
    // After the last iteration comes the program's exit (static
    // destructors, sanitizers' exit checks), which the coordinator watches
    // and accounts for like a test.
    if (i == repeat - 1) listener->EnterExit();
    Message end;
    end.type = MessageType::kIterationEnd;
    end.id = i;
    end.a = listener->leaked_objects();
    end.b = listener->races();
    end.ids.push_back(listener->valgrind_errors());
    channel.Send(std::move(end), false);
    channel.Flush();
    UnshuffleTests();
    if (shuffle) seed = NextRandomSeed(seed);
  }
  SwapRepeaters(&own);
  return 0;
}

}  // namespace internal
}  // namespace gtest_parallel
