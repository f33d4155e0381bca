// Backend::PrepareReset, Reset and Differences against SQLite (file and
// in-memory) and the PostgreSQL and MariaDB servers of
// scripts/start-databases.sh: unchanged clones cost one check, changed rows
// are copied back (foreign keys, generated columns, a table without a
// primary key, a mixed-case name, an emptied table, sequences), schema
// changes fall back to Restore, idle sessions do not block a reset,
// locks held past the timeout give an error naming the table, and
// Differences lists only tables whose rows differ.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "reset_fixture.h"

namespace gtest_parallel {
namespace {

using reset_testing::Describe;
using reset_testing::kLockTimeoutSeconds;
using reset_testing::ResetTest;
using reset_testing::Target;
using testing_support::MillisecondsSince;

TEST_P(ResetTest, UnchangedCloneIsNotCopied) {
  const std::string expected = Dump(clones_[1]);
  EXPECT_TRUE(Differences(clones_[0]).empty());
  for (int i = 0; i < 3; ++i) {
    ResetStats stats = ExpectReset(clones_[0]);
    EXPECT_FALSE(stats.changed);
    EXPECT_FALSE(stats.restored);
    EXPECT_TRUE(stats.tables.empty());
  }
  // Reading is no change either.
  EXPECT_EQ(Dump(clones_[0]), expected);
  EXPECT_FALSE(ExpectReset(clones_[0]).changed);
  EXPECT_OK(backend_->Verify(clones_[0]));
}

TEST_P(ResetTest, ChangedRowsAreCopiedBack) {
  const std::string expected = Dump(clones_[1]);
  Change(clones_[0],
         {"INSERT INTO \"Customers\" (name) VALUES ('dee')",
          "INSERT INTO orders VALUES (5, 4, 50), (6, 1, 60)",
          "UPDATE \"Customers\" SET name = 'bobby' WHERE id = 2",
          "UPDATE orders SET amount = amount + 1 WHERE id = 1",
          "DELETE FROM \"Customers\" WHERE id = 3",  // Cascades to order 4.
          "DELETE FROM notes"});
  EXPECT_NE(Dump(clones_[0]), expected);
  EXPECT_EQ(Describe(Differences(clones_[0])),
            (std::vector<std::string>{"Customers 3 3", "audit 0 2", "notes 2 0",
                                      "orders 4 5"}));
  ResetStats stats = ExpectReset(clones_[0]);
  EXPECT_TRUE(stats.changed);
  EXPECT_FALSE(stats.restored);
  std::sort(stats.tables.begin(), stats.tables.end());
  EXPECT_EQ(stats.tables, (std::vector<std::string>{"Customers", "audit",
                                                    "notes", "orders"}));
  EXPECT_EQ(Dump(clones_[0]), expected);
  EXPECT_TRUE(Differences(clones_[0]).empty());
  EXPECT_OK(backend_->Verify(clones_[0]));
  EXPECT_FALSE(ExpectReset(clones_[0]).changed);
}

TEST_P(ResetTest, DifferencesNameChangesThatKeepTheCount) {
  Change(clones_[0], {"UPDATE orders SET amount = 0 WHERE id = 2"});
  EXPECT_EQ(Describe(Differences(clones_[0])),
            (std::vector<std::string>{"orders 4 4"}));
  ResetStats stats = ExpectReset(clones_[0]);
  EXPECT_EQ(stats.tables, (std::vector<std::string>{"orders"}));
  EXPECT_EQ(Dump(clones_[0]), Dump(clones_[1]));
  EXPECT_TRUE(Differences(clones_[0]).empty());
}

TEST_P(ResetTest, SequencesStartAgain) {
  const std::string first_id = NextCustomerId(clones_[1]);
  EXPECT_EQ(first_id, "4");
  Change(clones_[0],
         {"INSERT INTO \"Customers\" (name) VALUES ('eve')",
          "INSERT INTO \"Customers\" (name) VALUES ('fay')", "BEGIN",
          "INSERT INTO \"Customers\" (name) VALUES ('gus')", "ROLLBACK"});
  ExpectReset(clones_[0]);
  EXPECT_EQ(NextCustomerId(clones_[0]), first_id);
  EXPECT_TRUE(ExpectReset(clones_[0]).changed);
  // A rolled-back insert alone moves the sequence too (not SQLite's).
  Change(
      clones_[0],
      {"BEGIN", "INSERT INTO \"Customers\" (name) VALUES ('hal')", "ROLLBACK"});
  ExpectReset(clones_[0]);
  ExpectReset(clones_[1]);
  EXPECT_EQ(NextCustomerId(clones_[0]), first_id);
  ExpectReset(clones_[0]);
  EXPECT_OK(backend_->Verify(clones_[0]));
}

TEST_P(ResetTest, SchemaChangesRestoreTheClone) {
  const std::string expected = Dump(clones_[1]);
  struct Case {
    std::string sql;
    std::string difference;
  };
  for (const Case& test :
       {Case{"CREATE TABLE extra (id INTEGER)", "extra -1 0 schema"},
        Case{"DROP TABLE notes", "notes 2 -1 schema"},
        Case{"ALTER TABLE orders ADD COLUMN extra INTEGER",
             "orders 4 4 schema"}}) {
    SCOPED_TRACE(test.sql);
    Change(clones_[0], {test.sql});
    std::vector<std::string> differences = Describe(Differences(clones_[0]));
    EXPECT_NE(
        std::find(differences.begin(), differences.end(), test.difference),
        differences.end())
        << ::testing::PrintToString(differences);
    ResetStats stats = ExpectReset(clones_[0]);
    EXPECT_TRUE(stats.changed);
    EXPECT_TRUE(stats.restored);
    EXPECT_OK(backend_->Verify(clones_[0]));
    EXPECT_EQ(Dump(clones_[0]), expected);
    EXPECT_TRUE(Differences(clones_[0]).empty());
    EXPECT_FALSE(ExpectReset(clones_[0]).changed);
  }
  std::unique_ptr<Connection> connection = Open(clones_[0]);
  ASSERT_NE(connection, nullptr);
  std::vector<Row> rows;
  EXPECT_FALSE(connection->Query("SELECT * FROM extra", &rows).ok());
  EXPECT_FALSE(connection->Query("SELECT extra FROM orders", &rows).ok());
}

TEST_P(ResetTest, IdleSessionsDoNotBlockReset) {
  const std::string expected = Dump(clones_[1]);
  std::unique_ptr<Connection> writer = Open(clones_[0]);
  std::unique_ptr<Connection> reader = Open(clones_[0]);
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  Run(*writer, {"INSERT INTO orders VALUES (7, 2, 70)",
                "UPDATE notes SET body = 'changed' WHERE body = 'first'"});
  std::string count;
  EXPECT_OK(reader->QueryValue("SELECT count(*) FROM orders", &count));
  EXPECT_EQ(count, "5");
  auto start = std::chrono::steady_clock::now();
  ResetStats stats = ExpectReset(clones_[0]);
  EXPECT_LT(MillisecondsSince(start), 1000.0);
  EXPECT_TRUE(stats.changed);
  EXPECT_FALSE(stats.restored);
  EXPECT_EQ(Dump(clones_[0]), expected);
  // The sessions are still there.
  EXPECT_OK(reader->QueryValue("SELECT count(*) FROM orders", &count));
  EXPECT_EQ(count, "4");
  EXPECT_OK(writer->Execute("SELECT 1"));
}

TEST_P(ResetTest, LockHeldPastTheTimeoutNamesTheTable) {
  std::unique_ptr<Connection> writer = Open(clones_[0]);
  std::unique_ptr<Connection> holder = Open(clones_[0]);
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(holder, nullptr);
  // The runner resets after every test: the connection is open already.
  EXPECT_FALSE(ExpectReset(clones_[0]).changed);
  Run(*writer, {"UPDATE orders SET amount = 11 WHERE id = 1"});
  Run(*holder, {IsSqlite() ? "BEGIN IMMEDIATE" : "BEGIN",
                "UPDATE orders SET amount = 12 WHERE id = 1"});
  auto start = std::chrono::steady_clock::now();
  ResetStats stats;
  Status status = backend_->Reset(clones_[0], &stats);
  double elapsed = MillisecondsSince(start);
  EXPECT_FALSE(status.ok());
  // In-memory SQLite databases cannot even be read while another
  // connection writes: the changed tables are not known then.
  EXPECT_NE(status.message().find(GetParam().memory ? "locked" : "orders"),
            std::string::npos)
      << status.ToString();
  EXPECT_LT(elapsed, kLockTimeoutSeconds * 1000.0 + 3000.0);
  std::printf("[ message ] after %.0f ms: %s\n", elapsed,
              status.ToString().c_str());
  Run(*holder, {"ROLLBACK"});
  stats = ExpectReset(clones_[0]);
  EXPECT_TRUE(stats.changed);
  EXPECT_EQ(Dump(clones_[0]), Dump(clones_[1]));
  EXPECT_OK(backend_->Verify(clones_[0]));
}

TEST_P(ResetTest, TruncatedTableIsPutBack) {
  const std::string expected = Dump(clones_[1]);
  // SQLite has no TRUNCATE; MariaDB's fires no trigger.
  Change(clones_[0], {IsSqlite() ? "DELETE FROM notes" : "TRUNCATE TABLE notes",
                      "INSERT INTO notes VALUES ('third')"});
  std::vector<std::string> differences = Describe(Differences(clones_[0]));
  EXPECT_TRUE(std::find(differences.begin(), differences.end(), "notes 2 1") !=
                  differences.end() ||
              std::find(differences.begin(), differences.end(),
                        "notes 2 1 schema") != differences.end())
      << ::testing::PrintToString(differences);
  ExpectReset(clones_[0]);
  EXPECT_EQ(Dump(clones_[0]), expected);
  EXPECT_OK(backend_->Verify(clones_[0]));
  EXPECT_FALSE(ExpectReset(clones_[0]).changed);
}

// Differences compares rows, not change logs: a table without a primary
// key that holds a row twice.
class DifferencesTest : public ResetTest {
 protected:
  std::vector<std::string> ExtraSchema() const override {
    return {"CREATE TABLE tags (label VARCHAR(20))",
            "INSERT INTO tags VALUES ('red'), ('red'), ('blue')"};
  }
};

TEST_P(DifferencesTest, RowInsertedAndDeletedIsNoDifference) {
  const std::string expected = Dump(clones_[1]);
  // The customer's sequence moves: not listed.
  Change(clones_[0], {"INSERT INTO orders VALUES (9, 1, 90)",
                      "INSERT INTO \"Customers\" (name) VALUES ('dee')",
                      "DELETE FROM orders WHERE id = 9",
                      "DELETE FROM \"Customers\" WHERE name = 'dee'"});
  EXPECT_EQ(Describe(Differences(clones_[0])), std::vector<std::string>());
  EXPECT_TRUE(ExpectReset(clones_[0]).changed);
  EXPECT_EQ(Dump(clones_[0]), expected);
  EXPECT_EQ(NextCustomerId(clones_[0]), NextCustomerId(clones_[1]));
}

TEST_P(DifferencesTest, RowChangedAndChangedBackIsNoDifference) {
  Change(clones_[0], {"UPDATE orders SET amount = 99 WHERE id = 1",
                      "UPDATE \"Customers\" SET name = 'bobby' WHERE id = 2",
                      "UPDATE orders SET amount = 10 WHERE id = 1",
                      "UPDATE \"Customers\" SET name = 'bob' WHERE id = 2",
                      "UPDATE notes SET body = 'third' WHERE body = 'first'",
                      "UPDATE notes SET body = 'first' WHERE body = 'third'"});
  EXPECT_EQ(Describe(Differences(clones_[0])), std::vector<std::string>());
  EXPECT_TRUE(ExpectReset(clones_[0]).changed);
  EXPECT_EQ(Dump(clones_[0]), Dump(clones_[1]));
}

TEST_P(DifferencesTest, ChangedRowsAreListedWithEqualCounts) {
  // MariaDB's collation takes 'FIRST' for 'first': listed all the same.
  // tags: the same labels, one more 'blue' and one 'red' less.
  Change(clones_[0], {"UPDATE orders SET amount = 0 WHERE id = 2",
                      "UPDATE notes SET body = 'FIRST' WHERE body = 'first'",
                      "DELETE FROM tags WHERE label = 'red'",
                      "INSERT INTO tags VALUES ('red'), ('blue')"});
  EXPECT_EQ(Describe(Differences(clones_[0])),
            (std::vector<std::string>{"notes 2 2", "orders 4 4", "tags 3 3"}));
  ExpectReset(clones_[0]);
  EXPECT_EQ(Dump(clones_[0]), Dump(clones_[1]));
  EXPECT_TRUE(Differences(clones_[0]).empty());
}

TEST_P(DifferencesTest, RowOfTableWithoutKeyDeletedAndInsertedIsNoDifference) {
  Change(clones_[0], {"DELETE FROM tags WHERE label = 'red'",
                      "INSERT INTO tags VALUES ('red'), ('red')"});
  EXPECT_EQ(Describe(Differences(clones_[0])), std::vector<std::string>());
  EXPECT_TRUE(ExpectReset(clones_[0]).changed);
  EXPECT_TRUE(Differences(clones_[0]).empty());
}

// PostgreSQL's partitioned tables and inheritance, and a table of types
// without equality.
class PostgresqlResetTest : public ResetTest {
 protected:
  std::vector<std::string> ExtraSchema() const override {
    return {
        "CREATE TABLE events (id integer, day integer, v text, PRIMARY "
        "KEY (id, day)) PARTITION BY RANGE (day)",
        "CREATE TABLE events_early PARTITION OF events FOR VALUES FROM "
        "(0) TO (10)",
        "CREATE TABLE events_late PARTITION OF events FOR VALUES FROM "
        "(10) TO (20)",
        "INSERT INTO events VALUES (1, 1, 'a'), (2, 5, 'b'), (3, 12, 'c')",
        "CREATE TABLE base (id integer PRIMARY KEY, v text)",
        "CREATE TABLE derived (extra text) INHERITS (base)",
        "INSERT INTO base VALUES (1, 'b1')",
        "INSERT INTO derived VALUES (2, 'd2', 'x'), (3, 'd3', 'y')",
        "CREATE TABLE shapes (id integer PRIMARY KEY, at point, doc json)",
        "INSERT INTO shapes VALUES (1, '(1,2)', '{\"a\": 1}')"};
  }
  std::vector<std::string> ExtraDump() const override {
    return {"SELECT id, day, v, tableoid::regclass FROM events ORDER BY id",
            "SELECT id, v, tableoid::regclass FROM base ORDER BY id"};
  }
};

TEST_P(PostgresqlResetTest, PartitionsAndInheritanceArePutBack) {
  const std::string expected = Dump(clones_[1]);
  Change(clones_[0], {"UPDATE events SET day = 15 WHERE id = 2",  // Moves.
                      "DELETE FROM events WHERE id = 3",
                      "INSERT INTO events VALUES (4, 2, 'd')",
                      "UPDATE base SET v = 'changed'",  // And derived's.
                      "DELETE FROM derived WHERE id = 3"});
  EXPECT_EQ(Describe(Differences(clones_[0])),
            (std::vector<std::string>{"base 1 1", "derived 2 1",
                                      "events_early 2 2", "events_late 1 1"}));
  ResetStats stats = ExpectReset(clones_[0]);
  EXPECT_TRUE(stats.changed);
  EXPECT_FALSE(stats.restored);
  EXPECT_EQ(Dump(clones_[0]), expected);
  EXPECT_OK(backend_->Verify(clones_[0]));
  EXPECT_TRUE(Differences(clones_[0]).empty());
}

TEST_P(PostgresqlResetTest, RowsThatCannotBeComparedAreListed) {
  Change(clones_[0], {"UPDATE shapes SET at = '(3,4)', doc = '[]'",
                      "UPDATE shapes SET at = '(1,2)', doc = '{\"a\": 1}'"});
  // point and json have no equality: the table counts as changed.
  EXPECT_EQ(Describe(Differences(clones_[0])),
            (std::vector<std::string>{"shapes 1 1"}));
  EXPECT_TRUE(ExpectReset(clones_[0]).changed);
  EXPECT_TRUE(Differences(clones_[0]).empty());
}

std::string TargetName(const ::testing::TestParamInfo<Target>& info) {
  return info.param.label;
}

const Target kSqliteTargets[] = {{"sqlite_file", "", false},
                                 {"sqlite_memory", "", true}};
// Superusers get event triggers and session_replication_role; other
// roles the schema digest and foreign key order.
const Target kPostgresqlTargets[] = {
    {"postgresql", "GTEST_PARALLEL_TEST_PG_URL"},
    {"postgresql_role", "GTEST_PARALLEL_TEST_PG_URL", false, true}};
const Target kMariadbTargets[] = {
    {"mariadb", "GTEST_PARALLEL_TEST_MARIADB_URL"}};

INSTANTIATE_TEST_SUITE_P(Sqlite, ResetTest, ::testing::ValuesIn(kSqliteTargets),
                         TargetName);
INSTANTIATE_TEST_SUITE_P(Postgresql, ResetTest,
                         ::testing::ValuesIn(kPostgresqlTargets), TargetName);
INSTANTIATE_TEST_SUITE_P(Postgresql, PostgresqlResetTest,
                         ::testing::ValuesIn(kPostgresqlTargets), TargetName);
INSTANTIATE_TEST_SUITE_P(Mariadb, ResetTest,
                         ::testing::ValuesIn(kMariadbTargets), TargetName);
INSTANTIATE_TEST_SUITE_P(Sqlite, DifferencesTest,
                         ::testing::ValuesIn(kSqliteTargets), TargetName);
INSTANTIATE_TEST_SUITE_P(Postgresql, DifferencesTest,
                         ::testing::ValuesIn(kPostgresqlTargets), TargetName);
INSTANTIATE_TEST_SUITE_P(Mariadb, DifferencesTest,
                         ::testing::ValuesIn(kMariadbTargets), TargetName);

}  // namespace
}  // namespace gtest_parallel
