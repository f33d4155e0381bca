// The coordinator's stand-ins: what GoogleTest runs in the coordinator in
// place of the program's code, which runs in the workers. Every test's
// fixture factory makes a test whose body is Replay::ReplayTest; every
// suite's SetUpTestSuite/TearDownTestSuite and the global environments
// replay their records the same way. They call the Replay set with
// SetStandInTarget (GoogleTest gives them no other way to find it).
#ifndef GTEST_PARALLEL_COORDINATOR_STAND_INS_H_
#define GTEST_PARALLEL_COORDINATOR_STAND_INS_H_

#include <gtest/gtest.h>

#include "googletest/gtest_access.h"

namespace gtest_parallel {
namespace internal {

class Replay;

// The Replay the stand-ins report to; null when none is installed.
void SetStandInTarget(Replay* replay);
// The one factory of every test's stand-in (deleting it does nothing).
testing::internal::TestFactoryBase* StandInTestFactory();
// The stand-ins of every suite's SetUpTestSuite and TearDownTestSuite.
SuiteHook SuiteSetUpStandIn();
SuiteHook SuiteTearDownStandIn();
// A new stand-in of the global environments, for Environments().
testing::Environment* NewEnvironmentStandIn();

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_COORDINATOR_STAND_INS_H_
