// PrepareMariadbReset: the change tracking MariaDB clones inherit from
// their template (see mariadb_reset.cc for how Reset uses it).
//
// For every base table of the template: AFTER INSERT/UPDATE/DELETE row
// triggers gtest_parallel_<id>_{insert,update,delete} that note the table's
// id in gtest_parallel_changes (INSERT IGNORE) and, for a table with a
// primary key, the keys of the changed rows in gtest_parallel_log_<id>.
// Both are MyISAM tables: not transactional, so that a test's sessions
// never wait on each other's notes (InnoDB would take row and gap locks),
// and notes of rolled-back changes stay (they moved AUTO_INCREMENT
// counters anyway). The triggers skip the statements of a reset session
// (@gtest_parallel_resetting holds the id of the table it copies), so that
// what user triggers change is noted. gtest_parallel_tables names the
// tables, their keys and copied columns, row counts and AUTO_INCREMENT
// positions, and each database's InnoDB table ids (written again into each
// clone); gtest_parallel_schema holds the template's schema map.
#include <algorithm>
#include <cstdio>

#include "gtest_parallel/internal/reset_sessions.h"
#include "gtest_parallel/internal/util.h"
#include "mariadb_reset.h"

namespace gtest_parallel::internal {
namespace {

// How the tables of the schema map are named: kind, table, tab, name.
constexpr char kSchemaMapSql[] = R"sql(
SELECT CONCAT('table:', TABLE_NAME), CONCAT_WS('|', TABLE_TYPE,
  IFNULL(ENGINE, ''), IFNULL(TABLE_COLLATION, ''), IFNULL(CREATE_OPTIONS, ''),
  TABLE_COMMENT) FROM information_schema.TABLES WHERE TABLE_SCHEMA = @db
UNION ALL SELECT CONCAT('column:', TABLE_NAME, CHAR(9), COLUMN_NAME),
  CONCAT_WS('|', ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE,
  IFNULL(COLUMN_DEFAULT, '-'), EXTRA, IFNULL(GENERATION_EXPRESSION, ''),
  IFNULL(COLLATION_NAME, ''), COLUMN_COMMENT)
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @db
UNION ALL SELECT CONCAT('index:', TABLE_NAME, CHAR(9), INDEX_NAME),
  GROUP_CONCAT(CONCAT_WS(',', SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE,
  IFNULL(SUB_PART, ''), INDEX_TYPE) ORDER BY SEQ_IN_INDEX SEPARATOR ';')
  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = @db
  GROUP BY TABLE_NAME, INDEX_NAME
UNION ALL SELECT CONCAT('fk:', TABLE_NAME, CHAR(9), CONSTRAINT_NAME),
  CONCAT_WS('|', REFERENCED_TABLE_NAME, UPDATE_RULE, DELETE_RULE)
  FROM information_schema.REFERENTIAL_CONSTRAINTS
  WHERE CONSTRAINT_SCHEMA = @db
UNION ALL SELECT CONCAT('check:', TABLE_NAME, CHAR(9), CONSTRAINT_NAME),
  CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
  WHERE CONSTRAINT_SCHEMA = @db
UNION ALL SELECT CONCAT('trigger:', EVENT_OBJECT_TABLE, CHAR(9),
  TRIGGER_NAME), CONCAT_WS('|', ACTION_TIMING, EVENT_MANIPULATION,
  ACTION_ORDER, ACTION_STATEMENT) FROM information_schema.TRIGGERS
  WHERE TRIGGER_SCHEMA = @db
UNION ALL SELECT CONCAT('view:', TABLE_NAME), VIEW_DEFINITION
  FROM information_schema.VIEWS WHERE TABLE_SCHEMA = @db
UNION ALL SELECT CONCAT('routine:', ROUTINE_NAME), CONCAT_WS('|',
  ROUTINE_TYPE, IFNULL(ROUTINE_DEFINITION, ''))
  FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = @db
UNION ALL SELECT CONCAT('event:', EVENT_NAME), EVENT_DEFINITION
  FROM information_schema.EVENTS WHERE EVENT_SCHEMA = @db)sql";

// name as InnoDB spells it in "<database>/<name>", "" when it uses codes
// other than @00xx for ASCII.
std::string InnodbSpelling(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (c >= 0x80) return "";
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
        (c >= 'A' && c <= 'Z') || c == '_') {
      out += static_cast<char>(c);
    } else {
      char code[8];
      std::snprintf(code, sizeof(code), "@%04x", c);
      out += code;
    }
  }
  return out;
}

// The triggers that note table id's changes.
Status AddTriggers(MariadbConnection& connection, int id,
                   const std::string& table,
                   const std::vector<std::string>& key) {
  const std::string number = std::to_string(id);
  for (const KeyedTriggerEvent& event : KeyedTriggerEvents(key)) {
    std::string body =
        "INSERT IGNORE INTO gtest_parallel_changes VALUES (" + number + ");";
    if (!key.empty()) {
      body += " INSERT INTO gtest_parallel_log_" + number + " VALUES " +
              event.rows + ";";
    }
    std::string trigger = "gtest_parallel_" + number + "_" + event.name;
    std::transform(trigger.begin(), trigger.end(), trigger.begin(), ::tolower);
    Status status = connection.Execute(
        "CREATE TRIGGER " + trigger + " AFTER " + event.name + " ON " +
        QuoteName(table) +
        " FOR EACH ROW BEGIN IF @gtest_parallel_resetting IS NULL OR "
        "@gtest_parallel_resetting <> " +
        number + " THEN " + body + " END IF; END");
    if (!status.ok()) return status;
  }
  return Status();
}

// The log, triggers and gtest_parallel_tables row of table id.
Status Track(MariadbConnection& connection, int id, const std::string& table,
             const std::string& auto_increment) {
  std::vector<Row> columns, key_rows;
  const std::string name = connection.Literal(table);
  Status status = connection.Query(
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA "
      "= DATABASE() AND TABLE_NAME = " +
          name + " AND IS_GENERATED = 'NEVER' ORDER BY ORDINAL_POSITION",
      &columns);
  if (status.ok()) {
    status = connection.Query(
        "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE "
        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = " +
            name + " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
        &key_rows);
  }
  if (!status.ok()) return status;
  std::vector<std::string> copied, key;
  for (const Row& row : columns) copied.push_back(QuoteName(row[0]));
  for (const Row& row : key_rows) key.push_back(QuoteName(row[0]));
  const std::string number = std::to_string(id);
  if (!key.empty()) {
    status = connection.Execute("CREATE TABLE gtest_parallel_log_" + number +
                                " ENGINE=MyISAM AS SELECT " +
                                JoinStrings(key, ", ") + " FROM " +
                                QuoteName(table) + " LIMIT 0");
  }
  if (status.ok()) status = AddTriggers(connection, id, table, key);
  if (status.ok()) {
    status = connection.Execute(
        "INSERT INTO gtest_parallel_tables SELECT " + number + ", " + name +
        ", " + connection.Literal(JoinStrings(key, ", ")) + ", " +
        connection.Literal(JoinStrings(copied, ", ")) + ", COUNT(*), " +
        (auto_increment.empty() ? "NULL" : auto_increment) + ", NULL FROM " +
        QuoteName(table));
  }
  if (!status.ok()) {
    return Status(status.code(),
                  "cannot track table " + table + ": " + status.message());
  }
  return Status();
}

}  // namespace

Status MariadbSchemaMap(MariadbConnection& connection,
                        const std::string& database,
                        std::map<std::string, std::string>* objects) {
  objects->clear();
  std::vector<Row> rows;
  Status status =
      connection.Execute("SET @db = " + connection.Literal(database));
  if (status.ok()) status = connection.Query(kSchemaMapSql, &rows);
  const std::string qualified = QuoteName(database) + ".";
  for (Row& row : rows) {
    std::string& value = row[1];
    for (size_t at = value.find(qualified); at != std::string::npos;
         at = value.find(qualified, at)) {
      value.erase(at, qualified.size());
    }
    (*objects)[row[0]] = ToBase36(Fnv1a64(value), 13);
  }
  return status;
}

Status MariadbInnodbIds(MariadbConnection& connection,
                        const std::string& database,
                        const std::vector<std::string>& tables,
                        std::map<std::string, std::string>* ids) {
  ids->clear();
  std::vector<Row> rows;
  // Database names of gtest_parallel are [a-z0-9_]: spelled as they are.
  Status status = connection.Query(
      "SELECT NAME, TABLE_ID FROM information_schema.INNODB_SYS_TABLES "
      "WHERE NAME LIKE " +
          connection.Literal(database + "/%"),
      &rows);
  if (status.code() == ErrorCode::kPermissionDenied) return Status();
  std::map<std::string, std::string> by_name;
  for (const Row& row : rows) by_name[row[0]] = row[1];
  for (const std::string& table : tables) {
    const std::string spelled = InnodbSpelling(table);
    auto found = by_name.find(database + "/" + spelled);
    if (!spelled.empty() && found != by_name.end()) {
      (*ids)[table] = found->second;
    }
  }
  return status;
}

Status RecordMariadbResetBaseline(MariadbConnection& connection,
                                  const std::string& clone_name) {
  const std::string tables = QuoteName(clone_name) + ".gtest_parallel_tables";
  std::vector<Row> rows;
  Status status = connection.Query(
      "SELECT table_name FROM information_schema.TABLES WHERE TABLE_SCHEMA "
      "= " +
          connection.Literal(clone_name) +
          " AND TABLE_NAME = 'gtest_parallel_tables'",
      &rows);
  if (!status.ok() || rows.empty()) return status;
  rows.clear();
  status = connection.Query("SELECT table_name FROM " + tables, &rows);
  std::vector<std::string> names;
  for (const Row& row : rows) names.push_back(row[0]);
  std::map<std::string, std::string> ids;
  if (status.ok())
    status = MariadbInnodbIds(connection, clone_name, names, &ids);
  if (status.ok())
    status = connection.Execute("UPDATE " + tables + " SET engine_id = NULL");
  for (const auto& [name, id] : ids) {
    if (!status.ok()) break;
    status =
        connection.Execute("UPDATE " + tables + " SET engine_id = " + id +
                           " WHERE table_name = " + connection.Literal(name));
  }
  return status;
}

Status PrepareMariadbReset(MariadbConnection& connection,
                           const std::string& template_name) {
  Status status = connection.Use(template_name);
  std::vector<Row> tables;
  if (status.ok()) {
    status = connection.Query(
        "SELECT TABLE_NAME, IFNULL(AUTO_INCREMENT, ''), TABLE_TYPE FROM "
        "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
        "TABLE_TYPE IN ('BASE TABLE', 'SEQUENCE') ORDER BY TABLE_NAME",
        &tables);
  }
  if (!status.ok()) return status;
  for (const Row& table : tables) {
    if (table[0] == "gtest_parallel_tables") return Status();  // Prepared.
  }
  status = connection.Execute(
      "CREATE TABLE gtest_parallel_changes (table_id INT NOT NULL PRIMARY "
      "KEY) ENGINE=MyISAM");
  if (status.ok()) {
    status = connection.Execute(
        "CREATE TABLE gtest_parallel_tables (table_id INT NOT NULL PRIMARY "
        "KEY, table_name VARCHAR(64) NOT NULL, key_columns TEXT NOT NULL, "
        "copy_columns TEXT NOT NULL, template_rows BIGINT NOT NULL, "
        "auto_increment BIGINT NULL, engine_id BIGINT NULL) ENGINE=InnoDB");
  }
  if (status.ok()) {
    status = connection.Execute(
        "CREATE TABLE gtest_parallel_schema (object_key TEXT NOT NULL, "
        "signature VARCHAR(16) NOT NULL) ENGINE=InnoDB");
  }
  int id = 0;
  for (const Row& table : tables) {
    if (!status.ok()) break;
    if (table[2] != "BASE TABLE" || table[0].rfind("gtest_parallel_", 0) == 0) {
      continue;  // Sequences are compared with the template's.
    }
    status = Track(connection, ++id, table[0], table[1]);
  }
  if (status.ok()) {
    status = RecordMariadbResetBaseline(connection, template_name);
  }
  std::map<std::string, std::string> objects;
  if (status.ok())
    status = MariadbSchemaMap(connection, template_name, &objects);
  for (const auto& [key, signature] : objects) {
    if (!status.ok()) break;
    status = connection.Execute("INSERT INTO gtest_parallel_schema VALUES (" +
                                connection.Literal(key) + ", " +
                                connection.Literal(signature) + ")");
  }
  return status;
}

}  // namespace gtest_parallel::internal
