// Stands for a spawned worker in the SQLite tests: attaches to an
// in-memory clone, opens two connections under the name the environment
// gives (GTEST_PARALLEL_SQLITE_DATABASE), adds a row with one and counts
// with the other. Prints "before=N after=M uri=<uri> attach_ms=<ms>".
// Usage: sqlite_attach_child <url> <clone>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest_parallel/sqlite_backend.h"

namespace {

int Count(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  int count = -1;
  if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM t", -1, &statement,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    count = sqlite3_column_int(statement, 0);
  }
  sqlite3_finalize(statement);
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <url> <clone>\n", argv[0]);
    return 2;
  }
  std::unique_ptr<gtest_parallel::Backend> backend;
  gtest_parallel::Status status = gtest_parallel::CreateBackend(
      argv[1], gtest_parallel::BackendOptions(), &backend);
  auto start = std::chrono::steady_clock::now();
  if (status.ok()) status = backend->Attach(argv[2]);
  double attach_ms = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  if (!status.ok()) {
    std::printf("%s\n", status.ToString().c_str());
    return 1;
  }
  const char* uri = std::getenv(gtest_parallel::kSqliteDatabaseVariable);
  if (uri == nullptr || backend->ConnectionString(argv[2]) != uri) {
    std::printf("%s is not the clone's URI\n",
                gtest_parallel::kSqliteDatabaseVariable);
    return 1;
  }
  sqlite3* first = nullptr;
  sqlite3* second = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI;
  if (sqlite3_open_v2(uri, &first, flags, nullptr) != SQLITE_OK ||
      sqlite3_open_v2(uri, &second, flags, nullptr) != SQLITE_OK) {
    std::printf("cannot open %s\n", uri);
    return 1;
  }
  int before = Count(first);
  sqlite3_exec(first, "INSERT INTO t (id) VALUES (1000)", nullptr, nullptr,
               nullptr);
  int after = Count(second);
  sqlite3_close(first);
  sqlite3_close(second);
  std::printf("before=%d after=%d uri=%s attach_ms=%.2f\n", before, after, uri,
              attach_ms);
  return 0;
}
