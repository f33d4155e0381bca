// Fixture, built with sanitizers (test/faults/CMakeLists.txt): a test that
// leaks, one that overflows a signed integer, one that reads past a heap
// block (not in the ThreadSanitizer build), one with a data race (only in
// the ThreadSanitizer build), and 30 passing tests. Each report must
// fail the test that caused it, and only that one.
#include <gtest/gtest.h>

#include <climits>
#include <cstdlib>
#include <thread>

namespace {

class PassingTest : public testing::TestWithParam<int> {};

TEST_P(PassingTest, Works) { EXPECT_EQ(GetParam() * 2 / 2, GetParam()); }

INSTANTIATE_TEST_SUITE_P(P, PassingTest, testing::Range(0, 30));

void* volatile g_sink = nullptr;

TEST(Leak, LeaksMemory) {
  g_sink = std::malloc(48);
  g_sink = nullptr;
}

TEST(Leak, FreesMemory) {
  g_sink = std::malloc(48);
  std::free(g_sink);
  g_sink = nullptr;
}

// Runs after LeaksMemory on the same worker: the earlier leak is not its.
TEST(Leak, ComesAfterTheLeak) { EXPECT_EQ(g_sink, nullptr); }

TEST(Undefined, SignedOverflow) {
  volatile int big = INT_MAX;
  volatile int one = 1;
  const int sum = big + one;
  EXPECT_NE(sum, 0);
}

#if !defined(FIXTURE_THREAD_SANITIZER)
// AddressSanitizer stops the program here: the worker dies in the test.
TEST(Address, ReadsPastTheEnd) {
  int* numbers = static_cast<int*>(std::malloc(4 * sizeof(int)));
  const volatile int past_the_end = numbers[4];
  std::free(numbers);
  EXPECT_NE(past_the_end, 12345);
}
#endif

#if defined(FIXTURE_THREAD_SANITIZER)
int g_counter = 0;

TEST(Race, DataRace) {
  std::thread first([] { ++g_counter; });
  std::thread second([] { ++g_counter; });
  first.join();
  second.join();
  EXPECT_GT(g_counter, 0);
}
#endif

}  // namespace
