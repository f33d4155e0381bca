// PostgreSQL-only tests: clone timings of a ~20 MB template, and the
// sealed template's fingerprint.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "gtest_parallel/backend.h"
#include "test_support.h"

namespace gtest_parallel {
namespace {

using testing_support::FreshToken;
using testing_support::MillisecondsSince;

class PostgresqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string url = testing_support::ServerUrl("GTEST_PARALLEL_TEST_PG_URL");
    ASSERT_FALSE(url.empty());
    ASSERT_OK(CreateBackend(url, BackendOptions(), &backend_));
    before_ = testing_support::OwnDatabases(*backend_);
  }
  void TearDown() override {
    if (backend_ != nullptr) {
      EXPECT_EQ(testing_support::OwnDatabases(*backend_), before_)
          << "the test left databases behind";
    }
  }
  std::string Value(const std::string& database, const std::string& sql) {
    std::unique_ptr<Connection> connection;
    std::string value;
    Status status = backend_->Connect(database, &connection);
    if (status.ok()) status = connection->QueryValue(sql, &value);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return value;
  }

  std::unique_ptr<Backend> backend_;
  std::vector<std::string> before_;
};

TEST_F(PostgresqlTest, TwentyMegabyteTemplateClonesQuickly) {
  std::string template_name;
  ASSERT_OK(
      backend_->CreateTemplate("gtpb_pg_large", FreshToken(), &template_name));
  FillSpec fill;
  fill.callback = [](Connection& connection) {
    return connection.Execute(
        "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS a, "
        "md5((-g)::text) AS b FROM generate_series(1, 90000) g; "
        "ALTER TABLE big ADD PRIMARY KEY (id); CREATE INDEX ON big (a)");
  };
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->FillTemplate(template_name, fill));
  double fill_ms = MillisecondsSince(start);
  double megabytes =
      std::stod(
          Value(template_name, "SELECT pg_database_size(current_database())")) /
      (1 << 20);
  EXPECT_GT(megabytes, 15);

  std::string clone;
  start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->Clone(template_name, 1, &clone));
  double first_ms = MillisecondsSince(start);  // Includes sealing.
  start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->Verify(clone));
  double verify_ms = MillisecondsSince(start);
  ASSERT_OK(backend_->Drop(clone));
  start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->Clone(template_name, 1, &clone));
  double one_ms = MillisecondsSince(start);
  ASSERT_OK(backend_->Drop(clone));

  std::vector<std::string> clones;
  start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->CloneAll(template_name, 4, &clones));
  double all_ms = MillisecondsSince(start);
  EXPECT_EQ(Value(clones[3], "SELECT count(*) FROM big"), "90000");
  std::printf(
      "[ timing ] PostgreSQL template of %.1f MB (fill %.0f ms): first "
      "clone with sealing %.0f ms, one clone %.0f ms, CloneAll(4) %.0f ms, "
      "Verify %.0f ms\n",
      megabytes, fill_ms, first_ms, one_ms, all_ms, verify_ms);
  RecordProperty("clone_ms", std::to_string(one_ms));
  EXPECT_LT(one_ms, 20000);  // Generous: only catches a dump | load.
  for (const std::string& name : clones) ASSERT_OK(backend_->Drop(name));
  ASSERT_OK(backend_->Drop(template_name));
}

TEST_F(PostgresqlTest, SealedTemplateCarriesItsFingerprint) {
  std::string template_name, clone;
  ASSERT_OK(
      backend_->CreateTemplate("gtpb_pg_seal", FreshToken(), &template_name));
  FillSpec fill;
  fill.callback = [](Connection& connection) {
    return connection.Execute(
        "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2); "
        "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ "
        "LANGUAGE plpgsql; CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW "
        "EXECUTE FUNCTION f()");
  };
  ASSERT_OK(backend_->FillTemplate(template_name, fill));
  ASSERT_OK(backend_->Clone(template_name, 1, &clone));
  std::string row =
      Value("postgres",
            "SELECT datistemplate::text || ' ' || datallowconn::text || ' ' || "
            "shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = '" +
                template_name + "'");
  EXPECT_EQ(row.rfind("true false gtest_parallel fingerprint ", 0), 0u) << row;
  EXPECT_NE(row.find("relations=1 rows=2 functions=1 triggers=1"),
            std::string::npos)
      << row;
  EXPECT_OK(backend_->Verify(clone));
  ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
}

}  // namespace
}  // namespace gtest_parallel
