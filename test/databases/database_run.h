// The base of the database end-to-end tests: a backend of one kind (SQLite
// file or in-memory, PostgreSQL, MariaDB), the server's database list
// before the test (compared after it: runs leave nothing behind), and runs
// of a fixture program against it that must not show a password or leave
// a process behind.
#ifndef GTEST_PARALLEL_TEST_DATABASES_DATABASE_RUN_H_
#define GTEST_PARALLEL_TEST_DATABASES_DATABASE_RUN_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"
#include "harness.h"
#include "test_support.h"

namespace database_run {

using faults::FixtureRun;
using faults::RunResult;
using gtest_parallel::Backend;
using gtest_parallel::testing_support::MakeTempDirectory;
using gtest_parallel::testing_support::OwnDatabases;
using gtest_parallel::testing_support::PasswordOf;
using gtest_parallel::testing_support::RemoveTree;
using gtest_parallel::testing_support::ServerUrl;

// Longest a fixture run may take.
constexpr double kRunSeconds = 120;

// Base class: a backend, the database list before the test, and runs of
// the fixture against a URL.
class DatabaseTestBase : public ::testing::Test {
 protected:
  void SetUpBackend(const std::string& kind) {
    kind_ = kind;
    cache_ = MakeTempDirectory();
    if (kind == "sqlite_file") {
      directory_ = MakeTempDirectory();
      url_ = "sqlite://" + directory_ + "/app.db";
    } else if (kind == "sqlite_memory") {
      url_ = "sqlite::memory:";
    } else if (kind == "postgresql") {
      url_ = ServerUrl("GTEST_PARALLEL_TEST_PG_URL");
    } else {
      url_ = ServerUrl("GTEST_PARALLEL_TEST_MARIADB_URL");
    }
    ASSERT_FALSE(url_.empty());
    const gtest_parallel::Status status = gtest_parallel::CreateBackend(
        url_, gtest_parallel::BackendOptions(), &backend_);
    ASSERT_TRUE(status.ok()) << status.ToString();
    before_ = OwnDatabases(*backend_);
  }

  // Drops kept databases (--gtest_parallel_keepdb) of the fixture left by
  // earlier runs: a keepdb run drops those of another schema itself, which
  // the before/after comparison would count against it.
  void DropStaleKeptDatabases() {
    std::vector<std::string> names;
    ASSERT_TRUE(backend_->ListDatabases(&names).ok());
    static const std::regex kKept("test_app_k[a-z0-9]{12}(_[0-9]+)?");
    for (const std::string& name : names) {
      if (std::regex_match(name, kKept)) backend_->Drop(name);
    }
    before_ = OwnDatabases(*backend_);
  }

  void TearDown() override {
    if (backend_) {
      EXPECT_EQ(OwnDatabases(*backend_), before_)
          << "the database list changed";
    }
    if (!directory_.empty()) RemoveTree(directory_);
    if (!cache_.empty()) RemoveTree(cache_);
    if (kind_ == "sqlite_memory") {
      // The directory backend_ made for in-memory images, if left empty.
      const char* tmp = std::getenv("TMPDIR");
      rmdir((std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
             "/gtest_parallel_sqlite_" + std::to_string(geteuid()))
                .c_str());
    }
  }

  // Runs the fixture with `args` and environment `env` against url (or
  // `url_`), checks that no password shows and no process is left.
  RunResult Run(const std::vector<std::string>& args,
                std::vector<std::string> env = {}, std::string url = "") {
    FixtureRun run(Argv(args), Env(std::move(env), url));
    EXPECT_EQ(run.error(), "");
    RunResult result = run.Wait(kRunSeconds);
    Check(run, result, url);
    return result;
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {program_,
                                     "--gtest_parallel_timing_file=none"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  std::vector<std::string> Env(std::vector<std::string> env,
                               const std::string& url) const {
    env.push_back("GTEST_PARALLEL_DB_APP=" + (url.empty() ? url_ : url));
    env.push_back("XDG_CACHE_HOME=" + cache_);
    return env;
  }

  void Check(FixtureRun& run, const RunResult& result, const std::string& url) {
    EXPECT_FALSE(result.timed_out) << run.CommandLine();
    EXPECT_EQ(faults::Leftovers(run.run_id(), 10), "");
    for (const std::string& password : {PasswordOf(url_), PasswordOf(url)}) {
      if (password.empty()) continue;
      EXPECT_EQ(result.out.find(password), std::string::npos)
          << "the password shows on stdout";
      EXPECT_EQ(result.err.find(password), std::string::npos)
          << "the password shows on stderr";
    }
  }

  // Expects a run refused before any test with `what` in its message.
  void ExpectRefused(const RunResult& result, const std::string& what) {
    EXPECT_EQ(result.exit_code, 2) << result.Describe() << "\n" << result.err;
    EXPECT_NE(result.err.find(what), std::string::npos)
        << "expected '" << what << "' in:\n"
        << result.err;
    EXPECT_EQ(result.out.find("[ RUN      ]"), std::string::npos)
        << "a test ran:\n"
        << result.out;
  }

  // The test program the runs start: db_fixture unless a test says.
  std::string program_ = DB_FIXTURE;
  std::string kind_;
  std::string url_;
  std::string directory_;  // SQLite file databases.
  std::string cache_;      // XDG_CACHE_HOME of the runs (keepdb markers).
  std::unique_ptr<Backend> backend_;
  std::vector<std::string> before_;
};

}  // namespace database_run

#endif  // GTEST_PARALLEL_TEST_DATABASES_DATABASE_RUN_H_
