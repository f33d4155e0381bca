// Ordinary GoogleTest tests of a consumer project, linked with
// gtest_parallel::main: a plain test, a fixture with a suite-level set-up,
// parameterized tests, and a check of the worker identity.
#include <gtest/gtest.h>
#include <gtest_parallel/gtest_parallel.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

namespace {

int Gcd(int a, int b) { return b == 0 ? a : Gcd(b, a % b); }

TEST(ArithmeticTest, GreatestCommonDivisor) {
  EXPECT_EQ(Gcd(12, 18), 6);
  EXPECT_EQ(Gcd(17, 5), 1);
  EXPECT_EQ(Gcd(0, 9), 9);
}

TEST(ArithmeticTest, Accumulate) {
  const std::vector<int> values = {1, 2, 3, 4, 5};
  EXPECT_EQ(std::accumulate(values.begin(), values.end(), 0), 15);
}

class SharedTableTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    table_ = new std::vector<std::string>{"alpha", "beta", "gamma"};
  }
  static void TearDownTestSuite() {
    delete table_;
    table_ = nullptr;
  }
  static std::vector<std::string>* table_;
};

std::vector<std::string>* SharedTableTest::table_ = nullptr;

TEST_F(SharedTableTest, HasThreeRows) {
  ASSERT_NE(table_, nullptr);
  EXPECT_EQ(table_->size(), 3u);
}

TEST_F(SharedTableTest, RowsAreSorted) {
  ASSERT_NE(table_, nullptr);
  EXPECT_TRUE(std::is_sorted(table_->begin(), table_->end()));
}

class SquareTest : public testing::TestWithParam<int> {};

TEST_P(SquareTest, IsNotNegative) {
  const int n = GetParam();
  EXPECT_GE(n * n, 0);
}

INSTANTIATE_TEST_SUITE_P(Small, SquareTest, testing::Values(-3, 0, 4, 9));

// In a worker, WorkerId()/WorkerCount() agree with the environment; in a
// serial run both are 0.
TEST(WorkerTest, IdentityMatchesEnvironment) {
  const int id = gtest_parallel::WorkerId();
  const int count = gtest_parallel::WorkerCount();
  if (count == 0) {
    EXPECT_EQ(id, 0);
    return;
  }
  EXPECT_GE(id, 1);
  EXPECT_LE(id, count);
  const char* worker = std::getenv("GTEST_PARALLEL_WORKER");
  const char* workers = std::getenv("GTEST_PARALLEL_WORKERS");
  ASSERT_NE(worker, nullptr);
  ASSERT_NE(workers, nullptr);
  EXPECT_EQ(std::string(worker), std::to_string(id));
  EXPECT_EQ(std::string(workers), std::to_string(count));
}

}  // namespace
