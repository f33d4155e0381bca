// The stand-ins the coordinator puts in the place of every fixture, suite
// set-up and tear-down and global environment (stand_ins.h).
#include "coordinator/stand_ins.h"

#include "coordinator/replay.h"

namespace gtest_parallel {
namespace internal {
namespace {

Replay* g_replay = nullptr;

// Takes the place of every fixture: its body re-raises the test's record.
class StandIn : public testing::Test {
 public:
  void TestBody() override {
    g_replay->ReplayTest(
        *testing::UnitTest::GetInstance()->current_test_info());
  }
};

// One factory serves every stand-in. GoogleTest deletes a test's factory
// with the test, which it does at exit should the program end while a
// suite is replayed: deleting this one does nothing, however often.
class StandInFactory : public testing::internal::TestFactoryBase {
 public:
  testing::Test* CreateTest() override { return new StandIn; }
  static void operator delete(void*) {}

  static StandInFactory* Get() {
    static StandInFactory* const factory = new StandInFactory;
    return factory;
  }
};

void SuiteSetUpHook() {
  g_replay->ReplaySuiteSetUp(
      *testing::UnitTest::GetInstance()->current_test_suite());
}

void SuiteTearDownHook() {
  g_replay->ReplaySuiteTearDown(
      *testing::UnitTest::GetInstance()->current_test_suite());
}

// Takes the place of the global environments, which run in the workers.
class ReplayEnvironment : public testing::Environment {
 public:
  void SetUp() override { g_replay->ReplayEnvSetUp(); }
  void TearDown() override { g_replay->ReplayEnvTearDown(); }
};

}  // namespace

void SetStandInTarget(Replay* replay) { g_replay = replay; }

testing::internal::TestFactoryBase* StandInTestFactory() {
  return StandInFactory::Get();
}

SuiteHook SuiteSetUpStandIn() { return &SuiteSetUpHook; }

SuiteHook SuiteTearDownStandIn() { return &SuiteTearDownHook; }

testing::Environment* NewEnvironmentStandIn() { return new ReplayEnvironment; }

}  // namespace internal
}  // namespace gtest_parallel
