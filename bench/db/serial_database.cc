// The gtest_main build of bench/run's database-bound workloads (the serial
// baseline, ctest and static sharding). gtest_main has no database
// support, so the program makes its database itself, as a hand-written
// harness would: a global test environment creates one for this process
// with the backend API on the server named by GTEST_PARALLEL_DB_BENCH
// (after dropping what killed runs left), fills it with schema.sql before
// the first test and drops it after the last one. Every process pays this:
// each ctest test and each shard makes a database of its own.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "db_workload.h"
#include "gtest_parallel/run_token.h"

namespace {

// The same base name as gtest_parallel's databases for the alias "bench".
constexpr char kBaseName[] = "test_bench";

class BenchDatabase : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* url = std::getenv(bench_db::kUrlVariable);
    if (url == nullptr || *url == '\0') {
      GTEST_FAIL() << bench_db::kUrlVariable << " is not set";
    }
    gtest_parallel::Status status = gtest_parallel::CreateBackend(
        url, gtest_parallel::BackendOptions(), &backend_);
    if (status.ok()) status = backend_->SweepStale(kBaseName, nullptr);
    if (status.ok()) {
      status = backend_->CreateTemplate(
          kBaseName, gtest_parallel::RunToken::ForThisProcess().ToString(),
          &name_);
    }
    if (status.ok()) {
      gtest_parallel::FillSpec fill;
      fill.sql_files.push_back(BENCH_DB_SCHEMA);
      status = backend_->FillTemplate(name_, fill);
    }
    if (!status.ok()) {
      GTEST_FAIL() << "cannot make the test database: " << status.ToString();
    }
  }

  void TearDown() override {
    if (backend_ == nullptr || name_.empty()) return;
    gtest_parallel::Status status = backend_->Drop(name_);
    EXPECT_TRUE(status.ok()) << status.ToString();
    name_.clear();
  }

  gtest_parallel::Status Connect(
      std::unique_ptr<gtest_parallel::Connection>* connection) const {
    if (backend_ == nullptr || name_.empty()) {
      return gtest_parallel::Status(gtest_parallel::ErrorCode::kNotFound,
                                    "the test database was not made");
    }
    return backend_->Connect(name_, connection);
  }

 private:
  std::unique_ptr<gtest_parallel::Backend> backend_;
  std::string name_;
};

BenchDatabase* const kDatabase = static_cast<BenchDatabase*>(
    ::testing::AddGlobalTestEnvironment(new BenchDatabase));

}  // namespace

namespace bench_db {

gtest_parallel::Status ConnectToDatabase(
    std::unique_ptr<gtest_parallel::Connection>* connection) {
  return kDatabase->Connect(connection);
}

}  // namespace bench_db
