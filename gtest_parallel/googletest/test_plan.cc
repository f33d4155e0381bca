// Numbering of the registered tests (see test_plan.h).
#include "googletest/test_plan.h"

#include <cstring>

#include "googletest/gtest_access.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Mixes a name into `hash`, eight bytes at a time (a multiply-xorshift
// hash): enough to tell two test lists apart, and cheap for the ten
// thousands of names every process of a run hashes at start.
void Mix(const char* text, uint64_t* hash) {
  constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;
  size_t size = std::strlen(text);
  uint64_t h = *hash ^ size;
  for (; size >= 8; text += 8, size -= 8) {
    uint64_t word;
    std::memcpy(&word, text, 8);
    h = (h ^ word) * kMultiplier;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, text, size);
  h = (h ^ tail) * kMultiplier;
  *hash = h ^ (h >> 32);
}

// GoogleTest's rule: a test is disabled when its suite's or its own name
// matches "DISABLED_*:*/DISABLED_*".
bool Disabled(const char* name) {
  static constexpr char kPrefix[] = "DISABLED_";
  return std::strncmp(name, kPrefix, sizeof(kPrefix) - 1) == 0 ||
         std::strstr(name, "/DISABLED_") != nullptr;
}

}  // namespace

TestPlan TestPlan::Snapshot() {
  TestPlan plan;
  plan.fingerprint_ = 14695981039346656037ull;
  testing::UnitTest* unit_test = testing::UnitTest::GetInstance();
  const std::vector<std::vector<testing::TestInfo*>> orders = RunOrders();
  plan.tests_.reserve(unit_test->total_test_count());
  plan.suite_of_.reserve(unit_test->total_test_count());
  plan.suite_ids_.reserve(unit_test->total_test_suite_count());
  for (int s = 0; s < unit_test->total_test_suite_count(); ++s) {
    auto* suite = const_cast<testing::TestSuite*>(unit_test->GetTestSuite(s));
    plan.suite_ids_[suite] = s;
    plan.suites_.push_back(suite);
    plan.suite_tests_.emplace_back();
    plan.suite_tests_.back().reserve(orders[s].size());
    Mix(suite->name(), &plan.fingerprint_);
    for (testing::TestInfo* test : orders[s]) {
      const int id = static_cast<int>(plan.tests_.size());
      plan.tests_.push_back(test);
      plan.suite_of_.push_back(s);
      plan.suite_tests_.back().push_back(id);
      Mix(test->name(), &plan.fingerprint_);
    }
  }
  return plan;
}

std::string TestPlan::FullName(int test_id) const {
  std::string name;
  FullName(test_id, &name);
  return name;
}

void TestPlan::FullName(int test_id, std::string* name) const {
  const testing::TestInfo* info = tests_[test_id];
  name->assign(info->test_suite_name());
  name->push_back('.');
  name->append(info->name());
}

int TestPlan::IdOf(const testing::TestInfo* test, int hint) const {
  // The expected test, the same test again (its start, then its end) or the
  // next one: the usual questions, answered without hashing.
  for (int id : {hint, last_id_, last_id_ + 1}) {
    if (id >= 0 && id < test_count() && tests_[id] == test) {
      return last_id_ = id;
    }
  }
  if (test_ids_.empty()) {
    test_ids_.reserve(tests_.size());
    for (int id = 0; id < test_count(); ++id) test_ids_[tests_[id]] = id;
  }
  auto it = test_ids_.find(test);
  if (it == test_ids_.end()) return -1;
  return last_id_ = it->second;
}

int TestPlan::IdOf(const testing::TestSuite* suite) const {
  auto it = suite_ids_.find(suite);
  return it == suite_ids_.end() ? -1 : it->second;
}

std::vector<TestPlan::SuiteRun> TestPlan::CurrentRuns() const {
  std::vector<SuiteRun> runs;
  testing::UnitTest* unit_test = testing::UnitTest::GetInstance();
  for (int s = 0; s < unit_test->total_test_suite_count(); ++s) {
    const testing::TestSuite* suite = unit_test->GetTestSuite(s);
    if (!suite->should_run()) continue;
    SuiteRun run;
    run.suite = IdOf(suite);
    if (run.suite < 0) continue;  // Registered after the snapshot.
    // The i-th test GoogleTest runs is the one at position TestOrder[i] of
    // the plan's run order (the suite's own list may still be in
    // registration order before the suite first runs).
    const std::vector<int>& in_order = suite_tests_[run.suite];
    for (int position : TestOrder(*suite)) {
      if (position < 0 || static_cast<size_t>(position) >= in_order.size()) {
        continue;  // Registered after the snapshot.
      }
      const int id = in_order[position];
      if (tests_[id]->should_run()) run.tests.push_back(id);
    }
    if (!run.tests.empty()) runs.push_back(std::move(run));
  }
  return runs;
}

std::vector<TestPlan::SuiteRun> TestPlan::UnfilteredRuns(
    bool also_run_disabled) const {
  std::vector<SuiteRun> runs;
  for (int s = 0; s < suite_count(); ++s) {
    const bool suite_disabled = Disabled(suites_[s]->name());
    SuiteRun run;
    run.suite = s;
    for (int id : suite_tests_[s]) {
      if (also_run_disabled ||
          (!suite_disabled && !Disabled(tests_[id]->name()))) {
        run.tests.push_back(id);
      }
    }
    if (!run.tests.empty()) runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace internal
}  // namespace gtest_parallel
