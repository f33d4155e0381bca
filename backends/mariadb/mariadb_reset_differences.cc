// MariadbResetter::Differences: what a clone holds differently from its
// template, for the leak check run after each test.
//
// Schema changes come from the clone's schema map compared with the
// template's (only when Check saw the schema move). A marked table (with
// the child rows foreign key actions changed, see
// mariadb_reset_cascade.cc) is listed only when its rows differ from the
// template's, read across databases: the rows of its logged keys (the
// logged keys drive the join), or, for a table copied whole (no primary
// key, truncated), the row count and then all rows, compared with EXCEPT
// ALL both ways (MariaDB 10.5; 10.3 and 10.4: EXCEPT, on the keyed rows
// only) over the copied columns cast to BINARY, so that a case-insensitive
// collation does not hide a change. A row inserted and deleted again, or
// changed and changed back, is no difference; without the set operations,
// or when the comparison fails, the table is listed. Sequences and
// AUTO_INCREMENT counters that moved are not listed.
#include <set>

#include "mariadb_reset.h"

namespace gtest_parallel::internal {
namespace {

// The table a schema map key names ("kind:table\tname").
std::string OwnerOf(const std::string& key) {
  size_t colon = key.find(':');
  size_t tab = key.find('\t', colon);
  return key.substr(colon + 1,
                    tab == std::string::npos ? tab : tab - colon - 1);
}

}  // namespace

Status MariadbResetter::RowsDiffer(int id, bool whole, bool* differ) {
  const Table& table = tables_[id];
  const std::string target = QuoteName(table.name);
  const std::string source = QuoteName(template_) + "." + target;
  const bool all = whole || table.key.empty();
  *differ = true;
  if (except_.empty() || (all && except_ != "EXCEPT ALL")) return Status();
  if (all) {
    std::string count;
    Status status =
        connection_->QueryValue("SELECT COUNT(*) FROM " + target, &count);
    if (!status.ok() || std::atoll(count.c_str()) != table.rows) {
      return status;
    }
  }
  const std::string clone = "SELECT " + compared_[id] + " FROM " +
                            (all ? target + " x" : LoggedRows(id, target));
  const std::string original = "SELECT " + compared_[id] + " FROM " +
                               (all ? source + " x" : LoggedRows(id, source));
  std::string found;
  Status status = connection_->QueryValue(
      "SELECT EXISTS (" + clone + " " + except_ + " " + original +
          ") OR EXISTS (" + original + " " + except_ + " " + clone + ")",
      &found);
  // Rows MariaDB cannot compare: the table counts as changed.
  *differ = !status.ok() || found != "0";
  return status.code() == ErrorCode::kSqlError ? Status() : status;
}

Status MariadbResetter::Differences(std::vector<TableDifference>* differences) {
  differences->clear();
  Marks marks;
  std::vector<std::string> sequences;
  bool schema_changed = false;
  Status status = Check(&marks, &sequences, &schema_changed);
  if (status.ok() && !schema_changed) status = Propagate(&marks);
  // The clone's schema is the template's unless Check saw it change.
  std::map<std::string, std::string> objects = template_schema_;
  if (status.ok() && schema_changed) {
    status = MariadbSchemaMap(*connection_, clone_, &objects);
  }
  if (!status.ok()) return status;
  // Name -> schema changed; views, routines and events are not tables.
  std::map<std::string, bool> changed;
  std::set<std::string> keys, not_tables;
  for (const auto& entry : objects) keys.insert(entry.first);
  for (const auto& entry : template_schema_) keys.insert(entry.first);
  for (const std::string& key : keys) {
    const std::string kind = key.substr(0, key.find(':'));
    if (kind == "view" || kind == "routine" || kind == "event") {
      not_tables.insert(OwnerOf(key));
    }
    auto in_clone = objects.find(key);
    auto in_template = template_schema_.find(key);
    if (in_clone == objects.end() || in_template == template_schema_.end() ||
        in_clone->second != in_template->second) {
      changed[OwnerOf(key)] = true;
    }
  }
  for (const auto& [id, whole] : marks) {
    bool differ = false;
    if (!status.ok() || changed.count(tables_[id].name) != 0) continue;
    status = RowsDiffer(id, whole, &differ);
    if (differ) changed.emplace(tables_[id].name, false);
  }
  if (!status.ok()) return status;
  return ListWithCounts(changed, objects, not_tables, differences);
}

Status MariadbResetter::ListWithCounts(
    const std::map<std::string, bool>& changed,
    const std::map<std::string, std::string>& objects,
    const std::set<std::string>& not_tables,
    std::vector<TableDifference>* differences) {
  for (const auto& [name, altered] : changed) {
    TableDifference difference{name, -1, -1, altered};
    const bool table = not_tables.count(name) == 0;
    for (const auto& [id, entry] : tables_) {
      if (table && entry.name == name &&
          template_schema_.count("table:" + name) != 0) {
        difference.template_rows = entry.rows;
      }
    }
    if (table && objects.count("table:" + name) != 0) {
      std::string count;
      Status status = connection_->QueryValue(
          "SELECT COUNT(*) FROM " + QuoteName(name), &count);
      if (!status.ok()) return status;
      difference.rows = std::atoll(count.c_str());
    }
    differences->push_back(difference);
  }
  return Status();
}

}  // namespace gtest_parallel::internal
