// Behaviour every backend shares, run against SQLite (file and in-memory)
// and the PostgreSQL and MariaDB servers of scripts/start-databases.sh:
// create, fill, clone, verify, restore, drop, sweep, concurrent runs and
// schema errors. Each test leaves the database list as it found it.
#include "gtest_parallel/backend.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "test_support.h"

namespace gtest_parallel {
namespace {

using testing_support::FreshToken;
using testing_support::MillisecondsSince;
using testing_support::OwnDatabases;

// A backend under test.
struct Target {
  std::string label;         // Test name suffix.
  std::string url_variable;  // Servers: where the URL is; "" for SQLite.
  std::string dialect;       // Prefix of its SQL files in sql/.
  bool memory = false;       // SQLite in-memory.
};

// Names the target in test output.
void PrintTo(const Target& target, std::ostream* out) { *out << target.label; }

std::string SqlFile(const std::string& name) {
  return std::string(GTEST_PARALLEL_BACKEND_TEST_SQL_DIR) + "/" + name;
}

class BackendTest : public ::testing::TestWithParam<Target> {
 protected:
  void SetUp() override {
    const Target& target = GetParam();
    url_ = testing_support::TargetUrl(target.url_variable, target.memory,
                                      &directory_);
    ASSERT_FALSE(url_.empty());
    password_ = testing_support::PasswordOf(url_);
    ASSERT_OK(CreateBackend(url_, BackendOptions(), &backend_));
    // Like a run starting: leftovers of dead runs go first.
    ASSERT_OK(backend_->SweepStale("", nullptr));
    before_ = OwnDatabases(*backend_);
  }

  void TearDown() override {
    if (backend_ != nullptr) {
      std::vector<std::string> after = OwnDatabases(*backend_);
      EXPECT_EQ(after, before_) << "the test left databases behind";
      for (const std::string& name : after) {
        if (std::find(before_.begin(), before_.end(), name) == before_.end()) {
          backend_->Drop(name);
        }
      }
    }
    if (!directory_.empty()) testing_support::RemoveTree(directory_);
  }

  // A base name for this test's databases.
  std::string Base() const {
    return std::string("gtpb_") +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  // Creates and fills a template: table t with rows 1..3, v = marker.
  void MakeTemplate(Backend& backend, const std::string& token,
                    const std::string& marker, std::string* template_name) {
    ASSERT_OK(backend.CreateTemplate(Base(), token, template_name));
    FillSpec fill;
    fill.callback = [&](Connection& connection) {
      Status status = connection.Execute(
          "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(40))");
      if (!status.ok()) return status;
      return connection.Execute("INSERT INTO t (id, v) VALUES (1, '" + marker +
                                "'), (2, '" + marker + "'), (3, '" + marker +
                                "')");
    };
    ASSERT_OK(backend.FillTemplate(*template_name, fill));
  }

  // The value of a query on database name ("" and a failure on errors).
  std::string Value(Backend& backend, const std::string& name,
                    const std::string& sql) {
    std::unique_ptr<Connection> connection;
    std::string value;
    Status status = backend.Connect(name, &connection);
    if (status.ok()) status = connection->QueryValue(sql, &value);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return value;
  }

  void ExpectNoPassword(const Status& status) {
    if (!password_.empty()) {
      EXPECT_EQ(status.message().find(password_), std::string::npos)
          << status.message();
    }
  }

  std::string url_;
  std::string password_;
  std::string directory_;
  std::unique_ptr<Backend> backend_;
  std::vector<std::string> before_;
};

TEST_P(BackendTest, CreateFillCloneVerifyDrop) {
  std::string token = FreshToken();
  std::string template_name;
  MakeTemplate(*backend_, token, "tpl", &template_name);
  EXPECT_EQ(template_name, TemplateName(Base(), token));

  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> clones;
  ASSERT_OK(backend_->CloneAll(template_name, 3, &clones));
  double clone_ms = MillisecondsSince(start);
  ASSERT_EQ(clones.size(), 3u);
  for (int worker = 1; worker <= 3; ++worker) {
    EXPECT_EQ(clones[worker - 1], CloneName(template_name, worker));
    start = std::chrono::steady_clock::now();
    EXPECT_OK(backend_->Verify(clones[worker - 1]));
    EXPECT_OK(backend_->Attach(clones[worker - 1]));
  }
  std::printf("[ timing ] %s: CloneAll(3) of a tiny template %.1f ms\n",
              GetParam().label.c_str(), clone_ms);

  // Each clone is its own database.
  {
    std::unique_ptr<Connection> connection;
    ASSERT_OK(backend_->Connect(clones[0], &connection));
    ASSERT_OK(connection->Execute("INSERT INTO t (id, v) VALUES (4, 'w1')"));
  }
  EXPECT_EQ(Value(*backend_, clones[0], "SELECT COUNT(*) FROM t"), "4");
  EXPECT_EQ(Value(*backend_, clones[1], "SELECT COUNT(*) FROM t"), "3");
  EXPECT_EQ(Value(*backend_, clones[2], "SELECT MAX(v) FROM t"), "tpl");

  EXPECT_FALSE(backend_->ConnectionString(clones[1]).empty());
  EXPECT_FALSE(backend_->ConnectionParameters(clones[1]).empty());
  auto environment = backend_->EnvironmentFor(clones[1]);
  ASSERT_FALSE(environment.empty());
  bool names_clone = false;
  for (const auto& [variable, value] : environment) {
    names_clone |= value.find(clones[1]) != std::string::npos;
  }
  EXPECT_TRUE(names_clone);

  for (const std::string& clone : clones) ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
  EXPECT_OK(backend_->Drop(template_name));  // Dropping twice is fine.
}

TEST_P(BackendTest, FillsFromSqlFiles) {
  std::string template_name;
  ASSERT_OK(backend_->CreateTemplate(Base(), FreshToken(), &template_name));
  FillSpec fill;
  fill.sql_files = {SqlFile(GetParam().dialect + "_schema.sql")};
  ASSERT_OK(backend_->FillTemplate(template_name, fill));
  std::string clone;
  ASSERT_OK(backend_->Clone(template_name, 1, &clone));
  ASSERT_OK(backend_->Verify(clone));
  ASSERT_OK(backend_->Attach(clone));
  EXPECT_EQ(Value(*backend_, clone, "SELECT COUNT(*) FROM items"), "3");
  EXPECT_EQ(
      Value(*backend_, clone, "SELECT name FROM items WHERE name LIKE 'a%'"),
      "a;b");
  ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
}

TEST_P(BackendTest, SchemaErrorsNameFileAndLine) {
  struct Case {
    std::string file;
    int line;
  };
  for (const Case& test :
       {Case{"bad_syntax.sql", 7}, Case{"missing_table.sql", 3}}) {
    std::string template_name;
    ASSERT_OK(backend_->CreateTemplate(Base(), FreshToken(), &template_name));
    FillSpec fill;
    fill.sql_files = {SqlFile(test.file)};
    Status status = backend_->FillTemplate(template_name, fill);
    EXPECT_EQ(status.code(), ErrorCode::kSqlError) << status.ToString();
    EXPECT_NE(status.message().find(test.file + ":" +
                                    std::to_string(test.line) + ": "),
              std::string::npos)
        << status.message();
    ExpectNoPassword(status);
    ASSERT_OK(backend_->Drop(template_name));
  }
  std::string template_name;
  ASSERT_OK(backend_->CreateTemplate(Base(), FreshToken(), &template_name));
  FillSpec fill;
  fill.sql_files = {SqlFile("no_such_file.sql")};
  EXPECT_EQ(backend_->FillTemplate(template_name, fill).code(),
            ErrorCode::kNotFound);
  fill.sql_files.clear();
  fill.callback = [](Connection&) {
    return Status(ErrorCode::kSqlError, "from the callback");
  };
  EXPECT_EQ(backend_->FillTemplate(template_name, fill).message(),
            "from the callback");
  ASSERT_OK(backend_->Drop(template_name));
}

TEST_P(BackendTest, VerifyAndRestore) {
  std::string template_name, clone;
  MakeTemplate(*backend_, FreshToken(), "tpl", &template_name);
  ASSERT_OK(backend_->Clone(template_name, 1, &clone));
  ASSERT_OK(backend_->Attach(clone));
  {
    std::unique_ptr<Connection> connection;
    ASSERT_OK(backend_->Connect(clone, &connection));
    ASSERT_OK(connection->Execute("DELETE FROM t WHERE id = 2"));
  }
  Status status = backend_->Verify(clone);
  EXPECT_EQ(status.code(), ErrorCode::kVerifyFailed) << status.ToString();
  ExpectNoPassword(status);
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->Restore(clone));
  std::printf("[ timing ] %s: Restore %.1f ms\n", GetParam().label.c_str(),
              MillisecondsSince(start));
  EXPECT_OK(backend_->Verify(clone));
  EXPECT_EQ(Value(*backend_, clone, "SELECT COUNT(*) FROM t"), "3");
  ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
}

TEST_P(BackendTest, BadArgumentsAndMissingDatabases) {
  std::string name;
  EXPECT_EQ(backend_->CreateTemplate(Base(), "Not-A-Token", &name).code(),
            ErrorCode::kInvalidArgument);
  std::string missing = TemplateName(Base(), FreshToken());
  Status status = backend_->Clone(missing, 1, &name);
  EXPECT_EQ(status.code(), ErrorCode::kNotFound) << status.ToString();
  ExpectNoPassword(status);
  EXPECT_EQ(backend_->Clone(missing, 0, &name).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_NE(backend_->Verify(CloneName(missing, 1)).code(), ErrorCode::kOk);
  EXPECT_EQ(backend_->Verify(missing).code(), ErrorCode::kInvalidArgument);
  EXPECT_OK(backend_->Drop(missing));

  // Long and odd base names are cut and cleaned to fit every backend.
  std::string template_name, clone;
  MakeTemplate(*backend_, FreshToken(), "x", &template_name);
  ASSERT_OK(backend_->Drop(template_name));
  ASSERT_OK(backend_->CreateTemplate("Weird Name-" + std::string(80, 'Z'),
                                     FreshToken(), &template_name));
  ASSERT_OK(backend_->Clone(template_name, 1024, &clone));
  EXPECT_LE(clone.size(), kMaxDatabaseNameLength);
  EXPECT_EQ(clone.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"),
            std::string::npos);
  ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
}

TEST_P(BackendTest, ConcurrentRunsDoNotCollide) {
  constexpr int kRuns = 2;
  struct Run {
    std::unique_ptr<Backend> backend;
    std::string token;
    std::string template_name;
    std::vector<std::string> clones;
    Status status;
  };
  std::vector<Run> runs(kRuns);
  for (Run& run : runs) {
    ASSERT_OK(CreateBackend(url_, BackendOptions(), &run.backend));
    run.token = FreshToken();
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kRuns; ++i) {
    threads.emplace_back([&, i] {
      Run& run = runs[i];
      std::string marker = "run" + std::to_string(i);
      run.status =
          run.backend->CreateTemplate(Base(), run.token, &run.template_name);
      FillSpec fill;
      fill.callback = [&](Connection& connection) {
        Status status = connection.Execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(40))");
        return status.ok() ? connection.Execute("INSERT INTO t VALUES (1, '" +
                                                marker + "')")
                           : status;
      };
      if (run.status.ok()) {
        run.status = run.backend->FillTemplate(run.template_name, fill);
      }
      if (run.status.ok()) {
        run.status = run.backend->CloneAll(run.template_name, 2, &run.clones);
      }
      for (const std::string& clone : run.clones) {
        if (run.status.ok()) run.status = run.backend->Attach(clone);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kRuns; ++i) {
    Run& run = runs[i];
    ASSERT_OK(run.status);
    EXPECT_NE(run.template_name, runs[(i + 1) % kRuns].template_name);
    for (const std::string& clone : run.clones) {
      EXPECT_EQ(Value(*run.backend, clone, "SELECT v FROM t"),
                "run" + std::to_string(i));
    }
  }
  for (Run& run : runs) {
    for (const std::string& clone : run.clones)
      EXPECT_OK(run.backend->Drop(clone));
    EXPECT_OK(run.backend->Drop(run.template_name));
  }
}

TEST_P(BackendTest, SweepStaleDropsDeadRunsAndKeepsLiveOnes) {
  // A token whose owner has died.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  RunToken dead_token;
  ASSERT_TRUE(RunToken::ForProcess(child, 1, &dead_token));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  std::string dead = dead_token.ToString();
  // A token of another machine: its owner cannot be checked.
  std::string foreign = FreshToken();
  foreign[3] = foreign[3] == 'z' ? 'y' : 'z';

  std::string dead_template, dead_clone, live_template, live_clone;
  std::string foreign_template, other_base_template;
  MakeTemplate(*backend_, dead, "dead", &dead_template);
  ASSERT_OK(backend_->Clone(dead_template, 1, &dead_clone));
  MakeTemplate(*backend_, FreshToken(), "live", &live_template);
  ASSERT_OK(backend_->Clone(live_template, 1, &live_clone));
  ASSERT_OK(backend_->CreateTemplate(Base(), foreign, &foreign_template));
  ASSERT_OK(
      backend_->CreateTemplate(Base() + "_other", dead, &other_base_template));

  std::vector<std::string> dropped;
  ASSERT_OK(backend_->SweepStale(Base(), &dropped));
  // In-memory clones live in their workers only: just the template's image.
  std::vector<std::string> expected = {dead_clone, dead_template};
  if (GetParam().memory) expected = {dead_template};
  EXPECT_EQ(dropped, expected);
  std::vector<std::string> names;
  ASSERT_OK(backend_->ListDatabases(&names));
  for (const std::string& kept :
       {live_template, foreign_template, other_base_template}) {
    EXPECT_NE(std::find(names.begin(), names.end(), kept), names.end()) << kept;
  }
  if (!GetParam().memory) {  // In-memory clones live in their worker only.
    EXPECT_NE(std::find(names.begin(), names.end(), live_clone), names.end());
  }
  dropped.clear();
  ASSERT_OK(backend_->SweepStale("", &dropped));  // Every base.
  EXPECT_NE(std::find(dropped.begin(), dropped.end(), other_base_template),
            dropped.end());
  for (const std::string& kept :
       {live_clone, live_template, foreign_template}) {
    EXPECT_EQ(std::find(dropped.begin(), dropped.end(), kept), dropped.end());
  }

  for (const std::string& name :
       {live_clone, live_template, foreign_template}) {
    ASSERT_OK(backend_->Drop(name));
  }
}

std::string TargetName(const ::testing::TestParamInfo<Target>& info) {
  return info.param.label;
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, BackendTest,
    ::testing::Values(Target{"sqlite_file", "", "sqlite", false},
                      Target{"sqlite_memory", "", "sqlite", true}),
    TargetName);
INSTANTIATE_TEST_SUITE_P(Postgresql, BackendTest,
                         ::testing::Values(Target{"postgresql",
                                                  "GTEST_PARALLEL_TEST_PG_URL",
                                                  "postgresql", false}),
                         TargetName);
INSTANTIATE_TEST_SUITE_P(Mariadb, BackendTest,
                         ::testing::Values(Target{
                             "mariadb", "GTEST_PARALLEL_TEST_MARIADB_URL",
                             "mariadb", false}),
                         TargetName);

}  // namespace
}  // namespace gtest_parallel
