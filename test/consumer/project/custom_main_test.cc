// A consumer test program with its own main(): it registers a global test
// environment and runs the tests through gtest_parallel's API.
#include <gtest/gtest.h>
#include <gtest_parallel/gtest_parallel.h>

#include <string>

namespace {

// Set by the environment; global environments run in every worker.
bool environment_ready = false;

class ReadyEnvironment : public testing::Environment {
 public:
  void SetUp() override { environment_ready = true; }
  void TearDown() override { environment_ready = false; }
};

TEST(CustomMainTest, EnvironmentIsSetUp) { EXPECT_TRUE(environment_ready); }

TEST(CustomMainTest, StringsConcatenate) {
  EXPECT_EQ(std::string("gtest") + "_parallel", "gtest_parallel");
}

}  // namespace

int main(int argc, char** argv) {
  gtest_parallel::InitGoogleTest(&argc, argv);
  testing::AddGlobalTestEnvironment(new ReadyEnvironment);
  return gtest_parallel::RunAllTests();
}
