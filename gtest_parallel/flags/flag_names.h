// Which command-line flags and environment variables are gtest_parallel's,
// and the nearest known name for a misspelt one.
#ifndef GTEST_PARALLEL_FLAG_NAMES_H_
#define GTEST_PARALLEL_FLAG_NAMES_H_

#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// Of the names in `known` that `typed` looks like a misspelling of (at most
// two edits, or three at the end: retry for retries), the nearest (the
// first of equals); empty if none.
std::string Nearest(const std::string& typed,
                    const std::vector<std::string>& known);

// Whether `name` (a flag's, without dashes) looks like a misspelling of one
// of `ours` (our flags' names) and is not one of GoogleTest's:
// "gtest_par..." (gtest_paralel, gtest_parralel), or near one of ours.
// Dashes count as underscores (gtest-parallel).
bool IsMisspeltFlag(std::string name, const std::vector<std::string>& ours);

// Checks the variable `names`: false, with an `error` suggesting the
// nearest, for the first that looks like a misspelling of GTEST_PARALLEL or
// of one of `settings` (our settings' variables). GTEST_PARALLEL, the
// settings, our variables that are not settings (GTEST_PARALLEL_WORKER,
// GTEST_PARALLEL_DB_<ALIAS>, ...) and anything not close to a setting's
// name pass.
bool CheckVariableNames(const std::vector<std::string>& names,
                        const std::vector<std::string>& settings,
                        std::string* error);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_FLAG_NAMES_H_
