// Server-side clones of MariaDB databases, and their summaries.
#include "mariadb_clone.h"

#include <algorithm>
#include <map>

namespace gtest_parallel::internal {
namespace {

// The session settings rows and definitions are copied under: no foreign
// key or unique checks, and 0 kept in AUTO_INCREMENT columns.
constexpr char kCopyMode[] = "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

// Runs SHOW CREATE <kind> `name` and returns column `column` of its row.
Status ShowCreate(MariadbConnection& connection, const std::string& kind,
                  const std::string& name, size_t column, Row* row,
                  std::string* definition) {
  std::vector<Row> rows;
  Status status =
      connection.Query("SHOW CREATE " + kind + " " + QuoteName(name), &rows);
  if (!status.ok()) return status;
  if (rows.empty() || rows[0].size() <= column || rows[0][column].empty()) {
    return Status(ErrorCode::kPermissionDenied,
                  "cannot read the definition of " + kind + " " + name +
                      " (missing privilege?)");
  }
  *row = rows[0];
  *definition = rows[0][column];
  return Status();
}

// Creates object under its own sql_mode.
Status CreateObject(MariadbConnection& connection,
                    const MariadbObject& object) {
  Status status = connection.Execute("SET SESSION sql_mode = " +
                                     connection.Literal(object.sql_mode));
  if (status.ok()) status = connection.Execute(object.create_sql);
  Status reset = connection.Execute(std::string("SET SESSION sql_mode = '") +
                                    kCopyMode + "'");
  return status.ok() ? reset : status;
}

Status Fail(const Status& status, const std::string& what) {
  return Status(status.code(), what + ": " + status.message());
}

// The template's objects as listed by information_schema, in the order
// they are captured.
struct TemplateObjects {
  std::vector<Row> tables;    // TABLE_NAME, TABLE_TYPE.
  std::vector<Row> columns;   // TABLE_NAME, COLUMN_NAME (not generated).
  std::vector<Row> routines;  // ROUTINE_TYPE, ROUTINE_NAME.
  std::vector<Row> triggers;  // TRIGGER_NAME.
  std::vector<Row> events;    // EVENT_NAME.
};

// Reads the template's character set and collation, then makes it the
// default database.
Status CaptureCharset(MariadbConnection& connection,
                      const std::string& template_name,
                      const std::string& schema, MariadbSnapshot* snapshot) {
  std::vector<Row> rows;
  Status status = connection.Query(
      "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
      "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " +
          schema,
      &rows);
  if (!status.ok()) return status;
  if (rows.empty()) {
    return Status(ErrorCode::kNotFound,
                  "template " + template_name + " does not exist");
  }
  snapshot->charset = rows[0][0];
  snapshot->collation = rows[0][1];
  return connection.Use(template_name);
}

// Lists the objects of schema (a quoted literal).
Status ListTemplateObjects(MariadbConnection& connection,
                           const std::string& schema,
                           TemplateObjects* objects) {
  Status status = connection.Query(
      "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
      "WHERE TABLE_SCHEMA = " +
          schema + " ORDER BY TABLE_NAME",
      &objects->tables);
  if (status.ok()) {
    status = connection.Query(
        "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = " +
            schema +
            " AND IS_GENERATED = 'NEVER' "
            "ORDER BY TABLE_NAME, ORDINAL_POSITION",
        &objects->columns);
  }
  if (status.ok()) {
    status = connection.Query(
        "SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES "
        "WHERE ROUTINE_SCHEMA = " +
            schema +
            " ORDER BY FIELD(ROUTINE_TYPE, "
            "'FUNCTION', 'PROCEDURE', 'PACKAGE', 'PACKAGE BODY'), ROUTINE_NAME",
        &objects->routines);
  }
  if (status.ok()) {
    status = connection.Query(
        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
        "WHERE TRIGGER_SCHEMA = " +
            schema +
            " ORDER BY EVENT_OBJECT_TABLE, "
            "ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER",
        &objects->triggers);
  }
  if (status.ok()) {
    status = connection.Query(
        "SELECT EVENT_NAME FROM information_schema.EVENTS "
        "WHERE EVENT_SCHEMA = " +
            schema + " ORDER BY EVENT_NAME",
        &objects->events);
  }
  return status;
}

// Captures the definitions of the tables and views.
Status CaptureTables(MariadbConnection& connection,
                     const TemplateObjects& objects,
                     MariadbSnapshot* snapshot) {
  std::map<std::string, std::vector<std::string>> copied_columns;
  for (const Row& column : objects.columns) {
    copied_columns[column[0]].push_back(column[1]);
  }
  Row row;
  for (const Row& table : objects.tables) {
    std::string definition;
    if (table[1] == "VIEW") {
      Status status =
          ShowCreate(connection, "VIEW", table[0], 1, &row, &definition);
      if (!status.ok()) return Fail(status, "view " + table[0]);
      snapshot->views.push_back({table[0], kCopyMode, definition});
      continue;
    }
    Status status =
        ShowCreate(connection, "TABLE", table[0], 1, &row, &definition);
    if (!status.ok()) return Fail(status, "table " + table[0]);
    snapshot->tables.push_back(
        {table[0], table[1], definition, copied_columns[table[0]]});
  }
  return Status();
}

// Captures the definitions of the routines, triggers and events.
Status CaptureRoutinesTriggersEvents(MariadbConnection& connection,
                                     const TemplateObjects& objects,
                                     MariadbSnapshot* snapshot) {
  Row row;
  for (const Row& routine : objects.routines) {
    std::string definition;
    Status status =
        ShowCreate(connection, routine[0], routine[1], 2, &row, &definition);
    if (!status.ok()) return Fail(status, "routine " + routine[1]);
    snapshot->routines.push_back({routine[1], row[1], definition});
  }
  for (const Row& trigger : objects.triggers) {
    std::string definition;
    Status status =
        ShowCreate(connection, "TRIGGER", trigger[0], 2, &row, &definition);
    if (!status.ok()) return Fail(status, "trigger " + trigger[0]);
    snapshot->triggers.push_back({trigger[0], row[1], definition});
  }
  for (const Row& event : objects.events) {
    std::string definition;
    Status status =
        ShowCreate(connection, "EVENT", event[0], 3, &row, &definition);
    if (!status.ok()) return Fail(status, "event " + event[0]);
    snapshot->events.push_back({event[0], row[1], definition});
  }
  return Status();
}

// Copies every table's rows from template_name into clone_name, in one
// transaction: InnoDB then bulk-loads each empty table (sorted index
// builds) instead of inserting row by row.
Status CopyRows(MariadbConnection& connection, const MariadbSnapshot& snapshot,
                const std::string& template_name,
                const std::string& clone_name) {
  Status status = connection.Execute("START TRANSACTION");
  for (const MariadbTable& table : snapshot.tables) {
    if (!status.ok()) break;
    std::string source = QuoteName(template_name) + "." + QuoteName(table.name);
    std::string target = QuoteName(clone_name) + "." + QuoteName(table.name);
    // A sequence is a one-row table: the INSERT sets all of its state.
    std::string list;
    for (const std::string& column : table.columns) {
      list += (list.empty() ? "" : ", ") + QuoteName(column);
    }
    status = connection.Execute("INSERT INTO " + target + " (" + list +
                                ") SELECT " + list + " FROM " + source);
    if (!status.ok()) status = Fail(status, "copying table " + table.name);
  }
  if (!status.ok()) {
    connection.Execute("ROLLBACK");
    return status;
  }
  status = connection.Execute("COMMIT");
  if (!status.ok()) return Fail(status, "copying the rows");
  return Status();
}

// Creates objects in order; kind ("routine", ...) names them in errors.
Status CreateObjects(MariadbConnection& connection,
                     const std::vector<MariadbObject>& objects,
                     const std::string& kind) {
  for (const MariadbObject& object : objects) {
    Status status = CreateObject(connection, object);
    if (!status.ok()) {
      return Fail(status, "creating " + kind + " " + object.name);
    }
  }
  return Status();
}

// Creates the views: views may use views, so those whose dependencies exist
// are created, in rounds, until a round creates none.
Status CreateViews(MariadbConnection& connection,
                   const std::vector<MariadbObject>& views) {
  std::vector<const MariadbObject*> pending;
  for (const MariadbObject& view : views) pending.push_back(&view);
  while (!pending.empty()) {
    std::vector<const MariadbObject*> failed;
    Status last;
    for (const MariadbObject* view : pending) {
      Status created = CreateObject(connection, *view);
      if (!created.ok()) {
        failed.push_back(view);
        last = Fail(created, "creating view " + view->name);
      }
    }
    if (failed.size() == pending.size()) return last;
    pending = failed;
  }
  return Status();
}

// What SummarizeMariadb lists: a label and the query of its lines.
struct SummaryPart {
  const char* label;
  std::string sql;
};

// The queries of SummarizeMariadb for schema (a quoted literal).
std::vector<SummaryPart> SummaryParts(const std::string& schema) {
  return {
      {"table",
       "SELECT TABLE_NAME, TABLE_TYPE, IFNULL(AUTO_INCREMENT, '-') "
       "FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
           schema},
      {"view",
       "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
       "WHERE TABLE_SCHEMA = " +
           schema},
      {"foreign key",
       "SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, "
       "UPDATE_RULE, DELETE_RULE FROM "
       "information_schema.REFERENTIAL_CONSTRAINTS "
       "WHERE CONSTRAINT_SCHEMA = " +
           schema},
      {"trigger",
       "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, "
       "EVENT_MANIPULATION, ACTION_ORDER, MD5(ACTION_STATEMENT) "
       "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = " +
           schema},
      {"routine",
       "SELECT ROUTINE_TYPE, ROUTINE_NAME, MD5(ROUTINE_DEFINITION) "
       "FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = " +
           schema},
      {"event",
       "SELECT EVENT_NAME, MD5(EVENT_DEFINITION) FROM "
       "information_schema.EVENTS "
       "WHERE EVENT_SCHEMA = " +
           schema},
  };
}

// text with every "`database`." replaced by "<db>.".
std::string ReplaceDatabaseName(std::string text, const std::string& database) {
  std::string qualified = QuoteName(database) + ".";
  for (size_t at = text.find(qualified); at != std::string::npos;
       at = text.find(qualified, at)) {
    text.replace(at, qualified.size(), "<db>.");
  }
  return text;
}

// Appends to *line the row count of a table, or the next value of a
// sequence (row: TABLE_NAME, TABLE_TYPE, ...).
Status AppendTableSize(MariadbConnection& connection,
                       const std::string& database, const Row& row,
                       std::string* line) {
  std::string count;
  std::string table = QuoteName(database) + "." + QuoteName(row[0]);
  Status status = connection.QueryValue(
      row[1] == "SEQUENCE" ? "SELECT next_not_cached_value FROM " + table
                           : "SELECT COUNT(*) FROM " + table,
      &count);
  if (!status.ok()) return status;
  *line += (row[1] == "SEQUENCE" ? " next=" : " rows=") + count;
  return Status();
}

}  // namespace

Status CaptureSnapshot(MariadbConnection& connection,
                       const std::string& template_name,
                       MariadbSnapshot* snapshot) {
  *snapshot = MariadbSnapshot();
  std::string schema = connection.Literal(template_name);
  Status status = CaptureCharset(connection, template_name, schema, snapshot);
  if (!status.ok()) return status;
  TemplateObjects objects;
  status = ListTemplateObjects(connection, schema, &objects);
  if (!status.ok()) return status;
  status = CaptureTables(connection, objects, snapshot);
  if (!status.ok()) return status;
  status = CaptureRoutinesTriggersEvents(connection, objects, snapshot);
  if (!status.ok()) return status;
  return SummarizeMariadb(connection, template_name, &snapshot->summary);
}

Status ReplaySnapshot(MariadbConnection& connection,
                      const MariadbSnapshot& snapshot,
                      const std::string& template_name,
                      const std::string& clone_name) {
  Status status = connection.Execute(
      std::string("SET SESSION foreign_key_checks = 0, unique_checks = 0, "
                  "sql_mode = '") +
      kCopyMode + "'");
  if (status.ok()) status = connection.Use(clone_name);
  if (!status.ok()) return status;
  for (const MariadbTable& table : snapshot.tables) {
    status = connection.Execute(table.create_sql);
    if (!status.ok()) return Fail(status, "creating table " + table.name);
  }
  status = CopyRows(connection, snapshot, template_name, clone_name);
  if (status.ok())
    status = CreateObjects(connection, snapshot.routines, "routine");
  if (status.ok()) status = CreateViews(connection, snapshot.views);
  if (status.ok())
    status = CreateObjects(connection, snapshot.triggers, "trigger");
  if (status.ok()) status = CreateObjects(connection, snapshot.events, "event");
  if (!status.ok()) return status;
  return connection.Execute(
      "SET SESSION foreign_key_checks = 1, "
      "unique_checks = 1");
}

Status SummarizeMariadb(MariadbConnection& connection,
                        const std::string& database,
                        std::vector<std::string>* summary) {
  summary->clear();
  for (const SummaryPart& part : SummaryParts(connection.Literal(database))) {
    std::vector<Row> rows;
    Status status = connection.Query(part.sql, &rows);
    if (!status.ok()) return status;
    for (const Row& row : rows) {
      std::string line = part.label;
      for (const std::string& value : row) {
        line += " " + ReplaceDatabaseName(value, database);
      }
      if (part.label == std::string("table") && row[1] != "VIEW") {
        status = AppendTableSize(connection, database, row, &line);
        if (!status.ok()) return status;
      }
      summary->push_back(line);
    }
  }
  std::sort(summary->begin(), summary->end());
  return Status();
}

}  // namespace gtest_parallel::internal
