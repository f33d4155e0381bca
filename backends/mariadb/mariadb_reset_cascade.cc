// Foreign key actions of MariaDB clones: InnoDB runs ON DELETE/UPDATE
// CASCADE, SET NULL and SET DEFAULT without firing triggers, so the rows
// they change are never logged. Before copying back, Propagate adds to the
// log of each child table the template's rows that reference a logged
// parent row which the clone lacks or whose referenced columns changed
// (a whole-copied parent makes its children whole copies), and so on down.
#include "mariadb_reset.h"

namespace gtest_parallel::internal {

Status MariadbResetter::LoadCascades() {
  std::vector<Row> keys, columns, copied;
  const std::string schema = connection_->Literal(template_);
  Status status = connection_->Query(
      "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
      "WHERE TABLE_SCHEMA = " +
          schema + " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
      &keys);
  if (status.ok()) {
    status = connection_->Query(
        "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = " +
            schema + " AND IS_GENERATED = 'NEVER' ORDER BY ORDINAL_POSITION",
        &copied);
  }
  if (status.ok()) {
    status = connection_->Query(
        "SELECT k.CONSTRAINT_NAME, k.TABLE_NAME, k.REFERENCED_TABLE_NAME, "
        "k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME FROM "
        "information_schema.KEY_COLUMN_USAGE k JOIN "
        "information_schema.REFERENTIAL_CONSTRAINTS r ON "
        "r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = "
        "k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME WHERE "
        "k.TABLE_SCHEMA = " +
            schema + " AND k.REFERENCED_TABLE_SCHEMA = " + schema +
            " AND (r.DELETE_RULE NOT IN ('RESTRICT', 'NO ACTION') OR "
            "r.UPDATE_RULE NOT IN ('RESTRICT', 'NO ACTION')) ORDER BY "
            "k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
        &columns);
  }
  std::map<std::string, int> ids;
  for (const auto& [id, table] : tables_) ids[table.name] = id;
  for (const Row& row : keys) {
    auto table = ids.find(row[0]);
    if (table != ids.end()) keys_[table->second].push_back(QuoteName(row[1]));
  }
  for (const Row& row : copied) {
    auto table = ids.find(row[0]);
    if (table != ids.end()) {
      std::string& list = copied_[table->second];
      list += (list.empty() ? "x." : ", x.") + QuoteName(row[1]);
      std::string& compared = compared_[table->second];
      compared += (compared.empty() ? "CAST(x." : ", CAST(x.") +
                  QuoteName(row[1]) + " AS BINARY)";
    }
  }
  std::string constraint;
  for (const Row& row : columns) {
    auto child = ids.find(row[1]);
    auto parent = ids.find(row[2]);
    if (child == ids.end() || parent == ids.end()) continue;
    if (cascades_.empty() || row[0] + "\n" + row[1] != constraint) {
      cascades_.push_back({parent->second, child->second, {}});
      constraint = row[0] + "\n" + row[1];
    }
    cascades_.back().columns.emplace_back(QuoteName(row[3]), QuoteName(row[4]));
  }
  return status;
}

std::string MariadbResetter::CascadeSql(const Cascade& cascade) {
  const std::vector<std::string>& parent_key = keys_[cascade.parent];
  const std::vector<std::string>& child_key = keys_[cascade.child];
  const std::string child_log =
      "gtest_parallel_log_" + std::to_string(cascade.child);
  auto joined = [](const std::vector<std::string>& columns,
                   const std::string& prefix) {
    std::string out;
    for (const std::string& column : columns) {
      out += (out.empty() ? "" : ", ") + prefix + column;
    }
    return out;
  };
  auto equal = [](const std::vector<std::string>& columns,
                  const std::string& left, const std::string& right,
                  const char* op) {
    std::string out;
    for (const std::string& column : columns) {
      out += (out.empty() ? "" : " AND ") + left + column + op + right + column;
    }
    return out;
  };
  std::string references, referenced;
  std::vector<std::string> parent_columns;
  for (const auto& [child, parent] : cascade.columns) {
    references += (references.empty() ? "" : " AND ") + ("tc." + child) +
                  " = " + ("tp." + parent);
    parent_columns.push_back(parent);
  }
  const std::string source = QuoteName(template_) + ".";
  // The template's child rows of the logged parent rows that the clone
  // lacks or whose referenced columns changed.
  return "INSERT INTO " + child_log + " (" + joined(child_key, "") +
         ") SELECT " + joined(child_key, "tc.") + " FROM (SELECT DISTINCT " +
         joined(parent_key, "") + " FROM gtest_parallel_log_" +
         std::to_string(cascade.parent) + ") l STRAIGHT_JOIN " + source +
         QuoteName(tables_[cascade.parent].name) + " tp ON " +
         equal(parent_key, "tp.", "l.", " = ") + " STRAIGHT_JOIN " + source +
         QuoteName(tables_[cascade.child].name) + " tc ON " + references +
         " LEFT JOIN " + QuoteName(tables_[cascade.parent].name) + " cp ON " +
         equal(parent_key, "cp.", "tp.", " = ") + " WHERE (cp." +
         parent_key[0] + " IS NULL OR NOT (" +
         equal(parent_columns, "cp.", "tp.", " <=> ") +
         ")) AND NOT EXISTS (SELECT 1 FROM " + child_log + " x WHERE " +
         equal(child_key, "x.", "tc.", " = ") + "); SELECT ROW_COUNT()";
}

Status MariadbResetter::Propagate(Marks* marks) {
  std::vector<int> queue;
  for (const auto& entry : *marks) queue.push_back(entry.first);
  Status status;
  while (!queue.empty() && status.ok()) {
    const int parent = queue.back();
    queue.pop_back();
    for (const Cascade& cascade : cascades_) {
      if (cascade.parent != parent || !status.ok()) continue;
      const int child = cascade.child;
      if ((*marks)[parent] || keys_[parent].empty() || keys_[child].empty() ||
          tables_[child].key.empty()) {
        bool& whole = (*marks)[child];
        if (!whole) queue.push_back(child);
        whole = true;
        continue;
      }
      std::string added;
      status = connection_->QueryValue(CascadeSql(cascade), &added);
      if (status.ok() && std::atoll(added.c_str()) > 0) {
        status = connection_->Execute(
            "INSERT IGNORE INTO gtest_parallel_changes VALUES (" +
            std::to_string(child) + ")");
        marks->emplace(child, false);
        queue.push_back(child);
      }
    }
  }
  return status;
}

}  // namespace gtest_parallel::internal
