// The gtest_parallel build of bench/run's database-bound workloads: the
// database is declared through gtest_parallel's database API. The
// coordinator makes a template from schema.sql and a clone of it for each
// worker (a serial run gets one database); a test connects to its
// process's database with Database("bench"). The URL below is a default:
// the benchmark sets GTEST_PARALLEL_DB_BENCH to the server of each run.
#include "db_workload.h"
#include "gtest_parallel/database.h"

namespace {

const bool kDeclared = gtest_parallel::DeclareDatabase(
    gtest_parallel::DatabaseDeclaration("bench", "sqlite::memory:")
        .WithSqlFile(BENCH_DB_SCHEMA));

}  // namespace

namespace bench_db {

gtest_parallel::Status ConnectToDatabase(
    std::unique_ptr<gtest_parallel::Connection>* connection) {
  return gtest_parallel::Database("bench").Connect(connection);
}

}  // namespace bench_db
