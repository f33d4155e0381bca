// Helpers of the backend tests: the URLs of the servers started by
// scripts/start-databases.sh, fresh run tokens, and status assertions.
#ifndef GTEST_PARALLEL_BACKENDS_TESTS_TEST_SUPPORT_H_
#define GTEST_PARALLEL_BACKENDS_TESTS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/backend.h"

namespace gtest_parallel::testing_support {

// The URL in environment variable `variable` (e.g.
// GTEST_PARALLEL_TEST_PG_URL), else from the env file that
// scripts/start-databases.sh writes; "" after recording a test failure
// that says to run that script.
std::string ServerUrl(const std::string& variable);

// The password of url ("" for none), to check that messages hide it.
std::string PasswordOf(const std::string& url);

// A token of this process, with a sequence number not used before.
std::string FreshToken();

// The backend's databases minus those of other live runs (which other
// tests may create and drop at any time).
std::vector<std::string> OwnDatabases(Backend& backend);

// A fresh private directory under $TMPDIR (removed by RemoveTree).
std::string MakeTempDirectory();
// The URL of a backend under test: the server's, from `url_variable`
// (ServerUrl); for SQLite (url_variable empty) "sqlite::memory:" or a file
// in a fresh directory, which *directory is set to.
std::string TargetUrl(const std::string& url_variable, bool memory,
                      std::string* directory);
// Removes a directory and everything in it.
void RemoveTree(const std::string& path);
// Names of the entries of a directory, sorted.
std::vector<std::string> ListDirectory(const std::string& path);

// Runs argv[0] (searched in PATH) with extra environment variables and
// returns its standard output; *exit_code gets its exit status (-1 when it
// did not exit normally). A test_support::RunProcess (test/support): the
// environment is scrubbed as for the end-to-end tests' children, stdin is
// /dev/null, stderr is copied to this process's, and a program still
// running after two minutes is killed.
std::string RunProgram(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& environment,
    int* exit_code);

// Milliseconds since start.
double MillisecondsSince(const std::chrono::steady_clock::time_point& start);

}  // namespace gtest_parallel::testing_support

// Asserts that a Status is ok, printing it otherwise.
#define ASSERT_OK(expression)                                               \
  do {                                                                      \
    ::gtest_parallel::Status status_ = (expression);                        \
    ASSERT_TRUE(status_.ok()) << #expression << ": " << status_.ToString(); \
  } while (false)

// Expects that a Status is ok, printing it otherwise.
#define EXPECT_OK(expression)                                               \
  do {                                                                      \
    ::gtest_parallel::Status status_ = (expression);                        \
    EXPECT_TRUE(status_.ok()) << #expression << ": " << status_.ToString(); \
  } while (false)

#endif  // GTEST_PARALLEL_BACKENDS_TESTS_TEST_SUPPORT_H_
