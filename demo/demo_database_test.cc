// Demo tests (see demo_test.cc) of an order book kept in a database that
// gtest_parallel makes for each worker.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "demo_util.h"
#include "gtest_parallel/database.h"

namespace {

using demo::SimulateLatency;

// ---------------------------------------------------------------------------
// An order book in SQLite. The database is declared once; the run fills a
// template with the schema and the price list, and every worker gets a
// copy of its own (in memory), so the tests below can write freely. Point
// it at a server with GTEST_PARALLEL_DB_SHOP=postgresql://... (linking
// gtest_parallel::postgresql).

const bool kShopDeclared = gtest_parallel::DeclareDatabase(
    gtest_parallel::DatabaseDeclaration("shop", "sqlite::memory:")
        .WithSchemaVersion("1")
        .WithSetup([](gtest_parallel::Connection& connection) {
          for (const char* sql : {
                   "CREATE TABLE prices (item VARCHAR(20) PRIMARY KEY, "
                   "cents INTEGER NOT NULL)",
                   "CREATE TABLE orders (id INTEGER PRIMARY KEY, "
                   "item VARCHAR(20) NOT NULL REFERENCES prices (item), "
                   "quantity INTEGER NOT NULL)",
                   "INSERT INTO prices (item, cents) VALUES ('apple', 40), "
                   "('pear', 55), ('plum', 25)",
               }) {
            gtest_parallel::Status status = connection.Execute(sql);
            if (!status.ok()) return status;
          }
          return gtest_parallel::Status();
        }));

class OrderBookTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(gtest_parallel::Database("shop").Connect(&db_).ok());
    ASSERT_TRUE(db_->Execute("DELETE FROM orders").ok());
  }
  void Order(const std::string& item, int quantity) {
    SimulateLatency(10);  // A round trip to the order service.
    ASSERT_TRUE(db_->Execute("INSERT INTO orders (item, quantity) VALUES ('" +
                             item + "', " + std::to_string(quantity) + ")")
                    .ok());
  }
  std::string Value(const std::string& sql) {
    std::string value;
    EXPECT_TRUE(db_->QueryValue(sql, &value).ok()) << sql;
    return value;
  }
  std::unique_ptr<gtest_parallel::Connection> db_;
};

TEST_F(OrderBookTest, StartsWithThePriceList) {
  EXPECT_EQ(Value("SELECT COUNT(*) FROM prices"), "3");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM orders"), "0");
}

TEST_F(OrderBookTest, TotalsAnOrder) {
  Order("apple", 3);
  Order("plum", 2);
  EXPECT_EQ(Value("SELECT SUM(o.quantity * p.cents) FROM orders o "
                  "JOIN prices p ON p.item = o.item"),
            "170");
}

TEST_F(OrderBookTest, CountsOrdersPerItem) {
  Order("pear", 1);
  Order("pear", 4);
  Order("apple", 1);
  EXPECT_EQ(Value("SELECT SUM(quantity) FROM orders WHERE item = 'pear'"), "5");
}

TEST_F(OrderBookTest, FindsTheBestSeller) {
  Order("plum", 7);
  Order("apple", 2);
  EXPECT_EQ(Value("SELECT item FROM orders GROUP BY item "
                  "ORDER BY SUM(quantity) DESC LIMIT 1"),
            "plum");
}

TEST_F(OrderBookTest, DatabaseIsTheWorkersOwn) {
  // The same name is in the environment, for programs a test starts.
  const char* name = std::getenv("GTEST_PARALLEL_DATABASE_SHOP");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(gtest_parallel::Database("shop").name(), name);
}

}  // namespace
