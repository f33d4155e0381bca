// Cheap per-test reset of PostgreSQL clones: change tracking and pristine
// copies added to the template by PreparePgReset, and PgResetter, which
// keeps a session on one clone and copies back what a test changed.
#ifndef GTEST_PARALLEL_BACKENDS_POSTGRESQL_PG_RESET_H_
#define GTEST_PARALLEL_BACKENDS_POSTGRESQL_PG_RESET_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/internal/reset_sessions.h"
#include "pg_connection.h"

namespace gtest_parallel::internal {

// The query listing a database's schema objects as rows (key, signature,
// quoted name of relations): the xmin of their catalog rows, which a clone
// shares with its template until its schema changes.
extern const char kPgSchemaMapSql[];
// A query of one value that moves with any change of the schema: the
// count and sum of xmin of the user rows of each catalog (cheaper than
// kPgSchemaMapSql).
std::string PgSchemaDigestSql();

// Adds the schema gtest_parallel (tracking, pristine copies, schema map) to
// the template connection is open on; does nothing when it is there.
Status PreparePgReset(PgConnection& connection);

// A session on one clone that puts it back to its template's state.
class PgResetter : public CloneResetter {
 public:
  // Takes connection (a session on the clone). Leaves *resetter null when
  // the clone's template was not prepared.
  static Status Open(std::unique_ptr<PgConnection> connection,
                     int lock_timeout_seconds,
                     std::unique_ptr<PgResetter>* resetter);

  // Copies the changed tables back and restarts moved sequences (adding
  // the tables' names to *tables); sets *schema_changed instead, changing
  // nothing, when the clone's schema may differ from the template's.
  Status Reset(bool* schema_changed, std::vector<std::string>* tables) override;
  // The tables that differ from the template now.
  Status Differences(std::vector<TableDifference>* differences) override;

 private:
  // A tracked table of the template.
  struct Table {
    std::string display;    // Name for people.
    std::string qualified;  // Quoted schema.name.
    std::string key;        // Quoted key columns; "" for whole copies.
    std::string key_of_x;   // The same, of the table aliased x.
    std::string columns;    // Quoted columns a copy writes.
    std::string assign;     // "c = p.c, ..." of the columns not in the key.
    std::string match;      // "x.k = p.k AND ..." over the key.
    std::vector<int> referenced_by;  // Tables with foreign keys to it.
    long long rows = 0;              // In the template.
  };
  // Tables to copy back: id -> whole.
  using Marks = std::map<int, bool>;
  // What Differences found of one table or other object.
  struct Change {
    // Tables: "ONLY <qualified>" (partitioned: " <qualified>"), without
    // the name when it is not in the clone; "" for other objects.
    std::string relation;
    bool in_template = true;
    bool schema = false;
  };

  explicit PgResetter(std::unique_ptr<PgConnection> connection)
      : connection_(std::move(connection)) {}
  Status Load();
  // Fills tables_ and order_ from the rows of gtest_parallel.tables,
  // columns and references.
  void LoadTables(const std::vector<Row>& tables,
                  const std::vector<Row>& columns,
                  const std::vector<Row>& references);
  Status Check(Marks* marks, bool* sequences, bool* schema_changed);
  // Adds the objects whose schema differs from the template's, by display
  // name.
  Status SchemaChanges(std::map<std::string, Change>* changed);
  // Sets *differ when table id holds other rows than its pristine copy:
  // the rows of its logged keys, or all of it when whole.
  Status RowsDiffer(int id, bool whole, bool* differ);
  Status CopyBack(const Marks& first, std::vector<std::string>* tables);
  Status TakeMarks(Marks* marks);
  Status RunRound(const Marks& marks);
  Status RunTable(int id, const std::string& sql);
  std::string Statements(int id, bool whole, const char* phase) const;

  std::unique_ptr<PgConnection> connection_;
  bool superuser_ = false;
  bool event_triggers_ = false;
  std::map<int, Table> tables_;
  std::vector<int> order_;  // Ids, referenced tables first.
  std::set<int> work_tables_;
};

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_POSTGRESQL_PG_RESET_H_
