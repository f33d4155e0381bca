// A test program for the per-test reset: its tests write to the declared
// database ("app", URL from GTEST_PARALLEL_DB_APP) and check that each one
// starts from the template's state (no markers, items 1-3 as the schema
// made them), whatever ran before it on its worker. RESET_FIXTURE_CRASH=1
// makes Crash.WritesThenDies abort after writing; the Leaks suite leaves
// rows behind in some tests, for --gtest_parallel_db_leaks.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "gtest_parallel/database.h"
#include "gtest_parallel/gtest_parallel.h"

namespace {

using gtest_parallel::Connection;
using gtest_parallel::Database;
using gtest_parallel::Status;

const bool kDeclared = gtest_parallel::DeclareDatabase(
    gtest_parallel::DatabaseDeclaration("app", "sqlite::memory:")
        .WithSqlFile(RESET_FIXTURE_SQL_DIR "/schema.sql"));

std::unique_ptr<Connection> Connect() {
  std::unique_ptr<Connection> connection;
  const Status status = Database("app").Connect(&connection);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return connection;
}

std::string Value(Connection& connection, const std::string& sql) {
  std::string value;
  const Status status = connection.QueryValue(sql, &value);
  EXPECT_TRUE(status.ok()) << sql << ": " << status.ToString();
  return value;
}

void Execute(Connection& connection, const std::string& sql) {
  const Status status = connection.Execute(sql);
  ASSERT_TRUE(status.ok()) << sql << ": " << status.ToString();
}

// The template's state, as every test should find it.
void ExpectTemplateState(Connection& connection) {
  EXPECT_EQ(Value(connection, "SELECT COUNT(*) FROM markers"), "0")
      << "rows written by an earlier test are in " << Database("app").name();
  EXPECT_EQ(Value(connection, "SELECT COUNT(*) FROM items"), "3");
  EXPECT_EQ(Value(connection, "SELECT label FROM items WHERE id = 1"), "one");
  EXPECT_EQ(Value(connection, "SELECT label FROM items WHERE id = 3"), "three");
}

// Inserts, updates and deletes in both tables, each statement committed.
void WriteEverywhere(Connection& connection, const std::string& name) {
  Execute(connection, "INSERT INTO markers (worker, test_name) VALUES (" +
                          std::to_string(gtest_parallel::WorkerId()) + ", '" +
                          name + "')");
  Execute(connection,
          "INSERT INTO markers (worker, test_name) VALUES (0, 'second')");
  Execute(connection, "UPDATE items SET label = 'changed' WHERE id = 1");
  Execute(connection, "DELETE FROM items WHERE id = 3");
  Execute(connection, "INSERT INTO items (id, label) VALUES (10, 'ten')");
}

// Writers (even) and readers (odd) in turn: each finds the template.
class Order : public ::testing::TestWithParam<int> {};

TEST_P(Order, StartsFromTheTemplate) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  ExpectTemplateState(*connection);
  if (GetParam() % 2 == 0) {
    WriteEverywhere(*connection, "order" + std::to_string(GetParam()));
  }
}

INSTANTIATE_TEST_SUITE_P(Tests, Order, ::testing::Range(0, 12));

// Names the clone a Crash test used, for the test that runs the fixture.
void PrintClone() {
  std::printf("crash-suite test=%s database=%s\n",
              ::testing::UnitTest::GetInstance()->current_test_info()->name(),
              Database("app").name().c_str());
  std::fflush(stdout);
}

TEST(Crash, WritesThenDies) {
  PrintClone();
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  ExpectTemplateState(*connection);
  WriteEverywhere(*connection, "crash");
  const char* crash = std::getenv("RESET_FIXTURE_CRASH");
  if (crash != nullptr && std::string(crash) == "1") std::abort();
}

TEST(Crash, NextSeesTheTemplate) {
  PrintClone();
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  ExpectTemplateState(*connection);
}

// Keeps the other worker busy while Crash.WritesThenDies crashes, so that
// the worker replacing the crashed one runs Crash.NextSeesTheTemplate.
TEST(Busy, WhileTheOtherCrashes) {
  const char* crash = std::getenv("RESET_FIXTURE_CRASH");
  if (crash != nullptr && std::string(crash) == "1") {
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
}

// A suite whose set-up writes: its tests all see the row, the next suite
// does not.
class SuiteData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::unique_ptr<Connection> connection = Connect();
    ASSERT_NE(connection, nullptr);
    Execute(*connection,
            "INSERT INTO markers (worker, test_name) VALUES (0, 'suite')");
  }
};

TEST_F(SuiteData, FirstSeesTheSuiteRow) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(Value(*connection, "SELECT COUNT(*) FROM markers"), "1");
}

TEST_F(SuiteData, SecondSeesTheSuiteRow) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(Value(*connection, "SELECT COUNT(*) FROM markers"), "1");
}

TEST(SuiteDataAfter, SeesTheTemplate) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  ExpectTemplateState(*connection);
}

// For --gtest_parallel_db_leaks: LeavesRows and ChangesARow leave the
// database different from the template; the others do not.
TEST(Leaks, LeavesRows) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  Execute(*connection,
          "INSERT INTO markers (worker, test_name) VALUES (1, 'a'), (2, 'b')");
}

TEST(Leaks, CleansUp) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  Execute(*connection,
          "INSERT INTO markers (worker, test_name) VALUES (1, 'gone')");
  Execute(*connection, "DELETE FROM markers");
}

TEST(Leaks, ChangesARow) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  Execute(*connection, "UPDATE items SET label = 'changed' WHERE id = 2");
}

TEST(Leaks, OnlyReads) {
  std::unique_ptr<Connection> connection = Connect();
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(Value(*connection, "SELECT COUNT(*) FROM items"), "3");
}

}  // namespace
