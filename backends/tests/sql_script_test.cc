// Tests of splitting SQL scripts into statements.
#include "gtest_parallel/internal/sql_script.h"

#include <gtest/gtest.h>

namespace gtest_parallel::internal {
namespace {

std::vector<std::string> Texts(const std::vector<SqlStatement>& statements) {
  std::vector<std::string> texts;
  for (const SqlStatement& statement : statements) {
    texts.push_back(statement.text);
  }
  return texts;
}

TEST(SqlScriptTest, PostgresqlQuotesCommentsAndLines) {
  const std::string script =
      "-- header; comment\n"
      "CREATE TABLE t (a text DEFAULT ';');\n"
      "\n"
      "/* outer /* nested; */ still; */ INSERT INTO \"x;y\" VALUES (E'\\';');\n"
      "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ "
      "LANGUAGE sql;\n"
      "SELECT $1, a$b FROM t;;\n"
      "   \n";
  std::vector<SqlStatement> statements =
      SplitSqlScript(script, SqlDialect::kPostgreSql);
  ASSERT_EQ(statements.size(), 4u)
      << ::testing::PrintToString(Texts(statements));
  EXPECT_EQ(statements[0].text, "CREATE TABLE t (a text DEFAULT ';')");
  EXPECT_EQ(statements[0].line, 2);
  EXPECT_EQ(statements[1].text, "INSERT INTO \"x;y\" VALUES (E'\\';')");
  EXPECT_EQ(statements[1].line, 4);
  EXPECT_EQ(statements[2].line, 5);
  EXPECT_NE(statements[2].text.find("SELECT 1; $body$"), std::string::npos);
  EXPECT_EQ(statements[3].text, "SELECT $1, a$b FROM t");
}

TEST(SqlScriptTest, MariadbDelimiterBackslashesAndExecutableComments) {
  const std::string script =
      "# hash comment; here\n"
      "INSERT INTO t VALUES ('it\\'s; fine', \"q;\", `c;`);\n"
      "/*!40101 SET NAMES utf8mb4 */;\n"
      "DELIMITER //\n"
      "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\n"
      "DELIMITER ;\n"
      "--not a comment in MariaDB\n"
      "SELECT 1;\n";
  std::vector<SqlStatement> statements =
      SplitSqlScript(script, SqlDialect::kMariaDb);
  ASSERT_EQ(statements.size(), 4u)
      << ::testing::PrintToString(Texts(statements));
  EXPECT_EQ(statements[0].line, 2);
  EXPECT_EQ(statements[1].text, "/*!40101 SET NAMES utf8mb4 */");
  EXPECT_EQ(statements[2].text,
            "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END");
  EXPECT_EQ(statements[2].line, 5);
  EXPECT_EQ(statements[3].text, "--not a comment in MariaDB\nSELECT 1");
  EXPECT_EQ(statements[3].line, 7);
}

TEST(SqlScriptTest, RunSqlFileReportsFileAndLine) {
  Status status = RunSqlFile("/nonexistent/schema.sql", SqlDialect::kPostgreSql,
                             [](const std::string&, int*) { return Status(); });
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_NE(status.message().find("/nonexistent/schema.sql"),
            std::string::npos);
}

TEST(SqlScriptTest, Helpers) {
  EXPECT_EQ(LineAtOffset("a\nb\nc", 0), 1);
  EXPECT_EQ(LineAtOffset("a\nb\nc", 2), 2);
  EXPECT_EQ(LineAtOffset("a\nb\nc", 99), 3);
  EXPECT_EQ(ToBase36(35, 3), "00z");
  EXPECT_EQ(ToBase36(36, 1), "10");
}

// The password is hidden where it is given as one, and nowhere else: a
// path that holds the same letters stays intact.
TEST(SqlScriptTest, ScrubPasswordHidesOnlyThePassword) {
  EXPECT_EQ(ScrubPassword("cannot create /tmp/x/tmp.db", {"tmp"}),
            "cannot create /tmp/x/tmp.db");
  EXPECT_EQ(ScrubPassword("see postgresql://u:tmp@h/tmp?host=/tmp", {"tmp"}),
            "see postgresql://u:***@h/tmp?host=/tmp");
  EXPECT_EQ(ScrubPassword("host='/tmp' password='tmp' dbname='tmp'", {"tmp"}),
            "host='/tmp' password=*** dbname='tmp'");
  EXPECT_EQ(ScrubPassword("password='it\\'s' user='it'", {"it's"}),
            "password=*** user='it'");
  EXPECT_EQ(ScrubPassword("PGPASSWORD=tmp PGHOST=/tmp", {"tmp"}),
            "PGPASSWORD=*** PGHOST=/tmp");
  EXPECT_EQ(ScrubPassword("MYSQL_PWD=tmp.", {"tmp"}), "MYSQL_PWD=***.");
  EXPECT_EQ(
      ScrubPassword("x://u:a%40b@h/?password=a%40b&p=/a@b", {"a@b", "a%40b"}),
      "x://u:***@h/?password=***&p=/a@b");
  EXPECT_EQ(ScrubPassword("password=other", {"tmp"}), "password=other");
  EXPECT_EQ(ScrubPassword("u:@h /", {""}), "u:@h /");
  EXPECT_EQ(ScrubPassword("text", {}), "text");
}

}  // namespace
}  // namespace gtest_parallel::internal
