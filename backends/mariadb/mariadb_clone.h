// Internals of the MariaDB backend: the server-side clone of a database
// (capture the template's definitions once, replay them into each clone,
// copy the rows) and the summaries clones are verified by.
#ifndef GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CLONE_H_
#define GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CLONE_H_

#include <string>
#include <vector>

#include "mariadb_connection.h"

namespace gtest_parallel::internal {

// A table (or sequence) of the template.
struct MariadbTable {
  std::string name;
  std::string type;        // BASE TABLE, SEQUENCE or SYSTEM VERSIONED.
  std::string create_sql;  // SHOW CREATE TABLE, unqualified.
  std::vector<std::string> columns;  // Those INSERT ... SELECT copies.
};

// A view, routine, trigger or event of the template.
struct MariadbObject {
  std::string name;
  std::string sql_mode;    // The sql_mode it was created under.
  std::string create_sql;  // Its definition, unqualified.
};

// Everything needed to re-create the template in another database.
struct MariadbSnapshot {
  std::string charset;
  std::string collation;
  std::vector<MariadbTable> tables;
  std::vector<MariadbObject> routines;
  std::vector<MariadbObject> views;
  std::vector<MariadbObject> triggers;
  std::vector<MariadbObject> events;
  // SummarizeMariadb of the template, taken with the definitions.
  std::vector<std::string> summary;
};

// Reads the template's definitions, with it as the default database.
Status CaptureSnapshot(MariadbConnection& connection,
                       const std::string& template_name,
                       MariadbSnapshot* snapshot);

// Re-creates snapshot in the existing, empty database clone_name and copies
// the rows from template_name. Leaves clone_name the default database.
Status ReplaySnapshot(MariadbConnection& connection,
                      const MariadbSnapshot& snapshot,
                      const std::string& template_name,
                      const std::string& clone_name);

// Lines describing database's tables, views, foreign keys, triggers,
// routines, events, AUTO_INCREMENT positions and row counts (names of the
// database itself replaced by a placeholder): equal for a database and
// its clone.
Status SummarizeMariadb(MariadbConnection& connection,
                        const std::string& database,
                        std::vector<std::string>* summary);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CLONE_H_
