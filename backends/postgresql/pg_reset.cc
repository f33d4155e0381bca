// Per-test reset of PostgreSQL clones (the tracking is described in
// pg_reset_prepare.cc).
//
// PgResetter keeps a session on the clone (lock_timeout set, notices off).
// Reset runs one prepared query: the marked tables, the sequences whose
// pg_sequence_last_value moved and, without event triggers, whether the
// catalog digest (PgSchemaDigestSql) moved. Nothing: done. A schema change (or
// bookkeeping the test broke): the caller restores the clone. Otherwise,
// in one transaction, the marks are taken (DELETE ... RETURNING), each
// marked table's logged keys are moved to a temporary work table and the
// rows with those keys are copied back from its pristine copy (a table
// marked whole is emptied and copied whole), then setval puts the
// sequences back. Hash and merge joins are off in that transaction: the
// work tables have no statistics, and the logged keys must drive index
// lookups into a big table, not a scan of it. A superuser's session runs with
// session_replication_role = replica: no foreign key checks or actions and no
// triggers fire, so the rows are deleted and re-inserted. Other roles cannot
// turn foreign keys off: the tables are processed in foreign key order (delete
// the rows the template lacks, referencing tables first; insert the rows the
// clone lacks and update the others, referenced tables first); a table copied
// whole takes every table that references it along; the tracking triggers
// skip the reset's own statements (a setting plus pg_trigger_depth() = 1),
// so that what user triggers and cascades change is marked and copied back
// in a further round. A statement that fails other than on a lock makes
// the caller restore the clone; a lock held past lock_timeout is an error
// naming the table.
#include "pg_reset.h"

#include <algorithm>

namespace gtest_parallel::internal {
namespace {

// Rounds of copying back what user triggers and cascades change.
constexpr int kMaxRounds = 8;

}  // namespace

Status PgResetter::Open(std::unique_ptr<PgConnection> connection,
                        int lock_timeout_seconds,
                        std::unique_ptr<PgResetter>* resetter) {
  resetter->reset();
  std::string prepared;
  Status status = connection->Execute("SET lock_timeout = '" +
                                      std::to_string(lock_timeout_seconds) +
                                      "s'; SET client_min_messages = warning");
  if (status.ok()) {
    status = connection->QueryValue(
        "SELECT to_regclass('gtest_parallel.state') IS NOT NULL", &prepared);
  }
  if (!status.ok() || prepared != "t") return status;
  std::unique_ptr<PgResetter> opened(new PgResetter(std::move(connection)));
  status = opened->Load();
  if (status.ok()) *resetter = std::move(opened);
  return status;
}

Status PgResetter::Load() {
  std::string value;
  Status status = connection_->QueryValue(
      "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", &value);
  superuser_ = value == "t";
  if (status.ok()) {
    status = connection_->QueryValue(
        "SELECT event_triggers FROM gtest_parallel.state", &value);
  }
  event_triggers_ = value == "t";
  std::vector<Row> tables, columns, references;
  if (status.ok()) {
    status = connection_->Query(
        "SELECT table_id, qualified, display, rows FROM gtest_parallel.tables "
        "ORDER BY rank",
        &tables);
  }
  if (status.ok()) {
    status = connection_->Query(
        "SELECT table_id, name, is_key FROM gtest_parallel.columns "
        "ORDER BY table_id, position",
        &columns);
  }
  if (status.ok()) {
    status = connection_->Query(
        "SELECT referenced_id, table_id FROM gtest_parallel.\"references\"",
        &references);
  }
  if (!status.ok()) return status;
  LoadTables(tables, columns, references);
  std::string check =
      "SELECT table_id::text, bool_or(whole)::text FROM gtest_parallel.changes "
      "GROUP BY table_id UNION ALL SELECT 's', name FROM "
      "gtest_parallel.sequences WHERE pg_sequence_last_value(to_regclass("
      "name)) IS DISTINCT FROM seen";
  if (!event_triggers_) {
    check += " UNION ALL SELECT 'schema', '' WHERE (" + PgSchemaDigestSql() +
             ") IS DISTINCT FROM (SELECT digest FROM gtest_parallel.state)";
  }
  // Planning the check costs more than running it.
  return connection_->Prepare("gtest_parallel_check", check);
}

void PgResetter::LoadTables(const std::vector<Row>& tables,
                            const std::vector<Row>& columns,
                            const std::vector<Row>& references) {
  for (const Row& row : tables) {
    const int id = std::atoi(row[0].c_str());
    Table& table = tables_[id];
    table.qualified = row[1];
    table.display = row[2];
    table.rows = std::atoll(row[3].c_str());
    order_.push_back(id);
  }
  for (const Row& row : columns) {
    Table& table = tables_[std::atoi(row[0].c_str())];
    const std::string& name = row[1];
    table.columns += (table.columns.empty() ? "" : ", ") + name;
    if (row[2] == "t") {
      table.key += (table.key.empty() ? "" : ", ") + name;
      table.key_of_x += (table.key_of_x.empty() ? "" : ", ") + ("x." + name);
      table.match +=
          (table.match.empty() ? "" : " AND ") + ("x." + name + " = p." + name);
    } else {
      table.assign +=
          (table.assign.empty() ? "" : ", ") + (name + " = p." + name);
    }
  }
  for (const Row& row : references) {
    tables_[std::atoi(row[0].c_str())].referenced_by.push_back(
        std::atoi(row[1].c_str()));
  }
}

Status PgResetter::Check(Marks* marks, bool* sequences, bool* schema_changed) {
  std::vector<Row> rows;
  Status status = connection_->QueryPrepared("gtest_parallel_check", &rows);
  if (!status.ok()) {
    // The test broke the bookkeeping: a schema change.
    *schema_changed = status.code() != ErrorCode::kUnreachable;
    return *schema_changed ? Status() : status;
  }
  for (const Row& row : rows) {
    if (row[0] == "s") {
      *sequences = true;
    } else if (row[0] == "schema" ||
               tables_.count(std::atoi(row[0].c_str())) == 0) {
      *schema_changed = true;  // Also: table id 0, from the event triggers.
    } else {
      (*marks)[std::atoi(row[0].c_str())] |= row[1] == "true";
    }
  }
  return Status();
}

Status PgResetter::Reset(bool* schema_changed,
                         std::vector<std::string>* tables) {
  *schema_changed = false;
  Marks marks;
  bool sequences = false;
  Status status = Check(&marks, &sequences, schema_changed);
  if (!status.ok() || *schema_changed) return status;
  if (marks.empty() && !sequences) return Status();
  status = CopyBack(marks, tables);
  if (!status.ok()) {
    connection_->Execute("ROLLBACK");
    tables->clear();
  }
  return status;
}

Status PgResetter::TakeMarks(Marks* marks) {
  std::vector<Row> rows;
  Status status = connection_->Query(
      "DELETE FROM gtest_parallel.changes RETURNING table_id, whole", &rows);
  for (const Row& row : rows) {
    const int id = std::atoi(row[0].c_str());
    if (tables_.count(id) == 0) {
      return Status(ErrorCode::kSqlError, "the schema changed");
    }
    (*marks)[id] |= row[1] == "t";
  }
  return status;
}

Status PgResetter::CopyBack(const Marks& first,
                            std::vector<std::string>* tables) {
  Status status = connection_->Execute(
      // The work tables have no statistics: the planner may scan a big
      // table (hash or merge join) rather than look the logged keys up.
      std::string("BEGIN; SET LOCAL enable_hashjoin = off; "
                  "SET LOCAL enable_mergejoin = off; ") +
      (superuser_ ? "SET LOCAL session_replication_role = replica"
                  : "SET LOCAL gtest_parallel.resetting = 'on'"));
  std::set<int> done;
  for (int round = 0; status.ok(); ++round) {
    Marks marks = round == 0 ? first : Marks();
    status = TakeMarks(&marks);
    if (!status.ok() || marks.empty()) break;
    if (round == kMaxRounds) {
      return Status(ErrorCode::kSqlError,
                    "triggers keep changing the tables copied back");
    }
    if (!superuser_) {
      // Rows of a table copied whole may be referenced: copy those too.
      std::vector<int> pending;
      for (const auto& [id, whole] : marks) {
        if (whole) pending.push_back(id);
      }
      while (!pending.empty()) {
        int id = pending.back();
        pending.pop_back();
        for (int child : tables_[id].referenced_by) {
          bool& whole = marks[child];
          if (!whole) pending.push_back(child);
          whole = true;
        }
      }
    }
    status = RunRound(marks);
    for (const auto& [id, whole] : marks) {
      if (done.insert(id).second) tables->push_back(tables_[id].display);
    }
  }
  if (status.ok()) {
    status = connection_->Execute(
        "SELECT setval(to_regclass(name), last_value, is_called) FROM "
        "gtest_parallel.sequences WHERE pg_sequence_last_value(to_regclass("
        "name)) IS DISTINCT FROM seen; COMMIT");
  }
  return status;
}

std::string PgResetter::Statements(int id, bool whole,
                                   const char* phase) const {
  const Table& table = tables_.at(id);
  const std::string& t = table.qualified;
  const std::string number = std::to_string(id);
  const std::string pristine = "gtest_parallel.p_" + number;
  const std::string work = "pg_temp.gtest_parallel_w" + number;
  const std::string phase_name = phase;
  const std::string insert = "INSERT INTO " + t + " (" + table.columns +
                             ") OVERRIDING SYSTEM VALUE SELECT " +
                             table.columns + " FROM " + pristine + " p";
  if (phase_name == "move") {
    if (table.key.empty()) return "";
    return "CREATE TEMP TABLE IF NOT EXISTS gtest_parallel_w" + number +
           " (LIKE gtest_parallel.l_" + number +
           ") ON COMMIT DELETE ROWS; WITH m AS (DELETE FROM "
           "gtest_parallel.l_" +
           number + " RETURNING *) INSERT INTO " + work + " SELECT * FROM m;";
  }
  if (whole) {
    if (phase_name == "delete") return "DELETE FROM ONLY " + t + ";";
    return phase_name == "insert" ? insert + ";" : "";
  }
  const std::string logged =
      "(" + table.key + ") IN (SELECT " + table.key + " FROM " + work + ")";
  if (superuser_) {  // Nothing checks or cascades: delete, insert.
    if (phase_name == "delete") {
      return "DELETE FROM ONLY " + t + " WHERE " + logged + ";";
    }
    return phase_name == "insert" ? insert + " WHERE " + logged + ";" : "";
  }
  if (phase_name == "delete") {
    return "DELETE FROM ONLY " + t + " x WHERE " + logged +
           " AND NOT EXISTS (SELECT FROM " + pristine + " p WHERE " +
           table.match + ");";
  }
  if (phase_name == "insert") {
    return insert + " WHERE " + logged + " AND NOT EXISTS (SELECT FROM ONLY " +
           t + " x WHERE " + table.match + ");";
  }
  if (table.assign.empty()) return "";
  return "UPDATE ONLY " + t + " x SET " + table.assign + " FROM " + pristine +
         " p WHERE " + table.match + " AND (" + table.key_of_x +
         ") IN (SELECT " + table.key + " FROM " + work + ");";
}

Status PgResetter::RunTable(int id, const std::string& sql) {
  if (sql.empty()) return Status();
  Status status = connection_->Execute(sql);
  if (status.ok()) return status;
  std::string message =
      "table " + tables_[id].display + ": " + status.message();
  if (status.code() == ErrorCode::kTemplateInUse) {
    message = "another session holds a lock on " + message;
  }
  return Status(status.code(), message);
}

Status PgResetter::RunRound(const Marks& marks) {
  Status status;
  for (int id : order_) {
    auto mark = marks.find(id);
    if (mark == marks.end() || !status.ok()) continue;
    status = RunTable(id, Statements(id, mark->second, "move"));
    if (superuser_ && status.ok()) {
      status = RunTable(id, Statements(id, mark->second, "delete") +
                                Statements(id, mark->second, "insert"));
    }
  }
  if (superuser_) return status;
  for (auto it = order_.rbegin(); it != order_.rend() && status.ok(); ++it) {
    auto mark = marks.find(*it);
    if (mark == marks.end()) continue;
    status = RunTable(*it, Statements(*it, mark->second, "delete"));
  }
  for (int id : order_) {
    auto mark = marks.find(id);
    if (mark == marks.end() || !status.ok()) continue;
    status = RunTable(id, Statements(id, mark->second, "insert") +
                              Statements(id, mark->second, "update"));
  }
  return status;
}

}  // namespace gtest_parallel::internal
