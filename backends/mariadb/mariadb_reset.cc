// Per-test reset of MariaDB clones (the tracking is described in
// mariadb_reset_prepare.cc).
//
// MariadbResetter keeps a session on the clone (foreign_key_checks=0, READ
// COMMITTED, the clone's sql_mode for copies, lock_wait_timeout and
// innodb_lock_wait_timeout from the options, multi-statements on). Reset
// runs one query: the marked tables, the sequences whose
// next_not_cached_value differs from the template's, and the server's
// count of DDL statements (Com_create_%, Com_alter_%, Com_drop_%,
// Com_rename_table, Com_truncate, ...): MariaDB has no DDL triggers, and
// comparing the schema costs milliseconds, so the clone's schema map is
// compared with the template's only when that count moved since the clone
// was last seen equal (other sessions' DDL costs a comparison, not a
// restore). The comparison also reads the InnoDB table ids: a table with a
// new one was truncated (TRUNCATE fires no trigger) and is copied whole.
// A schema change makes the caller Restore(). Otherwise, in one
// transaction, each changed table's logged keys are deleted and the
// template's rows with those keys copied back across databases
// (INSERT ... SELECT FROM template JOIN log; rows foreign key actions
// changed are logged first, see mariadb_reset_cascade.cc); what user
// triggers change meanwhile is noted and copied back in further rounds. Then
// the logs and marks are emptied, sequences are put back with INSERT ...
// SELECT from the template's and the transaction commits, and
// AUTO_INCREMENT counters that moved are put back with ALTER TABLE. Every
// step is one round trip (multi-statements): a reset of two changed tables
// takes five. A lock held past the timeout is an error naming the table; other
// failures make the caller restore the clone.
#include "mariadb_reset.h"

#include <algorithm>
#include <set>

#include "gtest_parallel/internal/util.h"

namespace gtest_parallel::internal {
namespace {

// Rounds of copying back what user triggers change.
constexpr int kMaxRounds = 8;

// The server's count of DDL statements run so far.
constexpr char kGateSql[] =
    "SELECT 'g', SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS "
    "WHERE (VARIABLE_NAME LIKE 'COM\\_ALTER\\_%' OR VARIABLE_NAME LIKE "
    "'COM\\_CREATE\\_%' OR VARIABLE_NAME LIKE 'COM\\_DROP\\_%' OR "
    "VARIABLE_NAME IN ('COM_RENAME_TABLE', 'COM_TRUNCATE', 'COM_OPTIMIZE', "
    "'COM_REPAIR', 'COM_INSTALL_PLUGIN')) AND VARIABLE_NAME NOT LIKE "
    "'%TEMPORARY%'";

}  // namespace

Status MariadbResetter::Open(std::unique_ptr<MariadbConnection> connection,
                             const std::string& clone,
                             const std::string& template_name,
                             std::unique_ptr<MariadbResetter>* resetter) {
  resetter->reset();
  std::string prepared;
  Status status = connection->QueryValue(
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
          connection->Literal(clone) +
          " AND TABLE_NAME = 'gtest_parallel_tables'",
      &prepared);
  if (!status.ok() || prepared != "1") return status;
  MYSQL* mysql = static_cast<MYSQL*>(connection->native_handle());
  if (mysql_set_server_option(mysql, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0) {
    return Status(ErrorCode::kInternal, mysql_error(mysql));
  }
  status = connection->Execute(
      "SET SESSION foreign_key_checks = 0, sql_mode = "
      "'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'; SET SESSION "
      "TRANSACTION ISOLATION LEVEL READ COMMITTED");
  if (!status.ok()) return status;
  std::unique_ptr<MariadbResetter> opened(
      new MariadbResetter(std::move(connection), clone, template_name));
  status = opened->Load();
  if (status.ok()) *resetter = std::move(opened);
  return status;
}

Status MariadbResetter::Load() {
  std::vector<Row> tables, sequences, schema;
  Status status = connection_->Query(
      "SELECT table_id, table_name, key_columns, copy_columns, "
      "template_rows, IFNULL(auto_increment, ''), IFNULL(engine_id, '') "
      "FROM gtest_parallel_tables",
      &tables);
  if (status.ok()) {
    status = connection_->Query(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
        "TABLE_SCHEMA = " +
            connection_->Literal(template_) + " AND TABLE_TYPE = 'SEQUENCE'",
        &sequences);
  }
  if (status.ok()) {
    status = connection_->Query(
        "SELECT object_key, signature FROM gtest_parallel_schema", &schema);
  }
  if (!status.ok()) return status;
  for (const Row& row : tables) {
    tables_[std::atoi(row[0].c_str())] = {
        row[1], row[2], row[3], row[5], row[6], std::atoll(row[4].c_str())};
  }
  for (const Row& row : schema) template_schema_[row[0]] = row[1];
  check_sql_ = "SELECT 't', table_id FROM gtest_parallel_changes";
  for (const Row& row : sequences) {
    sequences_.push_back(row[0]);
    check_sql_ += " UNION ALL SELECT 's', " + connection_->Literal(row[0]) +
                  " FROM " + QuoteName(row[0]) + " c, " + QuoteName(template_) +
                  "." + QuoteName(row[0]) +
                  " t WHERE c.next_not_cached_value <> "
                  "t.next_not_cached_value";
  }
  check_sql_ += std::string(" UNION ALL ") + kGateSql;
  const unsigned long version = mysql_get_server_version(
      static_cast<MYSQL*>(connection_->native_handle()));
  except_ = version >= 100500   ? "EXCEPT ALL"
            : version >= 100300 ? "EXCEPT"
                                : "";
  return LoadCascades();
}

Status MariadbResetter::ReadGate(std::string* gate) {
  std::vector<Row> rows;
  Status status = connection_->Query(kGateSql, &rows);
  *gate = status.ok() && !rows.empty() ? rows[0][1] : "";
  return status;
}

Status MariadbResetter::FullCheck(Marks* marks, bool* schema_changed) {
  std::map<std::string, std::string> objects;
  Status status = MariadbSchemaMap(*connection_, clone_, &objects);
  if (!status.ok()) return status;
  if (objects != template_schema_) {
    *schema_changed = true;
    return Status();
  }
  std::vector<std::string> names;
  for (const auto& [id, table] : tables_) names.push_back(table.name);
  std::map<std::string, std::string> ids;
  status = MariadbInnodbIds(*connection_, clone_, names, &ids);
  for (const auto& [id, table] : tables_) {
    auto now = ids.find(table.name);
    if (!table.engine_id.empty() && now != ids.end() &&
        now->second != table.engine_id) {
      new_ids_[id] = now->second;  // Truncated: copy it whole.
    }
  }
  for (const auto& entry : new_ids_) (*marks)[entry.first] = true;
  return status;
}

Status MariadbResetter::Check(Marks* marks, std::vector<std::string>* sequences,
                              bool* schema_changed) {
  std::vector<Row> rows;
  Status status = connection_->Query(check_sql_, &rows);
  if (!status.ok()) {
    // The test broke the bookkeeping: a schema change.
    *schema_changed = status.code() == ErrorCode::kSqlError;
    return *schema_changed ? Status() : status;
  }
  std::string gate;
  for (const Row& row : rows) {
    if (row[0] == "g") {
      gate = row[1];
    } else if (row[0] == "s") {
      sequences->push_back(row[1]);
    } else if (tables_.count(std::atoi(row[1].c_str())) != 0) {
      marks->emplace(std::atoi(row[1].c_str()), false);
    } else {
      *schema_changed = true;
    }
  }
  if (!*schema_changed && (gate != gate_ || gate.empty())) {
    status = FullCheck(marks, schema_changed);
    if (status.ok() && !*schema_changed) gate_ = gate;
  }
  for (const auto& entry : new_ids_) (*marks)[entry.first] = true;
  return status;
}

Status MariadbResetter::Reset(bool* schema_changed,
                              std::vector<std::string>* tables) {
  *schema_changed = false;
  Marks marks;
  std::vector<std::string> sequences;
  Status status = Check(&marks, &sequences, schema_changed);
  if (!status.ok() || *schema_changed) return status;
  if (marks.empty() && sequences.empty()) return Status();
  status = Propagate(&marks);
  if (!status.ok()) return status;
  Marks done;
  status = CopyBack(marks, &done);
  if (!status.ok()) {
    connection_->Execute("ROLLBACK; SET @gtest_parallel_resetting = NULL");
    return status;
  }
  for (const auto& entry : done) tables->push_back(tables_[entry.first].name);
  return Finish(done, sequences);
}

std::string MariadbResetter::LoggedRows(int id, const std::string& relation) {
  // The logged keys drive the join: a fresh clone's statistics may tell
  // the optimizer that a big table is empty.
  std::string on;
  for (const std::string& column : keys_[id]) {
    on += (on.empty() ? "" : " AND ") + ("x." + column + " = l." + column);
  }
  return "(SELECT DISTINCT " + tables_[id].key + " FROM gtest_parallel_log_" +
         std::to_string(id) + ") l STRAIGHT_JOIN " + relation + " x ON " + on;
}

Status MariadbResetter::CopyTable(int id, bool whole, const std::string& lead,
                                  long long* logged) {
  const Table& table = tables_[id];
  const std::string target = QuoteName(table.name);
  const std::string source = QuoteName(template_) + "." + target;
  const std::string log = "gtest_parallel_log_" + std::to_string(id);
  std::string sql =
      lead + "SET @gtest_parallel_resetting = " + std::to_string(id);
  if (whole || table.key.empty()) {
    sql += "; DELETE FROM " + target + "; INSERT INTO " + target + " (" +
           table.columns + ") SELECT " + table.columns + " FROM " + source;
  } else {
    sql += "; DELETE x FROM " + LoggedRows(id, target) + "; INSERT INTO " +
           target + " (" + table.columns + ") SELECT " + copied_[id] +
           " FROM " + LoggedRows(id, source);
  }
  std::string count = "0";
  if (!table.key.empty()) sql += "; SELECT COUNT(*) FROM " + log;
  Status status = connection_->QueryValue(sql, &count);
  *logged = std::atoll(count.c_str());
  if (status.ok()) return status;
  std::string message = "table " + table.name + ": " + status.message();
  if (status.code() == ErrorCode::kTemplateInUse) {
    message = "another session holds a lock on " + message;
  }
  return Status(status.code(), message);
}

Status MariadbResetter::CopyBack(const Marks& marks, Marks* copied) {
  // Each statement is a round trip: the transaction starts with the first
  // copy, and Finish commits it.
  std::string lead = "START TRANSACTION; ";
  Marks pending = marks;
  Marks& done = *copied;
  std::map<int, long long> logged;
  Status status;
  for (int round = 0; status.ok() && !pending.empty(); ++round) {
    if (round == kMaxRounds) {
      return Status(ErrorCode::kSqlError,
                    "triggers keep changing the tables copied back");
    }
    for (const auto& [id, whole] : pending) {
      if (!status.ok()) break;
      status = CopyTable(id, whole, lead, &logged[id]);
      lead.clear();
      done[id] |= whole;
    }
    if (status.ok()) status = ChangedMeanwhile(done, logged, &pending);
  }
  // Only sequences to put back: Finish still commits.
  if (status.ok() && !lead.empty()) {
    status = connection_->Execute("START TRANSACTION");
  }
  return status;
}

Status MariadbResetter::ChangedMeanwhile(const Marks& done,
                                         const std::map<int, long long>& logged,
                                         Marks* pending) {
  std::string sql =
      "SET @gtest_parallel_resetting = NULL; SELECT 'c', table_id, 0 FROM "
      "gtest_parallel_changes";
  for (const auto& [id, whole] : done) {
    if (tables_[id].key.empty()) continue;
    sql += " UNION ALL SELECT 'n', " + std::to_string(id) +
           ", COUNT(*) FROM gtest_parallel_log_" + std::to_string(id);
  }
  std::vector<Row> rows;
  Status status = connection_->Query(sql, &rows);
  pending->clear();
  for (const Row& row : rows) {
    const int id = std::atoi(row[1].c_str());
    if (row[0] == "c") {
      // Tables user triggers changed: new ones.
      if (tables_.count(id) == 0) {
        return Status(ErrorCode::kSqlError, "the schema changed");
      }
      if (done.count(id) == 0) (*pending)[id] = false;
    } else if (std::atoll(row[2].c_str()) != logged.at(id)) {
      (*pending)[id] = done.at(id);  // Its log grew.
    }
  }
  return status;
}

Status MariadbResetter::Finish(const Marks& done,
                               const std::vector<std::string>& sequences) {
  std::string sql = "DELETE FROM gtest_parallel_changes";
  std::string names;
  for (const auto& [id, whole] : done) {
    const Table& table = tables_[id];
    if (!table.key.empty()) {
      sql += "; DELETE FROM gtest_parallel_log_" + std::to_string(id);
    }
    if (!table.auto_increment.empty()) {
      names += (names.empty() ? "" : ", ") + connection_->Literal(table.name);
    }
    auto truncated = new_ids_.find(id);
    if (truncated != new_ids_.end()) {
      sql += "; UPDATE gtest_parallel_tables SET engine_id = " +
             truncated->second + " WHERE table_id = " + std::to_string(id);
      tables_[id].engine_id = truncated->second;
      new_ids_.erase(truncated);
    }
  }
  for (const std::string& sequence : sequences) {
    sql += "; INSERT INTO " + QuoteName(sequence) + " SELECT * FROM " +
           QuoteName(template_) + "." + QuoteName(sequence);
  }
  Status status = connection_->Execute(sql + "; COMMIT");
  if (!status.ok()) {
    connection_->Execute("ROLLBACK");
    return status;
  }
  std::vector<Row> counters;
  if (status.ok() && !names.empty()) {
    status = connection_->Query(
        "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (" +
            names + ")",
        &counters);
  }
  bool altered = false;
  for (const Row& row : counters) {
    for (const auto& [id, whole] : done) {
      const Table& table = tables_[id];
      if (!status.ok() || table.name != row[0] ||
          table.auto_increment == row[1]) {
        continue;
      }
      status =
          connection_->Execute("ALTER TABLE " + QuoteName(table.name) +
                               " AUTO_INCREMENT = " + table.auto_increment);
      altered = true;
    }
  }
  if (!altered || !status.ok()) return status;
  // The DDL above moved the count: the schema is the template's still.
  std::string gate;
  status = ReadGate(&gate);
  if (status.ok()) gate_ = gate;
  return status;
}

}  // namespace gtest_parallel::internal
