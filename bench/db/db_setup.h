// Internals of the database setup benchmark (db_setup.cc) shared by its
// files: the kinds of backend, the template's rows and description
// (db_setup_data.cc), and the child processes and the server's CPU time
// (db_setup_processes.cc).
#ifndef GTEST_PARALLEL_BENCH_DB_DB_SETUP_H_
#define GTEST_PARALLEL_BENCH_DB_DB_SETUP_H_

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/status.h"

namespace db_setup {

// The backend a benchmark runs on.
enum class Kind { kSqliteFile, kSqliteMemory, kPostgresql, kMariadb };

// The kind's name in the results ("sqlite_file", ...).
inline const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kSqliteFile:
      return "sqlite_file";
    case Kind::kSqliteMemory:
      return "sqlite_memory";
    case Kind::kPostgresql:
      return "postgresql";
    case Kind::kMariadb:
      return "mariadb";
  }
  return "?";
}

// The clock of every timing.
using Clock = std::chrono::steady_clock;

// Milliseconds since start.
inline double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

// An internal error with this message.
inline gtest_parallel::Status Fail(const std::string& message) {
  return gtest_parallel::Status(gtest_parallel::ErrorCode::kInternal, message);
}

// Adds what a step was doing to a failed status.
inline gtest_parallel::Status Context(const gtest_parallel::Status& status,
                                      const std::string& step) {
  if (status.ok()) return status;
  return gtest_parallel::Status(status.code(), step + ": " + status.message());
}

// The row counts of a template.
struct Shape {
  int64_t orders = 0;
  int64_t customers = 0;
  int64_t products = 0;
};

// The rows that make a template of about size_mb on this backend (at
// least 1000 orders: a PostgreSQL database is larger than 2 MB empty).
Shape ShapeFor(Kind kind, double size_mb);

// Creates the schema and fills it; the view (and MariaDB's trigger) come
// after the rows, so that the trigger does not slow the fill down.
gtest_parallel::Status FillData(Kind kind, const Shape& shape,
                                gtest_parallel::Connection& connection);

// The template's real size in bytes: the file (SQLite), the serialized
// image (in-memory SQLite), pg_database_size (PostgreSQL), data and index
// length of its tables after ANALYZE TABLE (MariaDB); and the server's
// version and the settings that matter for the figures.
gtest_parallel::Status DescribeTemplate(Kind kind,
                                        gtest_parallel::Backend& backend,
                                        const std::string& name, int64_t* bytes,
                                        std::string* server);

// Attaches `clone` in child processes, one per clone, started together;
// *attach_ms gets each child's Attach() time.
gtest_parallel::Status AttachInChildren(const std::vector<std::string>& clones,
                                        int64_t orders,
                                        std::vector<double>* attach_ms);

// The --attach-child mode: attaches the clone with a backend of its own,
// as a worker does before its first test, and counts its orders.
int RunAttachChild(const std::string& url, const std::string& clone);

// Copies database `source` into a new database `target` with the MariaDB
// client programs: CREATE DATABASE, then mariadb-dump | mariadb, the usual
// way to copy a database without a clone feature. The password reaches
// them in MYSQL_PWD, never on a command line.
gtest_parallel::Status DumpAndLoad(const gtest_parallel::Backend& backend,
                                   const std::string& source,
                                   const std::string& target);

// The CPU time a database server has used so far, from /proc: its main
// processes (with the children they have reaped, e.g. PostgreSQL's ended
// sessions) and their running children. 10 ms resolution.
class ServerCpu {
 public:
  // Reads the pids from BENCH_DB_SERVER_PIDS; none: known() is false.
  ServerCpu();

  // Whether the server's processes are known.
  bool known() const { return !pids_.empty(); }
  // The CPU seconds of the server's processes so far; 0 when unknown.
  double Seconds() const;

 private:
  std::set<int> pids_;
};

}  // namespace db_setup

#endif  // GTEST_PARALLEL_BENCH_DB_DB_SETUP_H_
