// Each backend's connection_string() opens the worker's clone with the
// client library's own call (libpq's PQconnectdb, MariaDB Connector/C's
// mariadb_connect, sqlite3_open_v2 with SQLITE_OPEN_URI), and programs a
// test starts (psql, mariadb, sqlite3) reach it with no arguments through
// the environment. Run with --gtest_parallel=2 and serially.
#include <libpq-fe.h>
#include <mysql.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "client_databases.h"

namespace {

using gtest_parallel::Database;

// What a shell command prints on stdout.
std::string Output(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buffer[512];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  pclose(pipe);
  return output;
}

std::string Variable(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "<unset>" : value;
}

TEST(Libpq, ConnectionStringOpensTheClone) {
  PGconn* conn = PQconnectdb(Database("pg").connection_string().c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* result =
      PQexec(conn, "SELECT current_database(), (SELECT v FROM t)");
  ASSERT_EQ(PQresultStatus(result), PGRES_TUPLES_OK) << PQerrorMessage(conn);
  EXPECT_EQ(std::string(PQgetvalue(result, 0, 0)), Database("pg").name());
  EXPECT_EQ(std::string(PQgetvalue(result, 0, 1)), "seeded");
  PQclear(result);
  PQfinish(conn);
}

TEST(MariadbConnectorC, ConnectionStringOpensTheClone) {
  MYSQL* mysql = mysql_init(nullptr);
  ASSERT_NE(mysql, nullptr);
  ASSERT_NE(
      mariadb_connect(mysql, Database("maria").connection_string().c_str()),
      nullptr)
      << mysql_error(mysql);
  ASSERT_EQ(mysql_query(mysql, "SELECT DATABASE(), (SELECT v FROM t)"), 0)
      << mysql_error(mysql);
  MYSQL_RES* result = mysql_store_result(mysql);
  ASSERT_NE(result, nullptr);
  MYSQL_ROW row = mysql_fetch_row(result);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(std::string(row[0]), Database("maria").name());
  EXPECT_EQ(std::string(row[1]), "seeded");
  mysql_free_result(result);
  mysql_close(mysql);
}

TEST(MariadbConnectorC, StringIsKeyValuePairs) {
  const std::string text = Database("maria").connection_string();
  EXPECT_EQ(text.rfind("host=", 0), 0u);
  EXPECT_NE(text.find(";database=" + Database("maria").name()),
            std::string::npos);
  EXPECT_EQ(text.find("mariadb://"), std::string::npos);
  // The URL form stays available.
  EXPECT_EQ(Database("maria").url().rfind("mariadb://", 0), 0u);
  EXPECT_NE(Database("maria").url().find("/" + Database("maria").name() + "?"),
            std::string::npos);
  // GTEST_PARALLEL_DATABASE_URL is the first declared database's.
  EXPECT_EQ(Database("pg").url(), Variable("GTEST_PARALLEL_DATABASE_URL"));
}

// Opens a SQLite clone by its connection string and reads t.
void ExpectSqliteClone(const std::string& alias) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(Database(alias).connection_string().c_str(), &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, nullptr),
            SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT v FROM t", -1, &statement, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(
                sqlite3_column_text(statement, 0))),
            "seeded");
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

TEST(Sqlite, ConnectionStringsOpenTheClones) {
  ExpectSqliteClone("mem");
  ExpectSqliteClone("file");
}

TEST(ChildProcess, PsqlNeedsNoArguments) {
  EXPECT_EQ(Output("psql -XAtc 'SELECT current_database()'"),
            Database("pg").name() + "\n");
}

TEST(ChildProcess, MariadbClientNeedsNoArguments) {
  const auto parameters = Database("maria").parameters();
  EXPECT_EQ(Output("mariadb -NBe 'SELECT DATABASE(), CURRENT_USER(), v "
                   "FROM t' 2>&1"),
            Database("maria").name() + "\t" + parameters.at("user") +
                "@localhost\tseeded\n");
  EXPECT_EQ(Output("mariadb-admin ping 2>&1"), "mysqld is alive\n");
}

TEST(ChildProcess, EachSqliteAliasHasItsVariable) {
  EXPECT_EQ(Variable("GTEST_PARALLEL_SQLITE_DATABASE_MEM"),
            Database("mem").connection_string());
  EXPECT_EQ(Variable("GTEST_PARALLEL_SQLITE_DATABASE_FILE"),
            Database("file").connection_string());
  // The plain variable names the file database, which other processes can
  // open, though the in-memory one was declared first.
  EXPECT_EQ(Variable("GTEST_PARALLEL_SQLITE_DATABASE"),
            Database("file").connection_string());
  EXPECT_EQ(Output("sqlite3 \"$GTEST_PARALLEL_SQLITE_DATABASE\" "
                   "'SELECT v FROM t'"),
            "seeded\n");
}

}  // namespace

int main(int argc, char** argv) {
  gtest_parallel::InitGoogleTest(&argc, argv);
  client_databases::DeclareAll(/*sqlite=*/true);
  return gtest_parallel::RunAllTests();
}
