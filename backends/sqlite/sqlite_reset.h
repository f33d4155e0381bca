// Cheap per-test reset of SQLite clones: change tracking added to the
// template by PrepareSqliteReset, and SqliteResetter, which keeps a
// connection to one clone and copies back what a test changed.
#ifndef GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_RESET_H_
#define GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_RESET_H_

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/internal/reset_sessions.h"

namespace gtest_parallel::internal {

// The schema name a resetter attaches the template as.
inline constexpr char kSqliteTemplateSchema[] = "gtest_parallel_template";

// name quoted as an SQLite identifier: "name" with inner quotes doubled.
std::string SqliteIdent(const std::string& name);

// Sets *objects to type + " " + name -> tbl_name + "\n" + sql of the schema
// objects of schema ("main", or an attached database), but SQLite's own.
Status SqliteSchemaMap(sqlite3* db, const std::string& schema,
                       std::map<std::string, std::string>* objects);

// Adds the change tracking to the template open as db (does nothing when
// it is there already); sets *added when it was added now.
Status PrepareSqliteReset(sqlite3* db, bool* added);

// Sets *prepared when db holds the change tracking.
Status IsSqliteResetPrepared(sqlite3* db, bool* prepared);

// Where a resetter finds the template: a file to attach, or the image of
// an in-memory template to load.
struct SqliteTemplateSource {
  std::string path;
  bool image = false;
};

// A connection to one clone that puts it back to its template's state.
class SqliteResetter : public CloneResetter {
 public:
  // Takes clone (an open connection to the clone) and attaches the
  // template read from source. Leaves *resetter null (and closes clone)
  // when the template was not prepared.
  static Status Open(sqlite3* clone, const SqliteTemplateSource& source,
                     std::unique_ptr<SqliteResetter>* resetter);
  ~SqliteResetter() override;
  SqliteResetter(const SqliteResetter&) = delete;
  SqliteResetter& operator=(const SqliteResetter&) = delete;

  // Copies the changed tables back (adding their names to *tables); sets
  // *schema_changed instead, changing nothing, when the clone's schema
  // differs from the template's.
  Status Reset(bool* schema_changed, std::vector<std::string>* tables) override;
  // The tables that differ from the template now.
  Status Differences(std::vector<TableDifference>* differences) override;

 private:
  // A tracked table of the template.
  struct Table {
    std::string name;
    std::string key;      // Key columns in the table, "" for whole copies.
    std::string columns;  // The columns a copy writes.
    // The columns rows are compared by (no rowid), COLLATE BINARY.
    std::string compared;
  };

  explicit SqliteResetter(sqlite3* db) : db_(db) {}
  Status Load();
  Status SchemaChanged(bool* changed);
  Status ChangedTables(std::vector<int64_t>* ids);
  Status CopyBack(int64_t id, const Table& table);
  Status Count(const std::string& schema, const std::string& table,
               long long* rows);
  // Tables whose schema differs from the template's, by the table (or
  // view) they belong to -> true; *objects gets the clone's schema map.
  Status SchemaDifferences(std::map<std::string, std::string>* objects,
                           std::map<std::string, bool>* changed);
  // Sets *differ when table number id holds other rows than the
  // template's: its logged rows, or all of it without a log, compared as
  // multisets.
  Status RowsDiffer(int64_t id, const Table& table, bool* differ);

  sqlite3* db_;
  std::map<int64_t, Table> tables_;
  // type + name -> sql of the template's schema objects.
  std::map<std::string, std::string> template_schema_;
  bool has_sequence_ = false;
  // The clone's schema_version last seen equal to the template's schema.
  int64_t verified_version_ = -1;
};

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_RESET_H_
