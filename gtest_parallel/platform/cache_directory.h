// Where gtest_parallel keeps files between runs: test timings and the
// markers of kept database templates.
#ifndef GTEST_PARALLEL_CACHE_DIRECTORY_H_
#define GTEST_PARALLEL_CACHE_DIRECTORY_H_

#include <string>

namespace gtest_parallel {
namespace internal {

// "$XDG_CACHE_HOME/gtest_parallel", else (on Windows)
// "%LOCALAPPDATA%/gtest_parallel", else "$HOME/.cache/gtest_parallel"; ""
// when none of these variables is set.
std::string CacheDirectory();

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_CACHE_DIRECTORY_H_
