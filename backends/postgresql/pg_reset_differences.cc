// PgResetter::Differences: what a clone holds differently from its
// template, for the leak check run after each test.
//
// Schema changes come from the clone's schema map compared with the one
// PreparePgReset stored (only when Check saw the schema move). A marked
// table is listed only when its rows differ from its pristine copy
// gtest_parallel.p_<id>: the rows of its logged keys (the logged keys drive
// index lookups into both), or, marked whole (no primary key, TRUNCATE),
// the row count and then all rows, compared with EXCEPT ALL both ways over
// the copied columns (generated ones left out). A row inserted and deleted
// again, or changed and changed back, is no difference. When PostgreSQL
// cannot compare the rows (a type without equality: json, point, xml),
// the table is listed. Sequences that moved are not listed.
#include <set>

#include "pg_reset.h"

namespace gtest_parallel::internal {

Status PgResetter::SchemaChanges(std::map<std::string, Change>* changed) {
  std::vector<Row> clone_rows, template_rows;
  Status status = connection_->Query(kPgSchemaMapSql, &clone_rows);
  if (status.ok()) {
    status = connection_->Query("SELECT k, s FROM gtest_parallel.schema",
                                &template_rows);
  }
  std::map<std::string, std::string> expected;
  std::map<std::string, Row> actual;
  for (const Row& row : template_rows) expected[row[0]] = row[1];
  for (const Row& row : clone_rows) actual[row[0]] = row;
  std::set<std::string> keys;
  for (const auto& entry : expected) keys.insert(entry.first);
  for (const auto& entry : actual) keys.insert(entry.first);
  for (const std::string& key : keys) {
    auto in_clone = actual.find(key);
    auto in_template = expected.find(key);
    if (in_clone != actual.end() && in_template != expected.end() &&
        in_clone->second[1] == in_template->second) {
      continue;
    }
    Change& change = (*changed)[key.substr(key.find(':') + 1)];
    change.relation = key[0] == 'r' ? "ONLY " : key[0] == 'p' ? " " : "";
    change.in_template = in_template != expected.end();
    if (in_clone != actual.end()) change.relation += in_clone->second[2];
    change.schema = true;
  }
  return status;
}

Status PgResetter::RowsDiffer(int id, bool whole, bool* differ) {
  const Table& table = tables_.at(id);
  const std::string number = std::to_string(id);
  const std::string pristine = "gtest_parallel.p_" + number;
  std::string clone, original;
  if (whole || table.key.empty()) {
    std::string count;
    Status status = connection_->QueryValue(
        "SELECT count(*) FROM ONLY " + table.qualified, &count);
    *differ = std::atoll(count.c_str()) != table.rows;
    if (!status.ok() || *differ) return status;
    clone = "SELECT " + table.columns + " FROM ONLY " + table.qualified;
    original = "SELECT " + table.columns + " FROM " + pristine;
  } else {
    // OFFSET 0 keeps the planner from turning the lookups into a join it
    // may hash (the log has no statistics).
    auto rows_of = [&](const std::string& relation) {
      return "SELECT y.* FROM (SELECT DISTINCT " + table.key +
             " FROM gtest_parallel.l_" + number +
             ") p CROSS JOIN LATERAL (SELECT " + table.columns + " FROM " +
             relation + " x WHERE " + table.match + " OFFSET 0) y";
    };
    clone = rows_of("ONLY " + table.qualified);
    original = rows_of(pristine);
  }
  std::string found;
  Status status = connection_->QueryValue(
      "SELECT EXISTS (" + clone + " EXCEPT ALL " + original + ") OR EXISTS (" +
          original + " EXCEPT ALL " + clone + ")",
      &found);
  // Rows PostgreSQL cannot compare: the table counts as changed.
  *differ = !status.ok() || found != "f";
  return status.code() == ErrorCode::kSqlError ? Status() : status;
}

Status PgResetter::Differences(std::vector<TableDifference>* differences) {
  differences->clear();
  Marks marks;
  bool sequences = false;
  bool schema_changed = false;
  Status status = Check(&marks, &sequences, &schema_changed);
  // Display name -> what changed.
  std::map<std::string, Change> changed;
  if (status.ok() && schema_changed) status = SchemaChanges(&changed);
  for (const auto& [id, whole] : marks) {
    const Table& table = tables_[id];
    bool differ = false;
    if (!status.ok() || changed.count(table.display) != 0) continue;
    status = RowsDiffer(id, whole, &differ);
    if (differ) {
      changed.emplace(table.display,
                      Change{"ONLY " + table.qualified, true, false});
    }
  }
  if (!status.ok()) return status;
  for (const auto& [name, change] : changed) {
    TableDifference difference{name, -1, -1, change.schema};
    const bool table = !change.relation.empty();
    for (const auto& [id, entry] : tables_) {
      if (table && change.in_template && entry.display == name) {
        difference.template_rows = entry.rows;
      }
    }
    if (table && change.relation.back() != ' ') {  // In the clone.
      std::string count;
      status = connection_->QueryValue(
          "SELECT count(*) FROM " + change.relation, &count);
      if (!status.ok()) return status;
      difference.rows = std::atoll(count.c_str());
    }
    differences->push_back(difference);
  }
  return Status();
}

}  // namespace gtest_parallel::internal
