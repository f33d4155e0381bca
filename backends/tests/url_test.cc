// Tests of database URL parsing, printing and redaction.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/database_url.h"
#include "test_support.h"

namespace gtest_parallel {
namespace {

constexpr char kSecret[] = "s3cr:t@pw";

TEST(UrlTest, PostgresqlOnUnixSocket) {
  DatabaseUrl url;
  ASSERT_OK(ParseDatabaseUrl(
      "postgresql://gtp:pw%40x@/postgres?host=/tmp/pg/run&port=5433&"
      "sslmode=disable",
      &url));
  EXPECT_EQ(url.scheme, "postgresql");
  EXPECT_EQ(url.user, "gtp");
  EXPECT_EQ(url.password, "pw@x");
  EXPECT_EQ(url.host, "");
  EXPECT_EQ(url.socket, "/tmp/pg/run");
  EXPECT_EQ(url.port, 5433);
  EXPECT_EQ(url.database, "postgres");
  EXPECT_EQ(url.params.at("sslmode"), "disable");
  EXPECT_EQ(url.Redacted(),
            "postgresql://gtp:***@/postgres?host=/tmp/pg/run&port=5433&"
            "sslmode=disable");
}

TEST(UrlTest, AliasesAndTcp) {
  DatabaseUrl url;
  ASSERT_OK(ParseDatabaseUrl("postgres://u@db.example:6543/app", &url));
  EXPECT_EQ(url.scheme, "postgresql");
  EXPECT_EQ(url.host, "db.example");
  EXPECT_EQ(url.port, 6543);
  EXPECT_EQ(url.database, "app");
  ASSERT_OK(ParseDatabaseUrl("MySQL://u:p@[::1]:3307/", &url));
  EXPECT_EQ(url.scheme, "mariadb");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 3307);
  EXPECT_EQ(url.Redacted(), "mariadb://u:***@[::1]:3307/");
}

TEST(UrlTest, MariadbSocket) {
  DatabaseUrl url;
  ASSERT_OK(ParseDatabaseUrl(
      "mariadb://gtp:pw@localhost/?socket=/tmp/m/mysqld.sock", &url));
  EXPECT_EQ(url.scheme, "mariadb");
  EXPECT_EQ(url.host, "localhost");
  EXPECT_EQ(url.socket, "/tmp/m/mysqld.sock");
  EXPECT_EQ(url.database, "");
  EXPECT_TRUE(url.params.empty());
}

TEST(UrlTest, SqliteForms) {
  DatabaseUrl url;
  ASSERT_OK(ParseDatabaseUrl("sqlite:///abs/dir/app.db", &url));
  EXPECT_EQ(url.database, "/abs/dir/app.db");
  EXPECT_EQ(url.ToString(), "sqlite:///abs/dir/app.db");
  ASSERT_OK(ParseDatabaseUrl("sqlite:rel/dir/", &url));
  EXPECT_EQ(url.database, "rel/dir/");
  for (const char* memory :
       {"sqlite::memory:", "sqlite://:memory:", "sqlite3:x?mode=memory"}) {
    ASSERT_OK(ParseDatabaseUrl(memory, &url));
    EXPECT_EQ(url.scheme, "sqlite") << memory;
    EXPECT_EQ(url.database, ":memory:") << memory;
  }
  ASSERT_OK(ParseDatabaseUrl("sqlite:", &url));
  EXPECT_EQ(url.database, "");
}

TEST(UrlTest, RoundTripsThroughToString) {
  DatabaseUrl url, again;
  ASSERT_OK(ParseDatabaseUrl(std::string("postgresql://us%20er:") +
                                 "a%2Fb%3Fc%40d" +
                                 "@h:1/d%20b?application_name=x%26y",
                             &url));
  EXPECT_EQ(url.password, "a/b?c@d");
  ASSERT_OK(ParseDatabaseUrl(url.ToString(), &again));
  EXPECT_EQ(again.user, "us er");
  EXPECT_EQ(again.password, "a/b?c@d");
  EXPECT_EQ(again.database, "d b");
  EXPECT_EQ(again.params.at("application_name"), "x&y");
}

TEST(UrlTest, MalformedUrlsHaveClearErrorsWithoutThePassword) {
  struct Case {
    std::string url;
    std::string why;
  };
  const std::string secret = kSecret;
  const std::vector<Case> cases = {
      {"", "empty"},
      {"localhost/db", "no scheme"},
      {"1pg://u:" + secret + "@h/db", "start with a letter"},
      {"postgresql:u:" + secret + "@h/db", "expected '//'"},
      {"postgresql://u:" + secret + "@h:99999/db", "port '99999'"},
      {"postgresql://u:" + secret + "@h:abc/db", "port 'abc'"},
      {"postgresql://u:" + secret + "@h:/db", "empty port"},
      {"mariadb://u:" + secret + "@h/a/b", "contains '/'"},
      {"mariadb://u:" + secret + "@h/db%zz", "%-escape"},
      {"mariadb://u:" + secret + "@[::1/db", "unclosed '['"},
      {"postgresql://:" + secret + "@h/db", "password without a user"},
      {"sqlite://u:" + secret + "@host/x", "a sqlite URL has a path"},
      {"postgresql://u:" + secret + "@h/db?port=0", "port '0'"},
  };
  for (const Case& test : cases) {
    DatabaseUrl url;
    Status status = ParseDatabaseUrl(test.url, &url);
    EXPECT_EQ(status.code(), ErrorCode::kMalformedUrl) << test.url;
    EXPECT_NE(status.message().find(test.why), std::string::npos)
        << status.message();
    EXPECT_EQ(status.message().find("s3cr"), std::string::npos)
        << status.message();
  }
}

TEST(UrlTest, RedactUrlTextHidesPasswordsInAnyText) {
  EXPECT_EQ(RedactUrlText("see postgresql://u:p@ss@h/db now"),
            "see postgresql://u:***@h/db now");
  EXPECT_EQ(RedactUrlText("host='/x' password='it\\'s' user='u'"),
            "host='/x' password=*** user='u'");
  EXPECT_EQ(RedactUrlText("x://h/?user=u&password=pw&a=b"),
            "x://h/?user=u&password=***&a=b");
  EXPECT_EQ(RedactUrlText("no url here"), "no url here");
}

// Backend errors hide the password where it is given as one, never
// letters of a path that happen to be the same (or, with no password,
// anything).
TEST(UrlTest, BackendErrorsKeepPathsIntact) {
  const std::string directory = testing_support::MakeTempDirectory();
  std::unique_ptr<Backend> sqlite;
  ASSERT_OK(CreateBackend("sqlite://" + directory + "/app.db", BackendOptions(),
                          &sqlite));
  std::unique_ptr<Connection> connection;
  Status status = sqlite->Connect("missing", &connection);
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_NE(status.message().find(directory + "/missing.db"), std::string::npos)
      << status.message();
  EXPECT_EQ(status.message().find("***"), std::string::npos)
      << status.message();
  testing_support::RemoveTree(directory);

  // The password "tmp" is also in the socket directory's path.
  std::unique_ptr<Backend> postgresql;
  BackendOptions options;
  options.connect_timeout_seconds = 2;
  ASSERT_OK(CreateBackend(
      "postgresql://u:tmp@/postgres?host=/tmp/gtp_no_such_dir/tmp", options,
      &postgresql));
  std::vector<std::string> names;
  status = postgresql->ListDatabases(&names);
  EXPECT_EQ(status.code(), ErrorCode::kUnreachable) << status.ToString();
  EXPECT_NE(status.message().find("/tmp/gtp_no_such_dir/tmp"),
            std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace gtest_parallel
