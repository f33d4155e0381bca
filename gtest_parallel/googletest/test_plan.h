// The registered tests, numbered the same way in the coordinator and in
// every worker.
//
// A test's id is its position in the order GoogleTest runs the tests
// unshuffled (suite by suite, see RunOrders in gtest_access.h), which is
// the same in every process started from the same executable. The
// fingerprint lets a worker prove it sees the same list.
#ifndef GTEST_PARALLEL_TEST_PLAN_H_
#define GTEST_PARALLEL_TEST_PLAN_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace gtest_parallel {
namespace internal {

// The suites and tests of this executable.
class TestPlan {
 public:
  // A suite in the order of one iteration, with the tests that will run.
  struct SuiteRun {
    int suite = 0;
    std::vector<int> tests;  // Ids, in the order GoogleTest runs them.
  };

  // Numbers the tests of UnitTest::GetInstance(). Call after
  // InitGoogleTest() and before RUN_ALL_TESTS() shuffles anything.
  static TestPlan Snapshot();

  int test_count() const { return static_cast<int>(tests_.size()); }
  int suite_count() const { return static_cast<int>(suites_.size()); }
  uint64_t fingerprint() const { return fingerprint_; }

  testing::TestInfo* test(int id) const { return tests_[id]; }
  testing::TestSuite* suite(int id) const { return suites_[id]; }
  int suite_of(int test_id) const { return suite_of_[test_id]; }
  // All tests of a suite, in the order GoogleTest runs them unshuffled.
  const std::vector<int>& tests_of(int suite_id) const {
    return suite_tests_[suite_id];
  }
  // "Suite.Name" of a test.
  std::string FullName(int test_id) const;
  // The same into `name`, reusing its storage.
  void FullName(int test_id, std::string* name) const;

  // -1 for a test not in the plan. From one thread at a time (it keeps
  // its last answer as the next guess); `hint` is a better guess, if any.
  int IdOf(const testing::TestInfo* test, int hint = -1) const;
  int IdOf(const testing::TestSuite* suite) const;

  // The tests GoogleTest will run in the current iteration, in its current
  // (possibly shuffled) order. Valid from OnTestIterationStart on.
  std::vector<SuiteRun> CurrentRuns() const;

  // What CurrentRuns() will be in an iteration that GoogleTest neither
  // filters (--gtest_filter=*), shards nor shuffles: every test in
  // run order, less the disabled ones unless they run too.
  std::vector<SuiteRun> UnfilteredRuns(bool also_run_disabled) const;

 private:
  std::vector<testing::TestInfo*> tests_;
  std::vector<testing::TestSuite*> suites_;
  std::vector<int> suite_of_;
  std::vector<std::vector<int>> suite_tests_;
  // Made on the first question the guesses below do not answer.
  mutable std::unordered_map<const testing::TestInfo*, int> test_ids_;
  // The last id IdOf found: tests are mostly asked for in order.
  mutable int last_id_ = 0;
  std::unordered_map<const testing::TestSuite*, int> suite_ids_;
  uint64_t fingerprint_ = 0;
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_TEST_PLAN_H_
