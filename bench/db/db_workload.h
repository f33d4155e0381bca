// The database-bound workloads of bench/run (db_sqlite, db_postgresql,
// db_mariadb): what each generated test does, and how it reaches the
// database of its process. ConnectToDatabase() is defined twice: for the
// gtest_parallel build through gtest_parallel's database API
// (parallel_database.cc), and for the gtest_main build by a test
// environment that makes the process a database of its own
// (serial_database.cc).
#ifndef BENCH_DB_DB_WORKLOAD_H_
#define BENCH_DB_DB_WORKLOAD_H_

#include <memory>

#include "gtest_parallel/backend.h"

namespace bench_db {

// The variable holding the server's URL for both builds (gtest_parallel
// reads it as the URL of the database declared as "bench").
inline constexpr char kUrlVariable[] = "GTEST_PARALLEL_DB_BENCH";

// Opens a new connection to this process's database.
gtest_parallel::Status ConnectToDatabase(
    std::unique_ptr<gtest_parallel::Connection>* connection);

// The body of test number test_index (0, 1, ...): opens a connection and
// runs a few transactions on the database, each booking two transfers on
// an account, updating its balance and reading the account back.
void RunTransactions(int test_index);

}  // namespace bench_db

#endif  // BENCH_DB_DB_WORKLOAD_H_
