// GoogleTest internals, in one file (see gtest_access.h for why).
//
// Private members are reached with the explicit-instantiation idiom: an
// explicit template instantiation may name a private member, and a friend
// function defined in that template hands the member pointer out. Each
// instantiation below spells the member's exact type, so a GoogleTest whose
// layout differs fails to build here instead of misbehaving at run time.
#include "googletest/gtest_access.h"

#include <numeric>
#include <utility>

#include "googletest/gtest_version.h"

// GoogleTest's internal header ships with its sources (Debian installs them
// with libgtest-dev under /usr/src/googletest); CMake locates it.
#include "src/gtest-internal-inl.h"

namespace gtest_parallel {
namespace internal {
namespace {

template <typename Tag, typename Tag::Type kMember>
struct Expose {
  friend typename Tag::Type Get(Tag) { return kMember; }
};

#define GTEST_PARALLEL_EXPOSE(TagName, MemberType, Member) \
  struct TagName {                                         \
    using Type = MemberType;                               \
    friend Type Get(TagName);                              \
  };                                                       \
  template struct Expose<TagName, &Member>

GTEST_PARALLEL_EXPOSE(
    TestInfoFactory,
    testing::internal::TestFactoryBase* const testing::TestInfo::*,
    testing::TestInfo::factory_);
GTEST_PARALLEL_EXPOSE(TestInfoShouldRun, bool testing::TestInfo::*,
                      testing::TestInfo::should_run_);
GTEST_PARALLEL_EXPOSE(TestInfoResult, testing::TestResult testing::TestInfo::*,
                      testing::TestInfo::result_);
GTEST_PARALLEL_EXPOSE(
    SuiteSetUp, testing::internal::SetUpTestSuiteFunc testing::TestSuite::*,
    testing::TestSuite::set_up_tc_);
GTEST_PARALLEL_EXPOSE(
    SuiteTearDown,
    testing::internal::TearDownTestSuiteFunc testing::TestSuite::*,
    testing::TestSuite::tear_down_tc_);
GTEST_PARALLEL_EXPOSE(SuiteTests,
                      std::vector<testing::TestInfo*> testing::TestSuite::*,
                      testing::TestSuite::test_info_list_);
GTEST_PARALLEL_EXPOSE(SuiteTestOrder, std::vector<int> testing::TestSuite::*,
                      testing::TestSuite::test_indices_);
GTEST_PARALLEL_EXPOSE(SuiteShouldRun, bool testing::TestSuite::*,
                      testing::TestSuite::should_run_);
GTEST_PARALLEL_EXPOSE(SuiteStart, testing::TimeInMillis testing::TestSuite::*,
                      testing::TestSuite::start_timestamp_);
GTEST_PARALLEL_EXPOSE(SuiteElapsed, testing::TimeInMillis testing::TestSuite::*,
                      testing::TestSuite::elapsed_time_);
GTEST_PARALLEL_EXPOSE(SuiteRun, void (testing::TestSuite::*)(),
                      testing::TestSuite::Run);
GTEST_PARALLEL_EXPOSE(SuiteClearResult, void (testing::TestSuite::*)(),
                      testing::TestSuite::ClearResult);
GTEST_PARALLEL_EXPOSE(ResultStart, testing::TimeInMillis testing::TestResult::*,
                      testing::TestResult::start_timestamp_);
GTEST_PARALLEL_EXPOSE(ResultElapsed,
                      testing::TimeInMillis testing::TestResult::*,
                      testing::TestResult::elapsed_time_);
GTEST_PARALLEL_EXPOSE(
    ListenersRepeater,
    testing::internal::TestEventRepeater* testing::TestEventListeners::*,
    testing::TestEventListeners::repeater_);
GTEST_PARALLEL_EXPOSE(
    ListenersRepeaterFn,
    testing::TestEventListener* (testing::TestEventListeners::*)(),
    testing::TestEventListeners::repeater);
GTEST_PARALLEL_EXPOSE(
    ListenersDefaultPrinter,
    testing::TestEventListener* testing::TestEventListeners::*,
    testing::TestEventListeners::default_result_printer_);

GTEST_PARALLEL_EXPOSE(ImplSetCatchExceptions,
                      void (testing::internal::UnitTestImpl::*)(bool),
                      testing::internal::UnitTestImpl::set_catch_exceptions);

GTEST_PARALLEL_EXPOSE(ImplStart,
                      testing::TimeInMillis testing::internal::UnitTestImpl::*,
                      testing::internal::UnitTestImpl::start_timestamp_);

#undef GTEST_PARALLEL_EXPOSE

// The hooks are plain function pointers; both names must stay the same type.
static_assert(std::is_same<testing::internal::SetUpTestSuiteFunc,
                           testing::internal::TearDownTestSuiteFunc>::value,
              "SetUpTestSuite and TearDownTestSuite hooks differ in type");
static_assert(
    std::is_same<testing::internal::SetUpTestSuiteFunc, SuiteHook>::value,
    "GoogleTest's SetUpTestSuiteFunc is not void(*)()");

testing::internal::UnitTestImpl* Impl() {
  return testing::internal::GetUnitTestImpl();
}

}  // namespace

testing::internal::TestFactoryBase* SwapTestFactory(
    testing::TestInfo* test, testing::internal::TestFactoryBase* factory) {
  // factory_ is declared const but never relied upon as such: TestInfo::Run
  // reads it anew each time it creates a fixture.
  auto& slot = const_cast<testing::internal::TestFactoryBase*&>(
      test->*Get(TestInfoFactory()));
  std::swap(slot, factory);
  return factory;
}

void SwapSuiteHooks(testing::TestSuite* suite, SuiteHook* set_up,
                    SuiteHook* tear_down) {
  std::swap(suite->*Get(SuiteSetUp()), *set_up);
  std::swap(suite->*Get(SuiteTearDown()), *tear_down);
}

void SetTestTimes(const testing::TestInfo& test, int64_t start_ms,
                  int64_t elapsed_ms) {
  auto& result = const_cast<testing::TestInfo&>(test).*Get(TestInfoResult());
  result.*Get(ResultStart()) = start_ms;
  result.*Get(ResultElapsed()) = elapsed_ms;
}

void SetSuiteTimes(const testing::TestSuite& suite, int64_t start_ms,
                   int64_t elapsed_ms) {
  auto& mutable_suite = const_cast<testing::TestSuite&>(suite);
  mutable_suite.*Get(SuiteStart()) = start_ms;
  mutable_suite.*Get(SuiteElapsed()) = elapsed_ms;
}

void SetShouldRun(testing::TestInfo* test, bool should_run) {
  test->*Get(TestInfoShouldRun()) = should_run;
}

void SetShouldRun(testing::TestSuite* suite, bool should_run) {
  suite->*Get(SuiteShouldRun()) = should_run;
}

void RunSuite(testing::TestSuite* suite) { (suite->*Get(SuiteRun()))(); }

std::vector<std::vector<testing::TestInfo*>> RunOrders() {
  testing::UnitTest* unit_test = testing::UnitTest::GetInstance();
  std::vector<std::vector<testing::TestInfo*>> orders;
  orders.reserve(unit_test->total_test_suite_count());
  // Nobody hears the events of these runs.
  testing::TestEventListeners silent;
  SwapRepeaters(&silent);
  for (int s = 0; s < unit_test->total_test_suite_count(); ++s) {
    auto* suite = const_cast<testing::TestSuite*>(unit_test->GetTestSuite(s));
    std::vector<testing::TestInfo*>& tests = suite->*Get(SuiteTests());
    const std::vector<testing::TestInfo*> registered = tests;
    std::vector<char> selected(registered.size());
    for (size_t i = 0; i < registered.size(); ++i) {
      selected[i] = registered[i]->*Get(TestInfoShouldRun());
      SetShouldRun(registered[i], false);
    }
    const bool suite_selected = suite->*Get(SuiteShouldRun());
    SetShouldRun(suite, true);
    SuiteHook set_up = nullptr, tear_down = nullptr;
    SwapSuiteHooks(suite, &set_up, &tear_down);
    const testing::TimeInMillis start = suite->*Get(SuiteStart());
    const testing::TimeInMillis elapsed = suite->*Get(SuiteElapsed());

    RunSuite(suite);
    orders.push_back(tests);

    tests = registered;
    SetSuiteTimes(*suite, start, elapsed);
    SwapSuiteHooks(suite, &set_up, &tear_down);
    SetShouldRun(suite, suite_selected);
    for (size_t i = 0; i < registered.size(); ++i) {
      SetShouldRun(registered[i], selected[i] != 0);
    }
  }
  SwapRepeaters(&silent);
  return orders;
}

void ReverseTestOrder(testing::TestSuite* suite) {
  std::vector<int>& order = suite->*Get(SuiteTestOrder());
  std::iota(order.rbegin(), order.rend(), 0);
}

const std::vector<int>& TestOrder(const testing::TestSuite& suite) {
  return const_cast<testing::TestSuite&>(suite).*Get(SuiteTestOrder());
}

void ClearSuiteResults(testing::TestSuite* suite) {
  (suite->*Get(SuiteClearResult()))();
}

std::vector<testing::Environment*>& Environments() {
  return Impl()->environments();
}

void ShuffleTests(int seed) {
  Impl()->random()->Reseed(static_cast<uint32_t>(seed));
  Impl()->ShuffleTests();
}

void UnshuffleTests() { Impl()->UnshuffleTests(); }

int NextRandomSeed(int seed) {
  return testing::internal::GetNextRandomSeed(seed);
}

void ApplyCatchExceptionsFlag() {
  (Impl()->*Get(ImplSetCatchExceptions()))(GTEST_FLAG_GET(catch_exceptions));
}

void ReportTestPart(testing::TestPartResult::Type type, const char* file,
                    int line, const std::string& message) {
  // No file is an empty name (1.18 takes a string_view, which a null
  // pointer is not).
  Impl()->GetTestPartResultReporterForCurrentThread()->ReportTestPartResult(
      testing::TestPartResult(type, file == nullptr ? "" : file, line,
                              message.c_str()));
}

void AddTestProperty(const testing::TestInfo& test, const std::string& key,
                     const std::string& value) {
  testing::TestInfo& info = const_cast<testing::TestInfo&>(test);
  testing::internal::TestResultAccessor::RecordProperty(
      &(info.*Get(TestInfoResult())), "testcase",
      testing::TestProperty(key, value));
}

void ClearCurrentTestParts() {
  testing::TestResult* result = Impl()->current_test_result();
  if (result != nullptr) {
    testing::internal::TestResultAccessor::ClearTestPartResults(result);
  }
}

void MarkRunStart() {
  Impl()->*Get(ImplStart()) = testing::internal::GetTimeInMillis();
}

bool HelpRequested() { return testing::internal::g_help_flag; }

bool InDeathTestChild() {
#if GTEST_HAS_DEATH_TEST
  return Impl()->internal_run_death_test_flag() != nullptr;
#else
  return false;
#endif
}

void SwapRepeaters(testing::TestEventListeners* other) {
  std::swap(
      testing::UnitTest::GetInstance()->listeners().*Get(ListenersRepeater()),
      other->*Get(ListenersRepeater()));
}

testing::TestEventListener* RepeaterOf(testing::TestEventListeners* listeners) {
  return (listeners->*Get(ListenersRepeaterFn()))();
}

bool ConsoleInColor() {
  namespace posix = testing::internal::posix;
  return testing::internal::ShouldUseColor(
      posix::IsATTY(posix::FileNo(stdout)) != 0);
}

void RestoreDefaultResultPrinter(testing::TestEventListener* printer) {
  testing::TestEventListeners& listeners =
      testing::UnitTest::GetInstance()->listeners();
  listeners.Append(printer);
  listeners.*Get(ListenersDefaultPrinter()) = printer;
}

}  // namespace internal
}  // namespace gtest_parallel
