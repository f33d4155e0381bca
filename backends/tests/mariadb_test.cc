// MariaDB-only tests: clone fidelity (foreign keys, AUTO_INCREMENT
// positions, generated and invisible columns, views, routines, triggers,
// sequences, events, row checksums), clone timing, and incomplete clones.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "gtest_parallel/backend.h"
#include "test_support.h"

namespace gtest_parallel {
namespace {

using testing_support::FreshToken;
using testing_support::MillisecondsSince;

class MariadbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string url =
        testing_support::ServerUrl("GTEST_PARALLEL_TEST_MARIADB_URL");
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
  // Column `column` of the first row of sql.
  static std::string Cell(Connection& connection, const std::string& sql,
                          size_t column = 0) {
    std::vector<Row> rows;
    Status status = connection.Query(sql, &rows);
    EXPECT_TRUE(status.ok()) << sql << ": " << status.ToString();
    return rows.empty() || rows[0].size() <= column ? "" : rows[0][column];
  }

  std::unique_ptr<Backend> backend_;
  std::vector<std::string> before_;
};

TEST_F(MariadbTest, CloneIsFaithful) {
  std::string template_name, clone;
  ASSERT_OK(backend_->CreateTemplate("gtpb_maria_fidelity", FreshToken(),
                                     &template_name));
  FillSpec fill;
  fill.sql_files = {std::string(GTEST_PARALLEL_BACKEND_TEST_SQL_DIR) +
                    "/mariadb_fidelity.sql"};
  ASSERT_OK(backend_->FillTemplate(template_name, fill));
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->Clone(template_name, 1, &clone));
  std::printf("[ timing ] MariaDB clone of the fidelity schema: %.0f ms\n",
              MillisecondsSince(start));
  ASSERT_OK(backend_->Verify(clone));

  std::unique_ptr<Connection> tpl, copy;
  ASSERT_OK(backend_->Connect(template_name, &tpl));
  ASSERT_OK(backend_->Connect(clone, &copy));
  // Same definitions (with AUTO_INCREMENT positions) and the same rows.
  for (const char* table :
       {"customers", "orders", "audit", "settings", "invoice_numbers"}) {
    std::string show = std::string("SHOW CREATE TABLE ") + table;
    EXPECT_EQ(Cell(*tpl, show, 1), Cell(*copy, show, 1)) << table;
    std::string checksum = std::string("CHECKSUM TABLE `") + template_name +
                           "`." + table + ", `" + clone + "`." + table;
    std::vector<Row> sums;
    ASSERT_OK(copy->Query(checksum, &sums));
    ASSERT_EQ(sums.size(), 2u);
    EXPECT_EQ(sums[0][1], sums[1][1]) << table;
  }
  EXPECT_NE(
      Cell(*tpl, "SHOW CREATE TABLE customers", 1).find("AUTO_INCREMENT=6"),
      std::string::npos);
  for (const char* routine : {"FUNCTION order_total", "PROCEDURE add_order"}) {
    std::string show = std::string("SHOW CREATE ") + routine;
    EXPECT_EQ(Cell(*tpl, show, 2), Cell(*copy, show, 2)) << routine;
  }
  for (const char* view : {"customer_totals", "big_customers"}) {
    std::string definition =
        Cell(*copy, std::string("SHOW CREATE VIEW ") + view, 1);
    EXPECT_EQ(definition.find(template_name), std::string::npos) << definition;
  }
  EXPECT_EQ(Cell(*copy,
                 "SELECT COUNT(*) FROM information_schema.TRIGGERS "
                 "WHERE TRIGGER_SCHEMA = DATABASE()"),
            "2");
  EXPECT_EQ(Cell(*copy,
                 "SELECT COUNT(*) FROM information_schema.EVENTS "
                 "WHERE EVENT_SCHEMA = DATABASE()"),
            "1");

  // Invisible columns and a zero id were copied as they were.
  EXPECT_EQ(Cell(*copy, "SELECT secret FROM customers WHERE name = 'ann'"),
            "ann-only");
  EXPECT_EQ(Cell(*copy, "SELECT name FROM customers WHERE id = 0"), "zero");
  // The clone goes on where the template's AUTO_INCREMENT was.
  ASSERT_OK(copy->Execute("INSERT INTO customers (name) VALUES ('fay')"));
  EXPECT_EQ(Cell(*copy, "SELECT LAST_INSERT_ID()"), "6");
  // Foreign keys are enforced, with their cascade.
  Status status =
      copy->Execute("INSERT INTO orders (customer_id, amount) VALUES (42, 1)");
  EXPECT_NE(status.message().find("foreign key constraint fails"),
            std::string::npos)
      << status.ToString();
  // The procedure, both triggers, the function and the views work on the
  // clone's own tables.
  std::string template_audit = Cell(*tpl, "SELECT COUNT(*) FROM audit");
  ASSERT_OK(copy->Execute("CALL add_order(1, 5)"));
  EXPECT_EQ(Cell(*copy, "SELECT COUNT(*) FROM audit"),
            std::to_string(std::stoi(template_audit) + 1));
  EXPECT_EQ(Cell(*tpl, "SELECT COUNT(*) FROM audit"), template_audit);
  EXPECT_EQ(Cell(*copy, "SELECT total FROM customer_totals WHERE name = 'ann'"),
            "18.75");
  EXPECT_EQ(Cell(*tpl, "SELECT total FROM customer_totals WHERE name = 'ann'"),
            "13.75");
  EXPECT_EQ(Cell(*copy, "SELECT COUNT(*) FROM big_customers"), "2");
  ASSERT_OK(copy->Execute("DELETE FROM customers WHERE name = 'bob'"));
  EXPECT_EQ(Cell(*copy, "SELECT COUNT(*) FROM orders WHERE customer_id = 2"),
            "0");
  EXPECT_GE(std::stoll(Cell(*copy, "SELECT NEXTVAL(invoice_numbers)")), 101);
  // Changed since: Verify notices.
  EXPECT_EQ(backend_->Verify(clone).code(), ErrorCode::kVerifyFailed);
  tpl.reset();
  copy.reset();
  ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
}

TEST_F(MariadbTest, CloneTimingOfATenMegabyteTemplate) {
  std::string template_name;
  ASSERT_OK(backend_->CreateTemplate("gtpb_maria_timing", FreshToken(),
                                     &template_name));
  FillSpec fill;
  fill.callback = [](Connection& connection) {
    Status status;
    for (int table = 0; status.ok() && table < 50; ++table) {
      std::string name = "t" + std::to_string(table);
      int rows = table == 0 ? 50000 : 800;
      status = connection.Execute(
          "CREATE TABLE " + name +
          " (id INT AUTO_INCREMENT PRIMARY KEY, a CHAR(32), b CHAR(40), "
          "KEY (a))");
      if (status.ok()) {
        status = connection.Execute("INSERT INTO " + name +
                                    " (a, b) SELECT MD5(seq), SHA1(seq) "
                                    "FROM seq_1_to_" +
                                    std::to_string(rows));
      }
    }
    return status;
  };
  ASSERT_OK(backend_->FillTemplate(template_name, fill));
  std::unique_ptr<Connection> connection;
  ASSERT_OK(backend_->Connect(template_name, &connection));
  std::string bytes;
  ASSERT_OK(connection->QueryValue(
      "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES "
      "WHERE TABLE_SCHEMA = DATABASE()",
      &bytes));
  connection.reset();

  std::vector<std::string> clones;
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->CloneAll(template_name, 2, &clones));
  double clone_ms = MillisecondsSince(start) / 2;
  start = std::chrono::steady_clock::now();
  ASSERT_OK(backend_->Verify(clones[0]));
  double verify_ms = MillisecondsSince(start);
  std::printf(
      "[ timing ] MariaDB template of 51 tables, %.1f MB: %.0f ms per "
      "verified clone (CloneAll(2)), Verify %.0f ms\n",
      std::stod(bytes) / (1 << 20), clone_ms, verify_ms);
  for (const std::string& clone : clones) ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
}

TEST_F(MariadbTest, IncompleteCloneFailsVerification) {
  std::string template_name;
  ASSERT_OK(backend_->CreateTemplate("gtpb_maria_incomplete", FreshToken(),
                                     &template_name));
  std::string clone = CloneName(template_name, 1);
  {
    std::unique_ptr<Connection> admin;
    ASSERT_OK(backend_->Connect("", &admin));
    ASSERT_OK(admin->Execute("CREATE DATABASE `" + clone +
                             "` COMMENT 'gtest_parallel: incomplete clone of " +
                             template_name + "'"));
  }
  Status status = backend_->Verify(clone);
  EXPECT_EQ(status.code(), ErrorCode::kVerifyFailed);
  EXPECT_NE(status.message().find("not complete"), std::string::npos)
      << status.ToString();
  ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
}

}  // namespace
}  // namespace gtest_parallel
