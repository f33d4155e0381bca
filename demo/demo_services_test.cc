// Demo tests (see demo_test.cc) of code that waits or computes: a slow
// inventory service, retries with back-off, a prime sieve, a bounded stack
// for several element types, and report jobs reading a slow data source.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "demo_util.h"

namespace {

using demo::SimulateLatency;
using demo::Split;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------
// A slow inventory service (every call costs a round trip).

class InventoryService {
 public:
  explicit InventoryService(int latency_ms) : latency_ms_(latency_ms) {}

  void Restock(const std::string& sku, int quantity) {
    SimulateLatency(latency_ms_);
    stock_[sku] += quantity;
  }

  bool Reserve(const std::string& sku, int quantity) {
    SimulateLatency(latency_ms_);
    auto it = stock_.find(sku);
    if (it == stock_.end() || it->second < quantity) return false;
    it->second -= quantity;
    return true;
  }

  int Available(const std::string& sku) const {
    SimulateLatency(latency_ms_);
    auto it = stock_.find(sku);
    return it == stock_.end() ? 0 : it->second;
  }

 private:
  int latency_ms_;
  std::map<std::string, int> stock_;
};

class InventoryServiceTest : public testing::Test {
 protected:
  // Connecting to the service is slow: done once per suite (and per worker).
  static void SetUpTestSuite() { SimulateLatency(40); }

  void SetUp() override {
    service_.Restock("apple", 10);
    service_.Restock("pear", 3);
  }

  InventoryService service_{10};
};

TEST_F(InventoryServiceTest, ReportsRestockedQuantity) {
  EXPECT_EQ(service_.Available("apple"), 10);
}

TEST_F(InventoryServiceTest, UnknownItemIsUnavailable) {
  EXPECT_EQ(service_.Available("durian"), 0);
}

TEST_F(InventoryServiceTest, ReservationReducesStock) {
  ASSERT_TRUE(service_.Reserve("apple", 4));
  EXPECT_EQ(service_.Available("apple"), 6);
}

TEST_F(InventoryServiceTest, RefusesToOversell) {
  EXPECT_FALSE(service_.Reserve("pear", 4));
  EXPECT_EQ(service_.Available("pear"), 3);
}

TEST_F(InventoryServiceTest, RestockAddsUp) {
  service_.Restock("pear", 7);
  EXPECT_EQ(service_.Available("pear"), 10);
}

TEST_F(InventoryServiceTest, ReservesWholeStock) {
  EXPECT_TRUE(service_.Reserve("pear", 3));
  EXPECT_FALSE(service_.Reserve("pear", 1));
}

// ---------------------------------------------------------------------------
// Retrying a flaky operation with exponential back-off.

struct RetryPolicy {
  int attempts = 3;
  int initial_delay_ms = 5;
  double multiplier = 2.0;
};

// Calls `operation` until it succeeds or the attempts are used up; returns
// the number of calls made, or -1 when it never succeeded.
template <typename Operation>
int RetryWithBackoff(const RetryPolicy& policy, Operation operation) {
  double delay = policy.initial_delay_ms;
  for (int attempt = 1; attempt <= policy.attempts; ++attempt) {
    if (operation()) return attempt;
    if (attempt < policy.attempts) {
      SimulateLatency(static_cast<int>(delay));
      delay *= policy.multiplier;
    }
  }
  return -1;
}

TEST(RetryPolicyTest, SucceedsFirstTime) {
  EXPECT_EQ(RetryWithBackoff(RetryPolicy{}, [] { return true; }), 1);
}

TEST(RetryPolicyTest, RetriesUntilSuccess) {
  int calls = 0;
  EXPECT_EQ(
      RetryWithBackoff(RetryPolicy{5, 5, 2.0}, [&] { return ++calls == 4; }),
      4);
}

TEST(RetryPolicyTest, GivesUpAfterLastAttempt) {
  int calls = 0;
  EXPECT_EQ(RetryWithBackoff(RetryPolicy{4, 5, 2.0},
                             [&] {
                               ++calls;
                               return false;
                             }),
            -1);
  EXPECT_EQ(calls, 4);
}

TEST(RetryPolicyTest, BacksOffExponentially) {
  const auto start = std::chrono::steady_clock::now();
  RetryWithBackoff(RetryPolicy{4, 5, 2.0}, [] { return false; });
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, milliseconds(5 + 10 + 20));
}

// ---------------------------------------------------------------------------
// A prime sieve (CPU-bound).

std::vector<int> PrimesUpTo(int limit) {
  std::vector<bool> composite(static_cast<size_t>(limit) + 1, false);
  std::vector<int> primes;
  for (int n = 2; n <= limit; ++n) {
    if (composite[n]) continue;
    primes.push_back(n);
    for (long long m = static_cast<long long>(n) * n; m <= limit; m += n) {
      composite[static_cast<size_t>(m)] = true;
    }
  }
  return primes;
}

TEST(PrimeSieveTest, SmallPrimes) {
  EXPECT_EQ(PrimesUpTo(20), (std::vector<int>{2, 3, 5, 7, 11, 13, 17, 19}));
}

TEST(PrimeSieveTest, CountsPrimesBelowOneMillion) {
  EXPECT_EQ(PrimesUpTo(1000000).size(), 78498u);
}

TEST(PrimeSieveTest, CountsPrimesBelowTenMillion) {
  EXPECT_EQ(PrimesUpTo(10000000).size(), 664579u);
}

TEST(PrimeSieveTest, NoPrimesBelowTwo) { EXPECT_TRUE(PrimesUpTo(1).empty()); }

// ---------------------------------------------------------------------------
// A bounded stack, tested for several element types.

template <typename T>
class BoundedStack {
 public:
  explicit BoundedStack(size_t capacity) : capacity_(capacity) {}
  bool Push(T value) {
    if (items_.size() == capacity_) return false;
    items_.push_back(std::move(value));
    return true;
  }
  std::optional<T> Pop() {
    if (items_.empty()) return std::nullopt;
    T value = std::move(items_.back());
    items_.pop_back();
    return value;
  }
  size_t size() const { return items_.size(); }

 private:
  size_t capacity_;
  std::vector<T> items_;
};

template <typename T>
T SampleValue(int i);
template <>
int SampleValue<int>(int i) {
  return i * 7;
}
template <>
double SampleValue<double>(int i) {
  return i + 0.25;
}
template <>
std::string SampleValue<std::string>(int i) {
  return "item-" + std::to_string(i);
}

template <typename T>
class BoundedStackTest : public testing::Test {
 protected:
  BoundedStack<T> stack_{2};
};

using StackTypes = testing::Types<int, double, std::string>;
TYPED_TEST_SUITE(BoundedStackTest, StackTypes);

TYPED_TEST(BoundedStackTest, PopsInReverseOrder) {
  ASSERT_TRUE(this->stack_.Push(SampleValue<TypeParam>(1)));
  ASSERT_TRUE(this->stack_.Push(SampleValue<TypeParam>(2)));
  EXPECT_EQ(this->stack_.Pop(), SampleValue<TypeParam>(2));
  EXPECT_EQ(this->stack_.Pop(), SampleValue<TypeParam>(1));
}

TYPED_TEST(BoundedStackTest, RefusesPushWhenFull) {
  this->stack_.Push(SampleValue<TypeParam>(1));
  this->stack_.Push(SampleValue<TypeParam>(2));
  EXPECT_FALSE(this->stack_.Push(SampleValue<TypeParam>(3)));
  EXPECT_EQ(this->stack_.size(), 2u);
}

TYPED_TEST(BoundedStackTest, PopOnEmptyIsNothing) {
  EXPECT_FALSE(this->stack_.Pop().has_value());
}

// ---------------------------------------------------------------------------
// Report jobs: each renders a report from a slow data source.

class ReportJobTest : public testing::TestWithParam<int> {};

TEST_P(ReportJobTest, RendersAllRows) {
  const int rows = GetParam();
  std::ostringstream report;
  for (int row = 0; row < rows; ++row) {
    if (row % 10 == 0) SimulateLatency(15);  // Fetch the next page of rows.
    report << "row " << row << '\n';
  }
  EXPECT_EQ(static_cast<int>(Split(report.str(), '\n').size()), rows + 1);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ReportJobTest,
                         testing::Values(40, 60, 80, 100, 120));

}  // namespace
