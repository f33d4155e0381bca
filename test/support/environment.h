// The environment of the child processes the end-to-end and fault tests
// start: this process's, minus every variable that could change how a
// GoogleTest program (or a test fixture) runs, plus what a test asks for.
#ifndef GTEST_PARALLEL_TEST_SUPPORT_ENVIRONMENT_H_
#define GTEST_PARALLEL_TEST_SUPPORT_ENVIRONMENT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace test_support {

// Changes to the environment of a child: a value sets the variable, nullopt
// removes it.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

// Whether children never inherit the variable `name` from this process:
// GTEST_* (GTEST_PARALLEL_* among them), TESTBRIDGE_*, the fixtures'
// switches FIXTURE_* and FAULTS_*, XML_OUTPUT_FILE, TEST_PREMATURE_EXIT_FILE
// and the TEST_SHARD_INDEX, TEST_TOTAL_SHARDS and TEST_SHARD_STATUS_FILE of
// sharding.
bool IsScrubbed(const std::string& name);

// This process's environment without the scrubbed variables, `changes`
// applied, as "NAME=VALUE" entries.
std::vector<std::string> ChildEnvironment(const EnvChanges& changes);

// "NAME=VALUE" entries as changes; the last entry for a name wins.
EnvChanges EnvAssignments(const std::vector<std::string>& entries);

}  // namespace test_support

#endif  // GTEST_PARALLEL_TEST_SUPPORT_ENVIRONMENT_H_
