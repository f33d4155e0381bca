// Which command-line flags and environment variables are gtest_parallel's,
// and the nearest known name for a misspelt one.
#include "flags/flag_names.h"

#include <algorithm>
#include <cstddef>

#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

// GoogleTest's flags in every version, after "gtest_": never ours, however
// close to one of ours they are; nor are "gtest_internal_*".
constexpr const char* kGoogleTestFlags[] = {
    "also_run_disabled_tests",
    "break_on_failure",
    "brief",
    "catch_exceptions",
    "color",
    "death_test_style",
    "death_test_use_fork",
    "fail_fast",
    "fail_if_no_test_linked",
    "fail_if_no_test_selected",
    "filter",
    "flagfile",
    "help",
    "install_failure_signal_handler",
    "list_tests",
    "output",
    "print_time",
    "print_utf8",
    "random_seed",
    "recreate_environments_when_repeating",
    "repeat",
    "show_internal_stack_frames",
    "shuffle",
    "stack_trace_depth",
    "stream_result_to",
    "throw_on_failure",
};

// Our variables that are not settings, which no check complains about: set
// for the workers and the tests, by the backends, and by our own tests.
constexpr const char* kOtherVariables[] = {
    "GTEST_PARALLEL_WORKER",
    "GTEST_PARALLEL_WORKERS",
    kChannelVariable,
    kCoordinatorVariable,
    kAloneVariable,
    kSharedTmpVariable,
    "GTEST_PARALLEL_SQLITE_DATABASE",
};
constexpr const char* kOtherVariablePrefixes[] = {
    "GTEST_PARALLEL_DB_",
    "GTEST_PARALLEL_DATABASE_",
    "GTEST_PARALLEL_SQLITE_DATABASE_",
    "GTEST_PARALLEL_TEST_",
    "GTEST_PARALLEL_TESTING_",
    "GTEST_PARALLEL_E2E_",
    "GTEST_PARALLEL_FIXTURE_",
    "GTEST_PARALLEL_SANITIZER",
};

// The Damerau-Levenshtein distance of `a` and `b` (optimal string
// alignment): insertions, deletions, substitutions and swaps of neighbours.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Whether `typed` looks like a misspelling of `known`: at most two edits,
// or three at the end, after all but known's last three letters (retry for
// retries, parallelism for parallel).
bool IsNear(const std::string& typed, const std::string& known) {
  const size_t distance = EditDistance(typed, known);
  if (distance <= 2) return true;
  size_t common = 0;
  while (common < typed.size() && common < known.size() &&
         typed[common] == known[common]) {
    ++common;
  }
  return distance == 3 && common + 3 >= known.size();
}

// Whether `name` (a flag's, without dashes) is one of GoogleTest's.
bool IsGoogleTestFlag(const std::string& name) {
  const std::string prefix = "gtest_";
  if (name.rfind(prefix, 0) != 0) return false;
  const std::string rest = name.substr(prefix.size());
  if (rest.rfind("internal_", 0) == 0) return true;
  for (const char* flag : kGoogleTestFlags) {
    if (rest == flag) return true;
  }
  return false;
}

// Whether `name` is one of our variables: GTEST_PARALLEL, one of
// `settings` or one of the others.
bool IsOurVariable(const std::string& name,
                   const std::vector<std::string>& settings) {
  if (name == "GTEST_PARALLEL") return true;
  for (const std::string& setting : settings) {
    if (name == setting) return true;
  }
  for (const char* other : kOtherVariables) {
    if (name == other) return true;
  }
  for (const char* prefix : kOtherVariablePrefixes) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::string Nearest(const std::string& typed,
                    const std::vector<std::string>& known) {
  std::string nearest;
  size_t best = std::string::npos;
  for (const std::string& name : known) {
    const size_t distance = EditDistance(typed, name);
    if (distance < best && IsNear(typed, name)) {
      best = distance;
      nearest = name;
    }
  }
  return nearest;
}

bool IsMisspeltFlag(std::string name, const std::vector<std::string>& ours) {
  std::replace(name.begin(), name.end(), '-', '_');
  if (name.rfind("gtest_", 0) != 0 || IsGoogleTestFlag(name)) return false;
  if (name.rfind("gtest_par", 0) == 0) return true;
  for (const std::string& flag : ours) {
    if (IsNear(name, flag)) return true;
  }
  return false;
}

bool CheckVariableNames(const std::vector<std::string>& names,
                        const std::vector<std::string>& settings,
                        std::string* error) {
  for (const std::string& name : names) {
    if (name.rfind("GTEST_PARAL", 0) != 0 || IsOurVariable(name, settings))
      continue;
    std::vector<std::string> candidates = settings;
    // GTEST_PARALLEL_X is some other variable, not a misspelt GTEST_PARALLEL.
    if (name.rfind("GTEST_PARALLEL_", 0) != 0) {
      candidates.push_back("GTEST_PARALLEL");
    }
    const std::string nearest = Nearest(name, candidates);
    if (!nearest.empty()) {
      *error = "unknown environment variable " + name + "; did you mean " +
               nearest + "?";
      return false;
    }
  }
  return true;
}

}  // namespace internal
}  // namespace gtest_parallel
