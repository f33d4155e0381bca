// Internals of the SQLite backend: a Connection over sqlite3*, running SQL
// files with file:line errors, and the summaries clones are verified by.
#ifndef GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_CONNECTION_H_
#define GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <string>
#include <vector>

#include "gtest_parallel/backend.h"

namespace gtest_parallel::internal {

// A Connection over a sqlite3 handle.
class SqliteConnection : public Connection {
 public:
  // Uses db, and closes it when destroyed if owns.
  explicit SqliteConnection(sqlite3* db, bool owns = true)
      : db_(db), owns_(owns) {}
  ~SqliteConnection() override;

  Status Execute(const std::string& sql) override;
  Status Query(const std::string& sql, std::vector<Row>* rows) override;
  void* native_handle() override { return db_; }
  // The handle, still owned by the connection.
  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_;
  bool owns_;
};

// Opens filename (a path or, with SQLITE_OPEN_URI, a URI) with flags and a
// busy timeout; the error names what was opened.
Status OpenSqlite(const std::string& filename, int flags, int busy_timeout_ms,
                  sqlite3** db);

// The status of db's last error, prefixed with what was being done.
Status SqliteError(sqlite3* db, const std::string& doing);

// Runs the SQL file at path on db; errors are "<path>:<line>: <message>".
Status RunSqliteFile(sqlite3* db, const std::string& path);

// Lines describing db's schema objects and table row counts, sorted: what
// a clone must share with its template.
Status SummarizeSqlite(sqlite3* db, std::vector<std::string>* summary);

// Copies all of source into destination with the backup API.
Status BackupSqlite(sqlite3* source, sqlite3* destination);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_CONNECTION_H_
