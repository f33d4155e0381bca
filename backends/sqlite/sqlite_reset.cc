// Per-test reset of SQLite clones.
//
// PrepareSqliteReset adds to the template, for every table but virtual
// ones: AFTER INSERT/UPDATE/DELETE row triggers that note the table's id in
// gtest_parallel_changes (INSERT OR IGNORE) and log the key of each changed
// row (the rowid, or the primary key of a WITHOUT ROWID table) in
// gtest_parallel_log_<id>; gtest_parallel_tables names the tables and
// their keys. Clones inherit all of it with the file copy or image.
//
// SqliteResetter keeps a connection to the clone with foreign keys and
// triggers off (SQLITE_DBCONFIG_ENABLE_TRIGGER), synchronous=OFF (a clone
// is thrown away after a crash; an fsync per commit would cost more than
// the copy), and the template attached as gtest_parallel_template (the
// file, or for in-memory clones its image deserialized into this
// connection). Reset reads the changes table and PRAGMA schema_version
// (microseconds); when schema_version moved, the clone's sqlite_schema is
// compared with the template's and a difference makes the caller
// Restore(). Otherwise, in one transaction holding the clone's write lock
// (waiting at most the busy timeout), each changed table gets its logged
// keys deleted and the template's rows with those keys copied back (a
// table whose rowid columns named rowid, _rowid_ and oid all hide is
// logged by its primary key, or copied whole without one), and its
// sqlite_sequence row put back. Not tracked: virtual tables, and rows that
// INSERT OR REPLACE deletes for a UNIQUE conflict on another column while
// recursive_triggers is off (SQLite fires no delete trigger for them).
#include "sqlite_reset.h"

#include <algorithm>
#include <set>

#include "gtest_parallel/internal/util.h"
#include "sqlite_connection.h"
#include "sqlite_files.h"

namespace gtest_parallel::internal {
namespace {

constexpr const char* kTemplateSchema = kSqliteTemplateSchema;
constexpr const char* kRowidAliases[] = {"rowid", "_rowid_", "oid"};

// text between quote characters, those in it doubled.
std::string Quoted(const std::string& text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    out += c;
    if (c == quote) out += quote;
  }
  return out + quote;
}

std::string Ident(const std::string& name) { return Quoted(name, '"'); }

std::string Literal(const std::string& text) { return Quoted(text, '\''); }

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// The key a table's changed rows are logged by, as a column list: a rowid
// alias, the primary key of a WITHOUT ROWID table, or "" for none.
Status KeyOf(SqliteConnection& connection, const std::string& table,
             std::vector<std::string>* key) {
  std::vector<Row> columns;
  Status status = connection.Query(
      "SELECT name, pk FROM pragma_table_xinfo(" + Literal(table) + ")",
      &columns);
  if (!status.ok()) return status;
  std::set<std::string> names;
  for (const Row& column : columns) names.insert(Lower(column[0]));
  key->clear();
  for (const char* alias : kRowidAliases) {
    if (names.count(alias) != 0) continue;
    sqlite3_stmt* statement = nullptr;
    std::string probe = std::string("SELECT ") + alias + " FROM main." +
                        Ident(table) + " LIMIT 0";
    int result = sqlite3_prepare_v2(connection.db(), probe.c_str(), -1,
                                    &statement, nullptr);
    sqlite3_finalize(statement);
    if (result == SQLITE_OK) {
      key->push_back(alias);
      return Status();
    }
  }
  std::vector<std::pair<int, std::string>> primary;
  for (const Row& column : columns) {
    int position = std::atoi(column[1].c_str());
    if (position > 0) primary.emplace_back(position, Ident(column[0]));
  }
  std::sort(primary.begin(), primary.end());
  for (const auto& entry : primary) key->push_back(entry.second);
  return Status();
}

// Adds the log and triggers of table number id.
Status TrackTable(SqliteConnection& connection, int id,
                  const std::string& table) {
  std::vector<std::string> key;
  Status status = KeyOf(connection, table, &key);
  if (!status.ok()) return status;
  const std::string number = std::to_string(id);
  const std::string log = "gtest_parallel_log_" + number;
  status = connection.Execute(
      "INSERT INTO main.gtest_parallel_tables VALUES (" + number + ", " +
      Literal(table) + ", " + Literal(JoinStrings(key, ", ")) + ")");
  if (status.ok() && !key.empty()) {
    status = connection.Execute("CREATE TABLE main." + log + " (" +
                                JoinStrings(key, ", ") + ")");
  }
  for (const KeyedTriggerEvent& event : KeyedTriggerEvents(key)) {
    if (!status.ok()) break;
    std::string body =
        "INSERT OR IGNORE INTO gtest_parallel_changes VALUES (" + number + ");";
    if (!key.empty())
      body += " INSERT INTO " + log + " VALUES " + event.rows + ";";
    status =
        connection.Execute("CREATE TRIGGER main.gtest_parallel_" + number +
                           "_" + Lower(event.name) + " AFTER " + event.name +
                           " ON " + Ident(table) + " BEGIN " + body + " END");
  }
  if (!status.ok()) {
    return Status(status.code(),
                  "cannot track table " + table + ": " + status.message());
  }
  return Status();
}

}  // namespace

std::string SqliteIdent(const std::string& name) { return Ident(name); }

Status SqliteSchemaMap(sqlite3* db, const std::string& schema,
                       std::map<std::string, std::string>* objects) {
  SqliteConnection connection(db, /*owns=*/false);
  std::vector<Row> rows;
  Status status = connection.Query(
      "SELECT type, name, tbl_name, sql FROM " + schema +
          ".sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
      &rows);
  objects->clear();
  for (const Row& row : rows) {
    (*objects)[row[0] + " " + row[1]] = row[2] + "\n" + row[3];
  }
  return status;
}

Status IsSqliteResetPrepared(sqlite3* db, bool* prepared) {
  SqliteConnection connection(db, /*owns=*/false);
  std::string found;
  Status status = connection.QueryValue(
      "SELECT count(*) FROM main.sqlite_schema "
      "WHERE type = 'table' AND name = 'gtest_parallel_tables'",
      &found);
  *prepared = found == "1";
  return status;
}

Status PrepareSqliteReset(sqlite3* db, bool* added) {
  *added = false;
  bool prepared = false;
  Status status = IsSqliteResetPrepared(db, &prepared);
  if (!status.ok() || prepared) return status;
  SqliteConnection connection(db, /*owns=*/false);
  std::vector<Row> tables;
  status = connection.Query(
      "SELECT name FROM main.sqlite_schema WHERE type = 'table' "
      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "AND name NOT LIKE 'gtest\\_parallel\\_%' ESCAPE '\\' "
      "AND sql NOT LIKE 'CREATE VIRTUAL %' ORDER BY name",
      &tables);
  if (status.ok()) status = connection.Execute("SAVEPOINT gtest_parallel");
  if (!status.ok()) return status;
  status = connection.Execute(
      "CREATE TABLE main.gtest_parallel_changes "
      "(table_id INTEGER PRIMARY KEY)");
  if (status.ok()) {
    status = connection.Execute(
        "CREATE TABLE main.gtest_parallel_tables (table_id INTEGER PRIMARY "
        "KEY, table_name TEXT NOT NULL, key_columns TEXT NOT NULL)");
  }
  for (size_t i = 0; i < tables.size() && status.ok(); ++i) {
    status = TrackTable(connection, static_cast<int>(i + 1), tables[i][0]);
  }
  if (!status.ok()) {
    connection.Execute("ROLLBACK TO gtest_parallel");
    connection.Execute("RELEASE gtest_parallel");
    return status;
  }
  status = connection.Execute("RELEASE gtest_parallel");
  *added = status.ok();
  return status;
}

Status SqliteResetter::Open(sqlite3* clone, const SqliteTemplateSource& source,
                            std::unique_ptr<SqliteResetter>* resetter) {
  std::unique_ptr<SqliteResetter> opened(new SqliteResetter(clone));
  SqliteConnection connection(clone, /*owns=*/false);
  int off = 0;
  sqlite3_db_config(clone, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &off);
  // A clone is thrown away after a crash: its commits need no fsync.
  Status status = connection.Execute(
      "PRAGMA foreign_keys = OFF; PRAGMA main.synchronous = OFF");
  if (status.ok()) {
    status = connection.Execute(
        "ATTACH DATABASE " + Literal(source.image ? ":memory:" : source.path) +
        " AS " + kTemplateSchema);
  }
  if (status.ok() && source.image) {
    unsigned char* data = nullptr;
    int64_t size = 0;
    status = ReadWholeFile(source.path, &data, &size);
    if (status.ok() &&
        sqlite3_deserialize(clone, kTemplateSchema, data, size, size + 1,
                            SQLITE_DESERIALIZE_FREEONCLOSE |
                                SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
      status =
          SqliteError(clone, "cannot load the template image " + source.path);
    }
  }
  std::string prepared;
  if (status.ok()) {
    status = connection.QueryValue(
        std::string("SELECT count(*) FROM ") + kTemplateSchema +
            ".sqlite_schema WHERE name = 'gtest_parallel_tables'",
        &prepared);
  }
  if (!status.ok() || prepared != "1") return status;
  status = opened->Load();
  if (status.ok()) *resetter = std::move(opened);
  return status;
}

SqliteResetter::~SqliteResetter() { sqlite3_close_v2(db_); }

Status SqliteResetter::Load() {
  SqliteConnection connection(db_, /*owns=*/false);
  const std::string source = kTemplateSchema;
  Status status = SqliteSchemaMap(db_, source, &template_schema_);
  std::string sequence;
  if (status.ok()) {
    status = connection.QueryValue(
        "SELECT count(*) FROM " + source +
            ".sqlite_schema WHERE name = 'sqlite_sequence'",
        &sequence);
  }
  has_sequence_ = sequence == "1";
  std::vector<Row> rows;
  if (status.ok()) {
    status = connection.Query("SELECT table_id, table_name, key_columns FROM " +
                                  source + ".gtest_parallel_tables",
                              &rows);
  }
  for (const Row& row : rows) {
    if (!status.ok()) break;
    Table table{row[1], row[2], "", ""};
    std::vector<Row> columns;
    status = connection.Query("SELECT name FROM pragma_table_xinfo(" +
                                  Literal(table.name) + ", '" + source +
                                  "') WHERE hidden = 0",
                              &columns);
    std::vector<std::string> names, compared;
    for (const char* alias : kRowidAliases) {
      if (table.key == alias) names.push_back(alias);
    }
    for (const Row& column : columns) {
      names.push_back(Ident(column[0]));
      compared.push_back(Ident(column[0]) + " COLLATE BINARY");
    }
    table.columns = JoinStrings(names, ", ");
    table.compared = JoinStrings(compared, ", ");
    tables_[std::atoll(row[0].c_str())] = table;
  }
  return status;
}

Status SqliteResetter::SchemaChanged(bool* changed) {
  *changed = false;
  SqliteConnection connection(db_, /*owns=*/false);
  std::string version;
  Status status = connection.QueryValue("PRAGMA main.schema_version", &version);
  if (!status.ok()) return status;
  if (std::atoll(version.c_str()) == verified_version_) return Status();
  std::map<std::string, std::string> objects;
  status = SqliteSchemaMap(db_, "main", &objects);
  if (!status.ok()) return status;
  *changed = objects != template_schema_;
  if (!*changed) verified_version_ = std::atoll(version.c_str());
  return Status();
}

Status SqliteResetter::ChangedTables(std::vector<int64_t>* ids) {
  SqliteConnection connection(db_, /*owns=*/false);
  std::vector<Row> rows;
  Status status = connection.Query(
      "SELECT table_id FROM main.gtest_parallel_changes ORDER BY 1", &rows);
  for (const Row& row : rows) ids->push_back(std::atoll(row[0].c_str()));
  return status;
}

Status SqliteResetter::CopyBack(int64_t id, const Table& table) {
  SqliteConnection connection(db_, /*owns=*/false);
  const std::string target = "main." + Ident(table.name);
  const std::string source =
      std::string(kTemplateSchema) + "." + Ident(table.name);
  std::string where;
  std::string log;
  if (!table.key.empty()) {
    log = "main.gtest_parallel_log_" + std::to_string(id);
    where = " WHERE (" + table.key + ") IN (SELECT " + table.key + " FROM " +
            log + ")";
  }
  Status status = connection.Execute("DELETE FROM " + target + where);
  if (status.ok()) {
    status = connection.Execute("INSERT INTO " + target + " (" + table.columns +
                                ") SELECT " + table.columns + " FROM " +
                                source + where);
  }
  if (status.ok() && !log.empty())
    status = connection.Execute("DELETE FROM " + log);
  if (status.ok() && has_sequence_) {
    const std::string name = Literal(table.name);
    status = connection.Execute(
        "DELETE FROM main.sqlite_sequence WHERE name = " + name +
        "; INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq "
        "FROM " +
        kTemplateSchema + ".sqlite_sequence WHERE name = " + name);
  }
  return status;
}

Status SqliteResetter::Reset(bool* schema_changed,
                             std::vector<std::string>* tables) {
  Status status = SchemaChanged(schema_changed);
  std::vector<int64_t> ids;
  if (status.ok() && !*schema_changed) status = ChangedTables(&ids);
  if (!status.ok()) {
    // In-memory databases cannot be read while another connection writes.
    return Status(status.code(),
                  "cannot read what changed: " + status.message() +
                      (status.code() == ErrorCode::kTemplateInUse
                           ? " (a transaction of the test still open?)"
                           : ""));
  }
  if (*schema_changed || ids.empty()) return status;
  for (int64_t id : ids) {
    if (tables_.count(id) == 0) {
      *schema_changed = true;  // Not a table of the template's.
      return Status();
    }
  }
  // BEGIN IMMEDIATE would lock the attached template too: a write that
  // changes nothing takes the clone's write lock alone (waiting as long as
  // the busy timeout).
  SqliteConnection connection(db_, /*owns=*/false);
  status = connection.Execute(
      "BEGIN; DELETE FROM main.gtest_parallel_changes WHERE 0");
  if (!status.ok()) connection.Execute("ROLLBACK");
  if (!status.ok()) {
    return Status(status.code(), "cannot lock the clone to put back table " +
                                     tables_[ids[0]].name + ": " +
                                     status.message());
  }
  for (int64_t id : ids) {
    const Table& table = tables_[id];
    status = CopyBack(id, table);
    if (!status.ok()) {
      connection.Execute("ROLLBACK");
      return Status(status.code(), "cannot put back table " + table.name +
                                       ": " + status.message());
    }
    tables->push_back(table.name);
  }
  status = connection.Execute("DELETE FROM main.gtest_parallel_changes");
  if (status.ok()) status = connection.Execute("COMMIT");
  if (!status.ok()) connection.Execute("ROLLBACK");
  return status;
}

}  // namespace gtest_parallel::internal
