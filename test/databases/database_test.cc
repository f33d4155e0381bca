// End-to-end tests of the database per worker: db_fixture runs as a child
// process against SQLite (files and in memory) and the PostgreSQL and
// MariaDB servers of scripts/start-databases.sh. Every test compares the
// server's database list before and after (TearDown): runs that pass, fail,
// crash a worker, are interrupted or fail to set up leave nothing behind,
// and a run whose coordinator was killed leaves databases that the next run
// drops.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "database_run.h"
#include "gtest_parallel/backend.h"
#include "harness.h"
#include "test_support.h"

namespace {

using database_run::DatabaseTestBase;
using database_run::kRunSeconds;
using faults::FixtureRun;
using faults::RunResult;
using gtest_parallel::testing_support::OwnDatabases;
using gtest_parallel::testing_support::ServerUrl;

constexpr int kFixtureTests = 46;

// What a run printed about the databases its tests used, by worker.
std::map<int, std::set<std::string>> MarkersByWorker(const std::string& out) {
  std::map<int, std::set<std::string>> markers;
  static const std::regex kMarker("marker worker=(\\d+) database=(\\S+)");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), kMarker);
       it != std::sregex_iterator(); ++it) {
    markers[std::stoi((*it)[1])].insert((*it)[2]);
  }
  return markers;
}

// Whether anything is at path.
bool Exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0;
}

// Names in `after` that are not in `before`.
std::vector<std::string> Added(const std::vector<std::string>& before,
                               const std::vector<std::string>& after) {
  std::vector<std::string> added;
  for (const std::string& name : after) {
    if (std::find(before.begin(), before.end(), name) == before.end()) {
      added.push_back(name);
    }
  }
  return added;
}

class DatabaseRun : public DatabaseTestBase,
                    public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override { SetUpBackend(GetParam()); }
};

TEST_P(DatabaseRun, EachWorkerSeesOnlyItsClone) {
  const RunResult result =
      Run({"--gtest_parallel=4", "--gtest_parallel_output=all"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("[  PASSED  ] " + std::to_string(kFixtureTests) +
                            " tests."),
            std::string::npos);
  const auto markers = MarkersByWorker(result.out);
  EXPECT_GE(markers.size(), 2u) << "the marker tests all ran on one worker";
  std::set<std::string> databases;
  for (const auto& [worker, names] : markers) {
    EXPECT_GE(worker, 1);
    ASSERT_EQ(names.size(), 1u) << "worker " << worker << " used several";
    const std::string& name = *names.begin();
    EXPECT_TRUE(std::regex_match(
        name, std::regex("test_app_gtp[a-z0-9]+_" + std::to_string(worker))))
        << name;
    databases.insert(name);
  }
  EXPECT_EQ(databases.size(), markers.size()) << "workers shared a database";
}

TEST_P(DatabaseRun, SerialRunUsesOneDatabaseThroughTheSameApi) {
  const RunResult result = Run({"--gtest_parallel_output=all"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto markers = MarkersByWorker(result.out);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers.begin()->first, 0);
  EXPECT_EQ(markers.begin()->second.size(), 1u);
}

TEST_P(DatabaseRun, FailingRunLeavesNothing) {
  const RunResult result = Run({"--gtest_parallel=3"}, {"DB_FIXTURE_FAIL=1"});
  EXPECT_EQ(result.exit_code, 1) << result.Describe();
  EXPECT_NE(result.out.find("[  FAILED  ] Faults.MayFail"), std::string::npos);
}

TEST_P(DatabaseRun, CrashingWorkerLeavesNothing) {
  const RunResult result = Run({"--gtest_parallel=3"}, {"DB_FIXTURE_CRASH=1"});
  EXPECT_EQ(result.exit_code, 1) << result.Describe();
  EXPECT_NE(result.out.find("killed by SIGABRT"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("[  PASSED  ] " +
                            std::to_string(kFixtureTests - 1) + " tests."),
            std::string::npos)
      << result.out;
}

// Starts a parallel (or serial) run whose Faults.MayHang test hangs, and
// returns once that test runs: the databases exist then.
std::unique_ptr<FixtureRun> StartHangingRun(std::vector<std::string> argv,
                                            std::vector<std::string> env,
                                            const std::string& flag_file) {
  env.push_back("DB_FIXTURE_HANG=" + flag_file);
  auto run = std::make_unique<FixtureRun>(std::move(argv), std::move(env));
  EXPECT_EQ(run->error(), "");
  EXPECT_TRUE(run->WaitForFile(flag_file, 60)) << "the hanging test never ran";
  return run;
}

class InterruptedRun
    : public DatabaseTestBase,
      public ::testing::WithParamInterface<std::tuple<std::string, int, bool>> {
 protected:
  void SetUp() override { SetUpBackend(std::get<0>(GetParam())); }
};

TEST_P(InterruptedRun, DropsTheDatabases) {
  const int signal = std::get<1>(GetParam());
  const bool parallel = std::get<2>(GetParam());
  const std::string flag_file = cache_ + "/hanging";
  auto run = StartHangingRun(
      Argv(parallel ? std::vector<std::string>{"--gtest_parallel=3"}
                    : std::vector<std::string>{}),
      Env({}, ""), flag_file);
  // (OwnDatabases() leaves out those of live runs like this one.)
  std::vector<std::string> during;
  ASSERT_TRUE(backend_->ListDatabases(&during).ok());
  ASSERT_TRUE(Added(before_, during).size() >= 1 || kind_ == "sqlite_memory")
      << "no database made while the tests run";
  run->Signal(signal);
  const RunResult result = run->Wait(kRunSeconds);
  Check(*run, result, "");
  if (parallel) {
    // The report is printed, then the run ends as interrupted.
    EXPECT_EQ(result.exit_code, 128 + signal) << result.Describe();
    EXPECT_NE(result.out.find("Faults.MayHang"), std::string::npos);
  } else {
    // A serial run dies of the signal, as plain GoogleTest does, after
    // dropping its database.
    EXPECT_EQ(result.signal, signal) << result.Describe();
  }
}

TEST_P(DatabaseRun, NextRunDropsWhatAKilledCoordinatorLeft) {
  const std::string flag_file = cache_ + "/hanging";
  auto run =
      StartHangingRun(Argv({"--gtest_parallel=3"}), Env({}, ""), flag_file);
  run->Signal(SIGKILL);
  const RunResult killed = run->Wait(kRunSeconds);
  EXPECT_EQ(killed.signal, SIGKILL);
  // The workers die with their coordinator.
  EXPECT_EQ(faults::Leftovers(run->run_id(), 10), "");
  const std::vector<std::string> left = Added(before_, OwnDatabases(*backend_));
  if (kind_ != "sqlite_memory") {
    // In-memory clones die with the workers; only the template's image
    // stays.
    EXPECT_EQ(left.size(), 4u) << "expected the template and 3 clones";
  } else {
    EXPECT_EQ(left.size(), 1u) << "expected the template's image";
  }
  const RunResult next = Run({"--gtest_parallel=2"});
  EXPECT_EQ(next.exit_code, 0) << next.Describe() << next.err;
  for (const std::string& name : left) {
    EXPECT_NE(next.err.find(name), std::string::npos)
        << "the next run did not say it dropped " << name;
  }
}

TEST_P(DatabaseRun, ConcurrentRunsDoNotCollide) {
  FixtureRun first(Argv({"--gtest_parallel=2", "--gtest_parallel_output=all"}),
                   Env({}, ""));
  FixtureRun second(Argv({"--gtest_parallel=2", "--gtest_parallel_output=all"}),
                    Env({}, ""));
  const RunResult a = first.Wait(kRunSeconds);
  const RunResult b = second.Wait(kRunSeconds);
  Check(first, a, "");
  Check(second, b, "");
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  std::set<std::string> names_a, names_b;
  for (const auto& [worker, names] : MarkersByWorker(a.out)) {
    names_a.insert(names.begin(), names.end());
  }
  for (const auto& [worker, names] : MarkersByWorker(b.out)) {
    names_b.insert(names.begin(), names.end());
  }
  ASSERT_FALSE(names_a.empty());
  ASSERT_FALSE(names_b.empty());
  for (const std::string& name : names_a) EXPECT_EQ(names_b.count(name), 0u);
}

// The names a keepdb run says it kept: template first.
std::vector<std::string> KeptNames(const std::string& err) {
  static const std::regex kKept(
      "kept databases of 'app' "
      "\\(--gtest_parallel_keepdb\\): template "
      "([^\\n]*)");
  std::smatch match;
  std::vector<std::string> names;
  if (!std::regex_search(err, match, kKept)) return names;
  std::string list = match[1];
  for (size_t start = 0; start <= list.size();) {
    size_t comma = list.find(", ", start);
    if (comma == std::string::npos) comma = list.size();
    names.push_back(list.substr(start, comma - start));
    start = comma + 2;
  }
  return names;
}

TEST_P(DatabaseRun, KeepdbReusesTheTemplateUntilTheSchemaChanges) {
  DropStaleKeptDatabases();
  const RunResult first =
      Run({"--gtest_parallel=2", "--gtest_parallel_keepdb"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::vector<std::string> kept = KeptNames(first.err);
  ASSERT_EQ(kept.size(), 3u) << first.err;
  std::vector<std::string> listed = Added(before_, OwnDatabases(*backend_));
  EXPECT_NE(std::find(listed.begin(), listed.end(), kept[0]), listed.end());
  if (kind_ != "sqlite_memory") EXPECT_EQ(listed.size(), 3u);

  const RunResult second =
      Run({"--gtest_parallel=2", "--gtest_parallel_keepdb"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("reusing kept template " + kept[0]),
            std::string::npos)
      << second.err;
  EXPECT_EQ(KeptNames(second.err), kept);

  const RunResult changed =
      Run({"--gtest_parallel=2", "--gtest_parallel_keepdb"},
          {"DB_FIXTURE_SCHEMA_VERSION=2"});
  EXPECT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find("dropped kept database " + kept[0]),
            std::string::npos)
      << changed.err;
  const std::vector<std::string> rekept = KeptNames(changed.err);
  ASSERT_EQ(rekept.size(), 3u);
  EXPECT_NE(rekept[0], kept[0]);
  listed = Added(before_, OwnDatabases(*backend_));
  EXPECT_EQ(std::find(listed.begin(), listed.end(), kept[0]), listed.end());
  for (const std::string& name : rekept) backend_->Drop(name);
}

// What a run waiting for a kept template another run uses prints.
std::string WaitingLine(const std::string& template_name) {
  return "[gtest_parallel] waiting for another run of db_fixture that uses "
         "the kept template " +
         template_name + " on ";
}

// Two keepdb runs started at once both pass: one waits for the other,
// saying so. --gtest_parallel_dropdb then drops everything they kept.
TEST_P(DatabaseRun, ConcurrentKeepdbRunsTakeTurnsAndDropdbDropsAll) {
  DropStaleKeptDatabases();
  const std::vector<std::string> args = {"--gtest_parallel=2",
                                         "--gtest_parallel_keepdb"};
  FixtureRun first(Argv(args), Env({}, ""));
  FixtureRun second(Argv(args), Env({}, ""));
  const RunResult a = first.Wait(kRunSeconds);
  const RunResult b = second.Wait(kRunSeconds);
  Check(first, a, "");
  Check(second, b, "");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const std::vector<std::string> kept = KeptNames(a.err);
  ASSERT_EQ(kept.size(), 3u) << a.err;
  EXPECT_EQ(KeptNames(b.err), kept) << b.err;
  const std::string waiting = WaitingLine(kept[0]);
  const std::string& waited =
      a.err.find(waiting) != std::string::npos ? a.err : b.err;
  ASSERT_NE(waited.find(waiting), std::string::npos)
      << "neither run waited for the other:\n"
      << a.err << "\n"
      << b.err;
  if (kind_ == "sqlite_file") {
    // Paths are shown as they are.
    EXPECT_NE(waited.find(waiting + "sqlite://" + directory_ + "/app.db..."),
              std::string::npos)
        << waited;
  }

  const RunResult dropped = Run({"--gtest_parallel_dropdb"});
  EXPECT_EQ(dropped.exit_code, 0) << dropped.Describe() << dropped.err;
  // In-memory clones die with their workers; the template's image stays.
  for (size_t i = 0; i < (kind_ == "sqlite_memory" ? 1 : kept.size()); ++i) {
    EXPECT_NE(
        dropped.err.find("dropped kept database " + kept[i] + " of 'app'"),
        std::string::npos)
        << dropped.err;
  }
  EXPECT_EQ(dropped.out.find("[ RUN      ]"), std::string::npos) << dropped.out;
  if (!directory_.empty()) {
    EXPECT_EQ(gtest_parallel::testing_support::ListDirectory(directory_),
              std::vector<std::string>{})
        << "files left in the SQLite directory";
  }
  const RunResult again = Run({"--gtest_parallel_dropdb"});
  EXPECT_EQ(again.exit_code, 0) << again.Describe() << again.err;
  EXPECT_NE(again.err.find("no kept databases of 'app' on "), std::string::npos)
      << again.err;
  // TearDown: nothing of the runs is left.
}

// --gtest_parallel_dropdb waits for a keepdb run that uses the template,
// then drops what it kept.
TEST_P(DatabaseRun, DropdbWaitsForAKeepdbRun) {
  DropStaleKeptDatabases();
  const std::string flag_file = cache_ + "/hanging";
  auto keeping =
      StartHangingRun(Argv({"--gtest_parallel=2", "--gtest_parallel_keepdb"}),
                      Env({}, ""), flag_file);
  FixtureRun dropping(Argv({"--gtest_parallel_dropdb"}), Env({}, ""));
  EXPECT_TRUE(
      dropping.WaitForError("that uses the kept template test_app_k", 30))
      << "--gtest_parallel_dropdb did not wait";
  keeping->Signal(SIGINT);
  const RunResult kept = keeping->Wait(kRunSeconds);
  Check(*keeping, kept, "");
  EXPECT_EQ(kept.exit_code, 128 + SIGINT) << kept.Describe();
  const std::vector<std::string> names = KeptNames(kept.err);
  ASSERT_EQ(names.size(), 3u) << kept.err;
  const RunResult dropped = dropping.Wait(kRunSeconds);
  Check(dropping, dropped, "");
  EXPECT_EQ(dropped.exit_code, 0) << dropped.Describe() << dropped.err;
  for (size_t i = 0; i < (kind_ == "sqlite_memory" ? 1 : names.size()); ++i) {
    EXPECT_NE(
        dropped.err.find("dropped kept database " + names[i] + " of 'app'"),
        std::string::npos)
        << dropped.err;
  }
}

// Runs with an in-memory SQLite database leave no empty directory behind
// in the temporary directory (nor do the others, which make none).
TEST_P(DatabaseRun, RunsLeaveNoEmptyDirectory) {
  DropStaleKeptDatabases();
  const std::string shared = "GTEST_PARALLEL_SHARED_TMPDIR=" + cache_;
  const std::string made =
      cache_ + "/gtest_parallel_sqlite_" + std::to_string(geteuid());
  EXPECT_EQ(Run({"--gtest_parallel=2"}, {shared}).exit_code, 0);
  EXPECT_FALSE(Exists(made));
  EXPECT_EQ(Run({}, {shared}).exit_code, 0);
  EXPECT_FALSE(Exists(made));
  EXPECT_EQ(Run({"--gtest_parallel=2", "--gtest_parallel_keepdb"}, {shared})
                .exit_code,
            0);
  EXPECT_EQ(Run({"--gtest_parallel_dropdb"}, {shared}).exit_code, 0);
  EXPECT_FALSE(Exists(made));
}

TEST_P(DatabaseRun, SchemaErrorNamesFileAndLine) {
  ExpectRefused(Run({"--gtest_parallel=2"}, {"DB_FIXTURE_BROKEN_SCHEMA=1"}),
                "broken.sql:4");
}

TEST_P(DatabaseRun, SetupCallbackErrorIsReported) {
  ExpectRefused(Run({"--gtest_parallel=2"}, {"DB_FIXTURE_SETUP_FAILS=1"}),
                "the fixture's setup callback failed on purpose");
}

TEST_P(DatabaseRun, MalformedUrlIsReported) {
  const std::string bad =
      kind_.rfind("sqlite", 0) == 0
          ? "sqlite://relative:x@host/app.db"
          : (kind_ == "postgresql" ? "postgresql" : "mariadb") +
                std::string("://u:Sekr3tPw@host:99x/");
  ExpectRefused(Run({"--gtest_parallel=2"}, {}, bad), "malformed");
}

INSTANTIATE_TEST_SUITE_P(, DatabaseRun,
                         ::testing::Values("sqlite_file", "sqlite_memory",
                                           "postgresql", "mariadb"),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(
    , InterruptedRun,
    ::testing::Combine(::testing::Values("sqlite_file", "sqlite_memory",
                                         "postgresql", "mariadb"),
                       ::testing::Values(SIGINT, SIGTERM), ::testing::Bool()),
    [](const auto& info) {
      return std::get<0>(info.param) +
             (std::get<1>(info.param) == SIGINT ? "_sigint" : "_sigterm") +
             (std::get<2>(info.param) ? "_parallel" : "_serial");
    });

// Errors only a server can give.
class ServerError : public DatabaseRun {};

// The server URL with another password.
std::string WithPassword(const std::string& url, const std::string& password) {
  const size_t scheme = url.find("://") + 3;
  const size_t at = url.find('@', scheme);
  const size_t colon = url.find(':', scheme);
  return url.substr(0, colon + 1) + password + url.substr(at);
}

TEST_P(ServerError, UnreachableServerIsReportedPromptly) {
  const std::string url = GetParam() == "postgresql"
                              ? "postgresql://u:Sekr3tPw@127.0.0.1:1/postgres"
                              : "mariadb://u:Sekr3tPw@127.0.0.1:1/";
  const RunResult result = Run({"--gtest_parallel=2"}, {}, url);
  ExpectRefused(result, "server unreachable");
  EXPECT_LT(result.seconds, 15);
  const std::string socket =
      GetParam() == "postgresql"
          ? "postgresql://u:Sekr3tPw@/postgres?host=/nonexistent"
          : "mariadb://u:Sekr3tPw@localhost/?socket=/nonexistent.sock";
  ExpectRefused(Run({"--gtest_parallel=2"}, {}, socket), "server unreachable");
}

TEST_P(ServerError, DropdbNamesAnUnreachableServer) {
  const std::string url = GetParam() == "postgresql"
                              ? "postgresql://u:Sekr3tPw@127.0.0.1:1/postgres"
                              : "mariadb://u:Sekr3tPw@127.0.0.1:1/";
  const RunResult result = Run({"--gtest_parallel_dropdb"}, {}, url);
  EXPECT_EQ(result.exit_code, 1) << result.Describe() << result.err;
  EXPECT_NE(result.err.find("127.0.0.1"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("server unreachable"), std::string::npos)
      << result.err;
}

TEST_P(ServerError, WrongPasswordIsReported) {
  ExpectRefused(
      Run({"--gtest_parallel=2"}, {}, WithPassword(url_, "Wr0ngPassw0rd")),
      "authentication failed");
}

TEST_P(ServerError, MissingPrivilegeIsReported) {
  const std::string url = ServerUrl(
      GetParam() == "postgresql" ? "GTEST_PARALLEL_TEST_PG_NOCREATE_URL"
                                 : "GTEST_PARALLEL_TEST_MARIADB_NOCREATE_URL");
  ExpectRefused(Run({"--gtest_parallel=2"}, {}, url), "permission denied");
}

INSTANTIATE_TEST_SUITE_P(, ServerError,
                         ::testing::Values("postgresql", "mariadb"),
                         [](const auto& info) { return info.param; });

// PostgreSQL cannot clone a template others are connected to; a kept
// template is not ours to disconnect them from.
class PostgresqlKeptTemplate : public DatabaseTestBase {
 protected:
  void SetUp() override { SetUpBackend("postgresql"); }
};

TEST_F(PostgresqlKeptTemplate, InUseIsReported) {
  DropStaleKeptDatabases();
  const RunResult first =
      Run({"--gtest_parallel=2", "--gtest_parallel_keepdb"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::vector<std::string> kept = KeptNames(first.err);
  ASSERT_EQ(kept.size(), 3u);
  {
    // Someone looks into the kept template (sealed against connections
    // once cloned: they open it first).
    std::unique_ptr<gtest_parallel::Connection> admin, session;
    ASSERT_TRUE(backend_->Connect("postgres", &admin).ok());
    ASSERT_TRUE(admin
                    ->Execute("ALTER DATABASE \"" + kept[0] +
                              "\" WITH ALLOW_CONNECTIONS true")
                    .ok());
    ASSERT_TRUE(backend_->Connect(kept[0], &session).ok());
    ExpectRefused(Run({"--gtest_parallel=2", "--gtest_parallel_keepdb"}),
                  "template in use");
  }
  for (const std::string& name : kept) backend_->Drop(name);
}

}  // namespace
