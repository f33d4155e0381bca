// A consumer's tests with a database: an in-memory SQLite database
// declared with gtest_parallel::DeclareDatabase, filled by a callback, one
// clone per worker.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gtest_parallel/database.h"
#include "gtest_parallel/gtest_parallel.h"

namespace {

const bool kDeclared = gtest_parallel::DeclareDatabase(
    gtest_parallel::DatabaseDeclaration("shop", "sqlite::memory:")
        .WithSetup([](gtest_parallel::Connection& connection) {
          gtest_parallel::Status status = connection.Execute(
              "CREATE TABLE orders (id INTEGER PRIMARY KEY, worker INTEGER)");
          return status;
        }));

class OrdersTest : public testing::TestWithParam<int> {};

TEST_P(OrdersTest, SeesOnlyItsWorkersOrders) {
  std::unique_ptr<gtest_parallel::Connection> connection;
  ASSERT_TRUE(gtest_parallel::Database("shop").Connect(&connection).ok());
  const std::string worker = std::to_string(gtest_parallel::WorkerId());
  ASSERT_TRUE(
      connection->Execute("INSERT INTO orders (worker) VALUES (" + worker + ")")
          .ok());
  std::string others;
  ASSERT_TRUE(connection
                  ->QueryValue("SELECT COUNT(*) FROM orders WHERE worker <> " +
                                   worker,
                               &others)
                  .ok());
  EXPECT_EQ(others, "0");
}

INSTANTIATE_TEST_SUITE_P(Many, OrdersTest, testing::Range(0, 20));

}  // namespace
