// Cheap per-test reset of MariaDB clones: change tracking added to the
// template by PrepareMariadbReset, and MariadbResetter, which keeps a
// session on one clone and copies back from the template what a test
// changed.
#ifndef GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_RESET_H_
#define GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_RESET_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/internal/reset_sessions.h"
#include "mariadb_connection.h"

namespace gtest_parallel::internal {

// Adds the change tracking to database template_name (does nothing when it
// is there already). Leaves the template the default database.
Status PrepareMariadbReset(MariadbConnection& connection,
                           const std::string& template_name);

// Records in clone_name, a fresh clone of a prepared template, the InnoDB
// ids of its tables (TRUNCATE gives a table a new one). Does nothing for
// clones of templates not prepared.
Status RecordMariadbResetBaseline(MariadbConnection& connection,
                                  const std::string& clone_name);

// Sets *objects to a signature of each schema object of database (tables,
// columns, indexes, foreign keys, checks, triggers, views, routines,
// events), keyed "<kind>:<table>\t<name>", with the database's own name
// left out: equal for a database and its clone.
Status MariadbSchemaMap(MariadbConnection& connection,
                        const std::string& database,
                        std::map<std::string, std::string>* objects);

// Sets (*ids)[table] to the InnoDB table id of each of tables of database
// that has one (not for names InnoDB spells with non-ASCII codes); leaves
// *ids empty without the PROCESS privilege.
Status MariadbInnodbIds(MariadbConnection& connection,
                        const std::string& database,
                        const std::vector<std::string>& tables,
                        std::map<std::string, std::string>* ids);

// A session on one clone that puts it back to its template's state.
class MariadbResetter : public CloneResetter {
 public:
  // Takes connection (a session on clone). Leaves *resetter null when the
  // template was not prepared.
  static Status Open(std::unique_ptr<MariadbConnection> connection,
                     const std::string& clone, const std::string& template_name,
                     std::unique_ptr<MariadbResetter>* resetter);

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
    std::string key;             // Quoted key columns; "" for whole copies.
    std::string columns;         // Quoted columns a copy writes.
    std::string auto_increment;  // The template's; "" for none.
    std::string engine_id;       // The clone's InnoDB table id, or "".
    long long rows = 0;          // In the template.
  };
  // Tables to copy back: id -> whole.
  using Marks = std::map<int, bool>;
  // A foreign key whose actions change the child table (cascaded changes
  // fire no trigger in MariaDB).
  struct Cascade {
    int parent;
    int child;
    std::vector<std::pair<std::string, std::string>> columns;  // child, parent
  };

  MariadbResetter(std::unique_ptr<MariadbConnection> connection,
                  std::string clone, std::string template_name)
      : connection_(std::move(connection)),
        clone_(std::move(clone)),
        template_(std::move(template_name)) {}
  Status Load();
  Status Check(Marks* marks, std::vector<std::string>* sequences,
               bool* schema_changed);
  Status FullCheck(Marks* marks, bool* schema_changed);
  Status LoadCascades();
  Status Propagate(Marks* marks);
  std::string CascadeSql(const Cascade& cascade);
  // "<logged keys> l STRAIGHT_JOIN <relation> x ON <x's key = l's>": the
  // rows of table id's logged keys in relation.
  std::string LoggedRows(int id, const std::string& relation);
  // Copies back the marked tables in an open transaction, in rounds while
  // user triggers change more; *copied gets what was copied.
  Status CopyBack(const Marks& marks, Marks* copied);
  // One table, in one round trip that starts with `lead` (statements to
  // run first); *logged gets how many keys its log holds after.
  Status CopyTable(int id, bool whole, const std::string& lead,
                   long long* logged);
  // The tables user triggers changed during a round: marked ones not in
  // `done`, and those of `done` whose log grew past `logged` (one round
  // trip).
  Status ChangedMeanwhile(const Marks& done,
                          const std::map<int, long long>& logged,
                          Marks* pending);
  // Empties the logs and marks, puts back sequences and counters, and
  // commits.
  Status Finish(const Marks& done, const std::vector<std::string>& sequences);
  Status ReadGate(std::string* gate);
  // Sets *differ when table id holds other rows than the template's: the
  // rows of its logged keys, or all of it when whole.
  Status RowsDiffer(int id, bool whole, bool* differ);
  // Appends to *differences the changed tables (name -> schema changed)
  // with their row counts; objects: the clone's schema map.
  Status ListWithCounts(const std::map<std::string, bool>& changed,
                        const std::map<std::string, std::string>& objects,
                        const std::set<std::string>& not_tables,
                        std::vector<TableDifference>* differences);

  std::unique_ptr<MariadbConnection> connection_;
  std::string clone_;
  std::string template_;
  std::map<int, Table> tables_;
  std::map<int, std::vector<std::string>> keys_;  // Quoted key columns.
  std::map<int, std::string> copied_;  // "x.`c`, ..." of the copied columns.
  // "CAST(x.`c` AS BINARY), ..." of the copied columns: what rows are
  // compared by.
  std::map<int, std::string> compared_;
  // The server's set operations: "EXCEPT ALL" (10.5), "EXCEPT" (10.3), "".
  std::string except_;
  std::vector<Cascade> cascades_;
  std::vector<std::string> sequences_;
  std::map<std::string, std::string> template_schema_;
  std::string check_sql_;
  // The server's DDL statement count when the clone's schema was last
  // known to be the template's.
  std::string gate_;
  // Tables whose InnoDB id changed (truncated) since the baseline.
  std::map<int, std::string> new_ids_;
};

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_RESET_H_
