// The test body of bench/run's database-bound workloads: a few short
// transactions on the process's own database (see db_workload.h).
#include "db_workload.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bench_db {
namespace {

// Accounts in schema.sql, and transactions per test.
constexpr int kAccounts = 50;
constexpr int kTransactions = 3;

}  // namespace

void RunTransactions(int test_index) {
  std::unique_ptr<gtest_parallel::Connection> connection;
  gtest_parallel::Status status = ConnectToDatabase(&connection);
  ASSERT_TRUE(status.ok()) << status.ToString();
  const std::string account = std::to_string(test_index % kAccounts + 1);
  for (int transaction = 0; transaction < kTransactions; ++transaction) {
    // Ids of this test's transfers, unique within the program.
    const int first_id = (test_index * kTransactions + transaction) * 2 + 1;
    const int amount = 10 + transaction;
    const std::string note = "'test " + std::to_string(test_index) +
                             " transaction " + std::to_string(transaction) +
                             "'";
    std::vector<gtest_parallel::Row> rows;
    for (const std::string& sql : {
             std::string("BEGIN"),
             "INSERT INTO transfers (id, account_id, amount, note) VALUES (" +
                 std::to_string(first_id) + ", " + account + ", " +
                 std::to_string(amount) + ", " + note + "), (" +
                 std::to_string(first_id + 1) + ", " + account + ", " +
                 std::to_string(-amount) + ", " + note + ")",
             "UPDATE accounts SET balance = balance + " +
                 std::to_string(amount) + " WHERE id = " + account,
         }) {
      status = connection->Execute(sql);
      ASSERT_TRUE(status.ok()) << sql << ": " << status.ToString();
    }
    status = connection->Query(
        "SELECT a.balance, COUNT(t.id), SUM(t.amount) FROM accounts a JOIN "
        "transfers t ON t.account_id = a.id WHERE a.id = " +
            account + " GROUP BY a.balance",
        &rows);
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_EQ(rows.size(), 1u);
    // Other tests of this process may have booked on the account before.
    EXPECT_GE(std::stoll(rows[0][0]), 1000 + amount);
    EXPECT_GE(std::stoll(rows[0][1]), 2 * (transaction + 1));
    EXPECT_EQ(rows[0][2], "0");
    status = connection->Execute("COMMIT");
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
}

}  // namespace bench_db
