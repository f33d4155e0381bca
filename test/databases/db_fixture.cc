// A test program with a declared database ("app"; the URL comes from
// GTEST_PARALLEL_DB_APP or --gtest_parallel_db in the tests), for the
// database tests: every test writes a marker row naming its worker and
// checks that the database holds only that row (no other worker's rows,
// and, the database being reset after each test, no earlier test's).
// DB_FIXTURE_* variables add a failing, crashing or hanging test (the last
// creates the file DB_FIXTURE_HANG names), a broken schema, a setup callback
// that fails, or a schema version (for keepdb).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest_parallel/database.h"
#include "gtest_parallel/gtest_parallel.h"

namespace {

using gtest_parallel::Connection;
using gtest_parallel::Database;
using gtest_parallel::Row;
using gtest_parallel::Status;

bool Flag(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && std::string(value) == "1";
}

gtest_parallel::DatabaseDeclaration Declaration() {
  gtest_parallel::DatabaseDeclaration declaration("app", "sqlite::memory:");
  declaration.WithSqlFile(Flag("DB_FIXTURE_BROKEN_SCHEMA")
                              ? DB_FIXTURE_SQL_DIR "/broken.sql"
                              : DB_FIXTURE_SQL_DIR "/schema.sql");
  if (const char* version = std::getenv("DB_FIXTURE_SCHEMA_VERSION")) {
    declaration.WithSchemaVersion(version);
  }
  declaration.WithSetup([](Connection& connection) {
    if (Flag("DB_FIXTURE_SETUP_FAILS")) {
      return Status(gtest_parallel::ErrorCode::kInternal,
                    "the fixture's setup callback failed on purpose");
    }
    return connection.Execute(
        "INSERT INTO items (id, label) VALUES (4, 'from the callback')");
  });
  return declaration;
}

const bool kDeclared = gtest_parallel::DeclareDatabase(Declaration());

std::unique_ptr<Connection> Connect() {
  std::unique_ptr<Connection> connection;
  const Status status = Database("app").Connect(&connection);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return connection;
}

std::string Count(Connection& connection, const std::string& sql) {
  std::string value;
  const Status status = connection.QueryValue(sql, &value);
  EXPECT_TRUE(status.ok()) << sql << ": " << status.ToString();
  return value;
}

class Markers : public ::testing::TestWithParam<int> {};

TEST_P(Markers, OnlyThisWorkersRows) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  const int worker = gtest_parallel::WorkerId();
  const std::string name =
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  ASSERT_TRUE(connection
                  ->Execute("INSERT INTO markers (worker, test_name) VALUES (" +
                            std::to_string(worker) + ", '" + name + "')")
                  .ok());
  EXPECT_EQ(Count(*connection, "SELECT COUNT(*) FROM markers WHERE worker <> " +
                                   std::to_string(worker)),
            "0")
      << "another worker's rows are in " << Database("app").name();
  EXPECT_EQ(Count(*connection, "SELECT COUNT(*) FROM markers"), "1")
      << "rows of earlier tests are in " << Database("app").name();
  std::printf("marker worker=%d database=%s\n", worker,
              Database("app").name().c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

INSTANTIATE_TEST_SUITE_P(Many, Markers, ::testing::Range(0, 40));

TEST(Clone, HasTheTemplatesData) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(Count(*connection, "SELECT COUNT(*) FROM items"), "4");
  EXPECT_EQ(Count(*connection, "SELECT label FROM items WHERE id = 4"),
            "from the callback");
}

TEST(Clone, EnvironmentNamesIt) {
  const char* name = std::getenv("GTEST_PARALLEL_DATABASE_APP");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name, Database("app").name());
  // A program the test starts sees the same.
  std::string output;
  FILE* pipe = popen("echo \"$GTEST_PARALLEL_DATABASE_APP\"", "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[256];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  pclose(pipe);
  EXPECT_EQ(output, Database("app").name() + "\n");
  std::printf("database-name=%s\n", Database("app").name().c_str());
}

// A death test whose child starts the program again finds the database
// through the environment.
TEST(DeathTest, ChildSeesTheDatabase) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string name = Database("app").name();
  EXPECT_EXIT(
      {
        std::fprintf(stderr, "child-database=%s\n",
                     Database("app").name().c_str());
        std::exit(Database("app").name() == name ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "child-database=" + name);
}

TEST(Faults, MayFail) {
  if (Flag("DB_FIXTURE_FAIL")) ADD_FAILURE() << "failing on purpose";
}

TEST(Faults, MayCrash) {
  if (Flag("DB_FIXTURE_CRASH")) std::abort();
}

TEST(Faults, MayHang) {
  const char* signal_file = std::getenv("DB_FIXTURE_HANG");
  if (signal_file == nullptr) return;
  // Tells the test that the run is under way, then waits to be stopped.
  if (FILE* file = std::fopen(signal_file, "w")) std::fclose(file);
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace
