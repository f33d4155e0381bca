// SQLite-only tests: WAL templates, in-memory templates reaching spawned
// worker processes (and nothing written to the working directory), kept
// in-memory templates prepared for reset through their image, and clone
// timings.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "gtest_parallel/sqlite_backend.h"
#include "test_support.h"

namespace gtest_parallel {
namespace {

using testing_support::FreshToken;
using testing_support::MillisecondsSince;

// Fills a template with `rows` rows of about 100 bytes in table t.
FillSpec RowsFill(int rows) {
  FillSpec fill;
  fill.callback = [rows](Connection& connection) {
    Status status = connection.Execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)");
    if (!status.ok()) return status;
    return connection.Execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < " +
        std::to_string(rows) +
        ") INSERT INTO t "
        "SELECT i, hex(randomblob(25)), hex(randomblob(25)) FROM n");
  };
  return fill;
}

std::string Count(Backend& backend, const std::string& name) {
  std::unique_ptr<Connection> connection;
  std::string count;
  Status status = backend.Connect(name, &connection);
  if (status.ok())
    status = connection->QueryValue("SELECT COUNT(*) FROM t", &count);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return count;
}

TEST(SqliteTest, RowsStillInTheWalReachTheClone) {
  std::string directory = testing_support::MakeTempDirectory();
  std::unique_ptr<Backend> backend;
  ASSERT_OK(CreateBackend("sqlite://" + directory + "/app.db", BackendOptions(),
                          &backend));
  std::string template_name, clone;
  ASSERT_OK(backend->CreateTemplate("wal", FreshToken(), &template_name));
  FillSpec fill;
  fill.callback = [](Connection& connection) {
    Status status = connection.Execute("PRAGMA journal_mode = WAL");
    return status.ok() ? connection.Execute("CREATE TABLE t (id INTEGER)")
                       : status;
  };
  ASSERT_OK(backend->FillTemplate(template_name, fill));
  // A connection left open with its rows only in the -wal file.
  sqlite3* writer = nullptr;
  ASSERT_EQ(
      sqlite3_open(backend->ConnectionString(template_name).c_str(), &writer),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer,
                         "PRAGMA wal_autocheckpoint = 0; "
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
                         "i + 1 FROM n WHERE i < 100) "
                         "INSERT INTO t SELECT i FROM n",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  struct stat wal;
  ASSERT_EQ(
      stat((backend->ConnectionString(template_name) + "-wal").c_str(), &wal),
      0);
  EXPECT_GT(wal.st_size, 0);
  ASSERT_OK(backend->Clone(template_name, 1, &clone));
  EXPECT_EQ(Count(*backend, clone), "100");
  EXPECT_OK(backend->Verify(clone));
  sqlite3_close(writer);
  ASSERT_OK(backend->Drop(clone));
  ASSERT_OK(backend->Drop(template_name));
  EXPECT_EQ(testing_support::ListDirectory(directory),
            std::vector<std::string>{});
  testing_support::RemoveTree(directory);
}

TEST(SqliteTest, InMemoryTemplateReachesSpawnedWorkersOnly) {
  // Run from an empty working directory: nothing may appear in it.
  std::string directory = testing_support::MakeTempDirectory();
  char previous[4096];
  ASSERT_NE(getcwd(previous, sizeof(previous)), nullptr);
  ASSERT_EQ(chdir(directory.c_str()), 0);

  std::unique_ptr<Backend> backend;
  ASSERT_OK(CreateBackend("sqlite::memory:", BackendOptions(), &backend));
  std::string template_name;
  ASSERT_OK(backend->CreateTemplate("memory", FreshToken(), &template_name));
  ASSERT_OK(backend->FillTemplate(template_name, RowsFill(3)));
  std::vector<std::string> clones;
  ASSERT_OK(backend->CloneAll(template_name, 2, &clones));
  for (const std::string& clone : clones) {
    EXPECT_OK(backend->Verify(clone));
    // Two workers on the same clone would each see only their own copy.
    for (int run = 0; run < 2; ++run) {
      int exit_code = 0;
      std::string output = testing_support::RunProgram(
          {GTEST_PARALLEL_SQLITE_ATTACH_CHILD, "sqlite::memory:", clone},
          backend->EnvironmentFor(clone), &exit_code);
      EXPECT_EQ(exit_code, 0) << output;
      EXPECT_EQ(output.rfind(
                    "before=3 after=4 uri=file:/" + clone + "?vfs=memdb ", 0),
                0u)
          << output;
      std::printf("[ worker ] %s", output.c_str());
    }
  }
  // This process attaches too, like a worker would.
  ASSERT_OK(backend->Attach(clones[0]));
  EXPECT_EQ(Count(*backend, clones[0]), "3");
  ASSERT_OK(backend->Restore(clones[0]));
  for (const std::string& clone : clones) ASSERT_OK(backend->Drop(clone));
  ASSERT_OK(backend->Drop(template_name));
  EXPECT_EQ(testing_support::ListDirectory(directory),
            std::vector<std::string>{});
  ASSERT_EQ(chdir(previous), 0);
  testing_support::RemoveTree(directory);
}

// A kept in-memory template lives on as its image: a later run (another
// backend object) prepares it for reset through the image.
TEST(SqliteTest, KeptInMemoryTemplateIsPreparedThroughItsImage) {
  std::unique_ptr<Backend> first, later;
  ASSERT_OK(CreateBackend("sqlite::memory:", BackendOptions(), &first));
  ASSERT_OK(CreateBackend("sqlite::memory:", BackendOptions(), &later));
  std::string template_name, clone;
  ASSERT_OK(first->CreateTemplate("kept", FreshToken(), &template_name));
  ASSERT_OK(first->FillTemplate(template_name, RowsFill(3)));
  ASSERT_OK(first->Clone(template_name, 1, &clone));  // Writes the image.
  first.reset();
  ASSERT_OK(later->PrepareReset(template_name));
  ASSERT_OK(later->PrepareReset(template_name));  // Idempotent.
  ASSERT_OK(later->Attach(clone));
  std::unique_ptr<Connection> connection;
  ASSERT_OK(later->Connect(clone, &connection));
  EXPECT_OK(connection->Execute("DELETE FROM t WHERE id = 2"));
  std::vector<TableDifference> differences;
  EXPECT_OK(later->Differences(clone, &differences));
  ASSERT_EQ(differences.size(), 1u);
  EXPECT_EQ(differences[0].rows, 2);
  ResetStats stats;
  EXPECT_OK(later->Reset(clone, &stats));
  EXPECT_FALSE(stats.restored);
  EXPECT_EQ(Count(*later, clone), "3");
  connection.reset();
  EXPECT_OK(later->Drop(clone));
  EXPECT_OK(later->Drop(template_name));
}

TEST(SqliteTest, CloneTimings) {
  constexpr int kRows = 200000;  // About 20 MB.
  std::string directory = testing_support::MakeTempDirectory();
  for (const std::string& url :
       {"sqlite://" + directory + "/", std::string("sqlite::memory:")}) {
    std::unique_ptr<Backend> backend;
    ASSERT_OK(CreateBackend(url, BackendOptions(), &backend));
    std::string template_name;
    ASSERT_OK(backend->CreateTemplate("timing", FreshToken(), &template_name));
    ASSERT_OK(backend->FillTemplate(template_name, RowsFill(kRows)));
    std::vector<std::string> clones;
    auto start = std::chrono::steady_clock::now();
    ASSERT_OK(backend->CloneAll(template_name, 2, &clones));
    double clone_ms = MillisecondsSince(start);
    start = std::chrono::steady_clock::now();
    ASSERT_OK(backend->Attach(clones[0]));
    double attach_ms = MillisecondsSince(start);
    std::unique_ptr<Connection> connection;
    ASSERT_OK(backend->Connect(clones[0], &connection));
    std::string pages, page_size;
    ASSERT_OK(connection->QueryValue("PRAGMA page_count", &pages));
    ASSERT_OK(connection->QueryValue("PRAGMA page_size", &page_size));
    connection.reset();
    EXPECT_EQ(Count(*backend, clones[0]), std::to_string(kRows));
    std::printf(
        "[ timing ] SQLite %s template of %.1f MB: CloneAll(2) %.1f ms, "
        "Attach %.1f ms\n",
        url == "sqlite::memory:" ? "in-memory" : "file",
        std::stod(pages) * std::stod(page_size) / (1 << 20), clone_ms,
        attach_ms);
    for (const std::string& clone : clones) ASSERT_OK(backend->Drop(clone));
    ASSERT_OK(backend->Drop(template_name));
  }
  testing_support::RemoveTree(directory);
}

}  // namespace
}  // namespace gtest_parallel
