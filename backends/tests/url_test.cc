// Tests of database URL parsing, printing and redaction.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gtest_parallel
