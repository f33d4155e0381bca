// SqliteResetter::Differences: what a clone holds differently from its
// template, for the leak check run after each test.
//
// Tables whose schema object (or whose triggers and indexes) differ from
// the template's are listed as schema changes. A table the change log
// names is listed only when its rows differ: the rows of its logged keys
// (the whole table when it has no key) are compared with the attached
// template's as multisets (GROUP BY every column with its count, EXCEPT
// both ways; SQLite has no EXCEPT ALL), by their columns without the rowid
// (SQLite may give a row deleted and inserted again another rowid) and
// COLLATE BINARY, so that a row inserted and deleted again, or changed and
// changed back, is no difference. sqlite_sequence moves are not listed.
#include <set>

#include "sqlite_connection.h"
#include "sqlite_reset.h"

namespace gtest_parallel::internal {

Status SqliteResetter::Count(const std::string& schema,
                             const std::string& table, long long* rows) {
  SqliteConnection connection(db_, /*owns=*/false);
  std::string count;
  Status status = connection.QueryValue(
      "SELECT count(*) FROM " + schema + "." + SqliteIdent(table), &count);
  *rows = std::atoll(count.c_str());
  return status;
}

Status SqliteResetter::SchemaDifferences(
    std::map<std::string, std::string>* objects,
    std::map<std::string, bool>* changed) {
  Status status = SqliteSchemaMap(db_, "main", objects);
  if (!status.ok()) return status;
  std::set<std::string> keys;
  for (const auto& entry : *objects) keys.insert(entry.first);
  for (const auto& entry : template_schema_) keys.insert(entry.first);
  for (const std::string& key : keys) {
    auto in_clone = objects->find(key);
    auto in_template = template_schema_.find(key);
    if (in_clone != objects->end() && in_template != template_schema_.end() &&
        in_clone->second == in_template->second) {
      continue;
    }
    const std::string& value =
        in_clone != objects->end() ? in_clone->second : in_template->second;
    (*changed)[value.substr(0, value.find('\n'))] = true;
  }
  return Status();
}

Status SqliteResetter::RowsDiffer(int64_t id, const Table& table,
                                  bool* differ) {
  std::string where;
  if (!table.key.empty()) {
    where = " WHERE (" + table.key + ") IN (SELECT " + table.key +
            " FROM main.gtest_parallel_log_" + std::to_string(id) + ")";
  }
  auto rows_of = [&](const std::string& schema) {
    return "SELECT " + table.compared + ", count(*) FROM " + schema + "." +
           SqliteIdent(table.name) + where + " GROUP BY " + table.compared;
  };
  const std::string clone = rows_of("main");
  const std::string original = rows_of(kSqliteTemplateSchema);
  SqliteConnection connection(db_, /*owns=*/false);
  std::string found;
  Status status = connection.QueryValue("SELECT EXISTS (" + clone + " EXCEPT " +
                                            original + ") OR EXISTS (" +
                                            original + " EXCEPT " + clone + ")",
                                        &found);
  // A comparison SQLite cannot make: the table counts as changed.
  *differ = !status.ok() || found != "0";
  return status.code() == ErrorCode::kSqlError ? Status() : status;
}

Status SqliteResetter::Differences(std::vector<TableDifference>* differences) {
  differences->clear();
  std::map<std::string, std::string> objects;
  std::map<std::string, bool> changed;  // Name -> schema changed.
  Status status = SchemaDifferences(&objects, &changed);
  if (!status.ok()) return status;
  std::vector<int64_t> ids;
  if (ChangedTables(&ids).ok()) {
    for (int64_t id : ids) {
      auto table = tables_.find(id);
      if (table == tables_.end() || changed.count(table->second.name) != 0) {
        continue;
      }
      bool differ = false;
      status = RowsDiffer(id, table->second, &differ);
      if (!status.ok()) return status;
      if (differ) changed.emplace(table->second.name, false);
    }
  }
  for (const auto& [name, schema_changed] : changed) {
    TableDifference difference;
    difference.table = name;
    difference.schema_changed = schema_changed;
    if (template_schema_.count("table " + name) != 0) {
      status = Count(kSqliteTemplateSchema, name, &difference.template_rows);
    }
    if (status.ok() && objects.count("table " + name) != 0) {
      status = Count("main", name, &difference.rows);
    }
    if (!status.ok()) return status;
    differences->push_back(difference);
  }
  return Status();
}

}  // namespace gtest_parallel::internal
