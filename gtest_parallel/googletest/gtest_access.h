// The one place that reaches into GoogleTest's private state.
//
// GoogleTest has no public way to fill a TestResult, to run one test suite on
// its own, or to stand between its event repeater and the listeners. Running
// tests in workers and replaying their results into the coordinator's own
// UnitTest needs all three, so this file (and only this file) uses
// GoogleTest's internals. Every private member it touches is named in
// gtest_access.cc through an explicit template instantiation, which fails to
// compile if GoogleTest renames a member or changes its type.
#ifndef GTEST_PARALLEL_GTEST_ACCESS_H_
#define GTEST_PARALLEL_GTEST_ACCESS_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// Signature of SetUpTestSuite/TearDownTestSuite hooks.
using SuiteHook = void (*)();

// Replaces the factory that creates the fixture of `test`; returns the old
// one. The caller owns the factory it takes back.
testing::internal::TestFactoryBase* SwapTestFactory(
    testing::TestInfo* test, testing::internal::TestFactoryBase* factory);

// Replaces SetUpTestSuite/TearDownTestSuite of `suite`; returns the old ones
// through the same arguments.
void SwapSuiteHooks(testing::TestSuite* suite, SuiteHook* set_up,
                    SuiteHook* tear_down);

// Sets the measured start and duration of a finished test.
void SetTestTimes(const testing::TestInfo& test, int64_t start_ms,
                  int64_t elapsed_ms);

// Sets the measured start and duration of a finished test suite.
void SetSuiteTimes(const testing::TestSuite& suite, int64_t start_ms,
                   int64_t elapsed_ms);

// Marks a test (and separately a suite) to be run or left alone by
// RunSuite().
void SetShouldRun(testing::TestInfo* test, bool should_run);
void SetShouldRun(testing::TestSuite* suite, bool should_run);

// Forgets the results of an earlier run of a suite's tests in this process
// (GoogleTest would otherwise take an old fatal failure for a new one).
void ClearSuiteResults(testing::TestSuite* suite);

// The tests of every registered suite in the order in which GoogleTest
// runs them unshuffled. That is not always registration order (1.14 and
// later sort a suite's tests by file and line each time the suite runs), so
// GoogleTest is asked rather than second-guessed: each suite is run once
// with none of its tests selected, its SetUpTestSuite/TearDownTestSuite and
// every listener left out, and whatever the run changed is put back. Call
// before RUN_ALL_TESTS(), from one thread.
std::vector<std::vector<testing::TestInfo*>> RunOrders();

// GoogleTest's current order of the suite's tests: the i-th test it runs is
// the test at position TestOrder(suite)[i] of the suite's RunOrders() entry
// (the identity unless --gtest_shuffle shuffled it).
const std::vector<int>& TestOrder(const testing::TestSuite& suite);

// Makes GoogleTest run the suite's tests last to first (fault injection for
// gtest_parallel's own tests: a GoogleTest whose order nobody foresaw).
void ReverseTestOrder(testing::TestSuite* suite);

// Runs one test suite exactly as RUN_ALL_TESTS() would: SetUpTestSuite, the
// tests marked to run, TearDownTestSuite, with all events.
void RunSuite(testing::TestSuite* suite);

// The registered global environments, in registration order.
std::vector<testing::Environment*>& Environments();

// Per-iteration bookkeeping of RUN_ALL_TESTS(): shuffling with a given
// seed.
void ShuffleTests(int seed);
void UnshuffleTests();
int NextRandomSeed(int seed);

// Adds a part, message and all, to the result of the running test (or
// suite set-up or tear-down, or global environment) exactly as given:
// unlike an assertion, it adds no trace, stack trace or line end of its own
// (GoogleTest 1.14 and later end every assertion's message with one).
void ReportTestPart(testing::TestPartResult::Type type, const char* file,
                    int line, const std::string& message);

// Adds a property to the result of a test that has ended, as
// RecordProperty would have while it ran: the XML and JSON reports show it.
void AddTestProperty(const testing::TestInfo& test, const std::string& key,
                     const std::string& value);

// Clears the parts of the running test's result, as a test can through
// GoogleTest's internal TestResultAccessor (GoogleTest's own tests do).
void ClearCurrentTestParts();

// Sets UnitTest::start_timestamp() to now, as RUN_ALL_TESTS() does when it
// starts (a worker, which runs suites one by one, must do it here).
void MarkRunStart();

// True when GoogleTest saw --help (or an unknown --gtest_ flag) and will
// print its help instead of running tests.
bool HelpRequested();

// Makes GoogleTest turn exceptions and crashes in test code into failures
// as --gtest_catch_exceptions asks (RUN_ALL_TESTS() does this itself; a
// worker, which runs suites one by one, must do it here).
void ApplyCatchExceptionsFlag();

// True in a subprocess started to run a "threadsafe"-style death test.
bool InDeathTestChild();

// Exchanges the event repeater of UnitTest's listeners with the one of
// `other`: afterwards GoogleTest sends every event to the listeners appended
// to `other`, and `other` holds the user's listeners. Calling it again swaps
// back.
void SwapRepeaters(testing::TestEventListeners* other);

// The repeater of `listeners` as a listener: forwarding an event to it
// reaches every listener appended to `listeners`.
testing::TestEventListener* RepeaterOf(testing::TestEventListeners* listeners);

// Whether GoogleTest's console printer prints in colour (--gtest_color and
// the terminal), decided as GoogleTest decides it.
bool ConsoleInColor();

// Puts `printer`, GoogleTest's default result printer taken out with
// TestEventListeners::Release(), back at the end of UnitTest's listeners,
// as the default result printer again.
void RestoreDefaultResultPrinter(testing::TestEventListener* printer);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_GTEST_ACCESS_H_
