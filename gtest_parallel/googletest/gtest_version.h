// What differs between the GoogleTest versions gtest_parallel supports
// (1.11.0 and later), in one place.
//
// GTEST_PARALLEL_GTEST_VERSION is the linked GoogleTest's version as
// major * 10000 + minor * 100 + patch (1.17.0: 11700), set by CMake (see
// cmake/GtestParallelGoogleTest.cmake) for gtest_parallel's own sources.
#ifndef GTEST_PARALLEL_GTEST_VERSION_H_
#define GTEST_PARALLEL_GTEST_VERSION_H_

#include <gtest/gtest.h>

#include <cstdlib>

#ifndef GTEST_PARALLEL_GTEST_VERSION
#error "GTEST_PARALLEL_GTEST_VERSION must name the GoogleTest version"
#endif

// GoogleTest 1.11 reads and writes its flags through GTEST_FLAG(name) only.
#ifndef GTEST_FLAG_GET
#define GTEST_FLAG_GET(name) ::testing::GTEST_FLAG(name)
#define GTEST_FLAG_SET(name, value) (void)(::testing::GTEST_FLAG(name) = value)
#endif

// TestEventListener::OnTestDisabled exists since GoogleTest 1.12.
#define GTEST_PARALLEL_HAS_ON_TEST_DISABLED \
  (GTEST_PARALLEL_GTEST_VERSION >= 11200)

namespace gtest_parallel {
namespace internal {

// Whether the global environments are set up again for every iteration of
// --gtest_repeat (GoogleTest 1.11 always does; later ones when
// --gtest_recreate_environments_when_repeating says so).
inline bool RecreateEnvironmentsWhenRepeating() {
#if GTEST_PARALLEL_GTEST_VERSION >= 11200
  return GTEST_FLAG_GET(recreate_environments_when_repeating);
#else
  return true;
#endif
}

// Whether GoogleTest will shard the tests: GTEST_TOTAL_SHARDS or
// GTEST_SHARD_INDEX in the environment, or since GoogleTest 1.18 the flags
// --gtest_total_shards and --gtest_shard_index.
inline bool ShardingRequested() {
#if GTEST_PARALLEL_GTEST_VERSION >= 11800
  return GTEST_FLAG_GET(total_shards) != -1 ||
         GTEST_FLAG_GET(shard_index) != -1;
#else
  return std::getenv("GTEST_TOTAL_SHARDS") != nullptr ||
         std::getenv("GTEST_SHARD_INDEX") != nullptr;
#endif
}

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_GTEST_VERSION_H_
