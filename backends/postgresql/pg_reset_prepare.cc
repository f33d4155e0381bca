// PreparePgReset: the change tracking PostgreSQL clones inherit from their
// template (see pg_reset.cc for how Reset uses it).
//
// In the schema gtest_parallel of the template, for every ordinary table
// (partitions and inheritance children included, partitioned parents
// holding no rows of their own left out):
//  * p_<id>: a pristine copy of its rows (generated columns left out), with
//    a unique index on the primary key: PostgreSQL has no cross-database
//    queries, so each clone carries the rows to copy back;
//  * l_<id>: the primary keys of the rows a test inserted, updated or
//    deleted, written by AFTER statement triggers from their transition
//    tables (row triggers on partitions and inheritance members, which may
//    not have transition tables), and a mark in `changes`; TRUNCATE, and
//    any change to a table without a primary key, marks the table whole.
//    The trigger functions are SECURITY DEFINER, and the tables have no
//    unique constraint, so that a test's sessions never wait on each
//    other's marks;
//  * `tables`, `columns`, `references`: what Reset needs to copy a table
//    back and in which order (referenced tables first);
//  * `sequences`: every sequence's state (setval puts it back);
//  * `schema`: the template's schema objects and the xmin of their catalog
//    rows (which a clone shares with its template), for Differences;
//  * `state`: the catalog digest (PgSchemaDigestSql), which Reset compares
//    when the role is no superuser; superusers get event triggers instead
//    (ddl_command_end, sql_drop, temporary objects left out) that mark the
//    schema changed.
#include <algorithm>
#include <map>
#include <set>

#include "pg_reset.h"

namespace gtest_parallel::internal {

const char kPgSchemaMapSql[] = R"sql(
WITH ns AS (
  SELECT oid, nspname, xmin FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'),
rel AS (
  SELECT c.oid, c.xmin, c.relkind, quote_ident(ns.nspname) || '.' ||
         quote_ident(c.relname) AS qualified,
         CASE WHEN ns.nspname = 'public' THEN c.relname
              ELSE ns.nspname || '.' || c.relname END AS display
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c'))
SELECT 'n:' || nspname, oid::text || '/' || xmin::text, '' FROM ns
UNION ALL
SELECT r.relkind::text || ':' || r.display, r.oid::text || '/' ||
  r.xmin::text || '/a' || coalesce((SELECT string_agg(a.attnum::text ||
    '.' || a.xmin::text, ',' ORDER BY a.attnum) FROM pg_attribute a
    WHERE a.attrelid = r.oid AND a.attnum > 0), '') || '/d' ||
  coalesce((SELECT string_agg(d.oid::text || '.' || d.xmin::text, ','
    ORDER BY d.oid) FROM pg_attrdef d WHERE d.adrelid = r.oid), '') || '/k' ||
  coalesce((SELECT string_agg(k.oid::text || '.' || k.xmin::text, ','
    ORDER BY k.oid) FROM pg_constraint k WHERE k.conrelid = r.oid), '') ||
  '/t' || coalesce((SELECT string_agg(t.oid::text || '.' || t.xmin::text,
    ',' ORDER BY t.oid) FROM pg_trigger t WHERE t.tgrelid = r.oid), '') ||
  '/r' || coalesce((SELECT string_agg(w.oid::text || '.' || w.xmin::text,
    ',' ORDER BY w.oid) FROM pg_rewrite w WHERE w.ev_class = r.oid), '') ||
  '/i' || coalesce((SELECT string_agg(i.indexrelid::text || '.' ||
    i.xmin::text || '.' || c.xmin::text, ',' ORDER BY i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = r.oid), '') || '/p' ||
  coalesce((SELECT string_agg(p.oid::text || '.' || p.xmin::text, ','
    ORDER BY p.oid) FROM pg_policy p WHERE p.polrelid = r.oid), ''),
  r.qualified
FROM rel r
UNION ALL
SELECT 'f:' || p.oid::regprocedure::text, p.oid::text || '/' ||
  p.xmin::text, '' FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
UNION ALL
SELECT 'y:' || t.oid::regtype::text, t.oid::text || '/' || t.xmin::text ||
  '/' || coalesce((SELECT string_agg(e.oid::text || '.' || e.xmin::text,
  ',' ORDER BY e.oid) FROM pg_enum e WHERE e.enumtypid = t.oid), ''), ''
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'r', 'm'))sql";

std::string PgSchemaDigestSql() {
  // User objects have OIDs from 16384 on (public's is 2200): index range
  // scans. Any change to a catalog row gives it a newer xmin, so that the
  // count and sum of xmin of each catalog move.
  static const char* const kParts[] = {
      "pg_namespace x WHERE (x.oid >= 16384 OR x.oid = 2200) AND x.oid NOT "
      "IN (SELECT oid FROM tmp)",
      "rel x",
      "pg_attribute x WHERE x.attrelid IN (SELECT oid FROM rel)",
      "pg_attrdef x WHERE x.oid >= 16384",
      "pg_constraint x WHERE x.oid >= 16384 AND x.connamespace NOT IN "
      "(SELECT oid FROM tmp)",
      "pg_trigger x WHERE x.oid >= 16384",
      "pg_rewrite x WHERE x.oid >= 16384",
      "pg_index x WHERE x.indexrelid IN (SELECT oid FROM rel)",
      "pg_policy x WHERE x.oid >= 16384",
      "pg_proc x WHERE x.oid >= 16384",
      "pg_type x WHERE x.oid >= 16384 AND x.typnamespace NOT IN (SELECT oid "
      "FROM tmp)",
      "pg_enum x WHERE x.oid >= 16384"};
  std::string sql =
      "WITH tmp AS (SELECT oid FROM pg_namespace WHERE nspname LIKE "
      "'pg\\_temp\\_%' OR nspname LIKE 'pg\\_toast\\_temp\\_%'), rel AS "
      "(SELECT oid, xmin FROM pg_class WHERE oid >= 16384 AND relnamespace "
      "NOT IN (SELECT oid FROM tmp)) SELECT concat_ws('/'";
  for (const char* part : kParts) {
    sql += std::string(
               ", (SELECT count(*) || '.' || "
               "coalesce(sum(x.xmin::text::bigint), 0) FROM ") +
           part + ")";
  }
  return sql + ")";
}

namespace {

constexpr char kBookkeeping[] = R"sql(
CREATE SCHEMA gtest_parallel;
CREATE TABLE gtest_parallel.changes (table_id integer NOT NULL,
  whole boolean NOT NULL);
CREATE TABLE gtest_parallel.tables (table_id integer PRIMARY KEY,
  qualified text NOT NULL, display text NOT NULL, rank integer NOT NULL,
  rows bigint NOT NULL);
CREATE TABLE gtest_parallel.columns (table_id integer NOT NULL,
  position integer NOT NULL, name text NOT NULL, is_key boolean NOT NULL);
CREATE TABLE gtest_parallel."references" (table_id integer NOT NULL,
  referenced_id integer NOT NULL);
CREATE TABLE gtest_parallel.sequences (name text NOT NULL,
  last_value bigint NOT NULL, is_called boolean NOT NULL, seen bigint);
CREATE TABLE gtest_parallel.schema (k text NOT NULL, s text NOT NULL);
CREATE TABLE gtest_parallel.state (digest text NOT NULL,
  event_triggers boolean NOT NULL))sql";

constexpr char kDdlTrigger[] = R"sql(
CREATE FUNCTION gtest_parallel.note_ddl() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $gtp$
BEGIN
  IF TG_EVENT = 'sql_drop' THEN
    IF NOT EXISTS (SELECT FROM pg_event_trigger_dropped_objects()
                   WHERE NOT is_temporary) THEN
      RETURN;
    END IF;
  ELSIF NOT EXISTS (SELECT FROM pg_event_trigger_ddl_commands()
                    WHERE schema_name IS NULL
                       OR schema_name NOT LIKE 'pg\_temp%') THEN
    RETURN;
  END IF;
  INSERT INTO gtest_parallel.changes VALUES (0, true);
END $gtp$;
CREATE EVENT TRIGGER gtest_parallel_ddl ON ddl_command_end
  EXECUTE PROCEDURE gtest_parallel.note_ddl();
CREATE EVENT TRIGGER gtest_parallel_drop ON sql_drop
  EXECUTE PROCEDURE gtest_parallel.note_ddl())sql";

// A table to track.
struct Tracked {
  int id;
  std::string oid;
  std::string qualified;
  std::string display;
  bool row_level;  // A partition or inheritance member.
};

// The function that notes table.id's changes.
std::string FunctionSql(const Tracked& table, const std::vector<Row>& key) {
  const std::string id = std::to_string(table.id);
  const bool whole = key.empty();
  std::string keys, news, olds;
  for (const Row& column : key) {
    keys += (keys.empty() ? "" : ", ") + column[0];
    news += (news.empty() ? "" : ", ") + ("NEW." + column[0]);
    olds += (olds.empty() ? "" : ", ") + ("OLD." + column[0]);
  }
  const std::string log = "gtest_parallel.l_" + id;
  std::string sql =
      "CREATE FUNCTION gtest_parallel.note_" + id +
      "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
      "SET search_path = pg_catalog, pg_temp AS $gtp$ BEGIN "
      "IF pg_trigger_depth() = 1 AND current_setting("
      "'gtest_parallel.resetting', true) = 'on' THEN RETURN NULL; END IF; "
      "INSERT INTO gtest_parallel.changes SELECT " +
      id + ", x.w FROM (SELECT TG_OP = 'TRUNCATE' OR " +
      (whole ? "true" : "false") +
      " AS w) x WHERE NOT EXISTS (SELECT FROM gtest_parallel.changes c "
      "WHERE c.table_id = " +
      id + " AND (c.whole OR NOT x.w)); ";
  if (!whole && table.row_level) {
    sql += "IF TG_OP IN ('INSERT', 'UPDATE') THEN INSERT INTO " + log +
           " VALUES (" + news +
           "); END IF; IF TG_OP IN ('DELETE', 'UPDATE') "
           "THEN INSERT INTO " +
           log + " VALUES (" + olds + "); END IF; ";
  } else if (!whole) {
    sql += "IF TG_OP IN ('INSERT', 'UPDATE') THEN INSERT INTO " + log +
           " SELECT " + keys +
           " FROM gtest_parallel_new; END IF; IF TG_OP IN ('DELETE', "
           "'UPDATE') THEN INSERT INTO " +
           log + " SELECT " + keys + " FROM gtest_parallel_old; END IF; ";
  }
  return sql + "RETURN NULL; END $gtp$;";
}

// The triggers that run gtest_parallel.note_<table.id>().
std::string TriggersSql(const Tracked& table, bool whole) {
  const std::string execute = " EXECUTE PROCEDURE gtest_parallel.note_" +
                              std::to_string(table.id) + "();";
  const std::string on = " ON " + table.qualified;
  std::string sql = "CREATE TRIGGER gtest_parallel_truncate AFTER TRUNCATE" +
                    on + " FOR EACH STATEMENT" + execute;
  if (whole || table.row_level) {
    return sql +
           "CREATE TRIGGER gtest_parallel_change AFTER INSERT OR UPDATE OR "
           "DELETE" +
           on + (table.row_level ? " FOR EACH ROW" : " FOR EACH STATEMENT") +
           execute;
  }
  sql += "CREATE TRIGGER gtest_parallel_insert AFTER INSERT" + on +
         " REFERENCING NEW TABLE AS gtest_parallel_new FOR EACH STATEMENT" +
         execute;
  sql += "CREATE TRIGGER gtest_parallel_update AFTER UPDATE" + on +
         " REFERENCING OLD TABLE AS gtest_parallel_old NEW TABLE AS "
         "gtest_parallel_new FOR EACH STATEMENT" +
         execute;
  return sql + "CREATE TRIGGER gtest_parallel_delete AFTER DELETE" + on +
         " REFERENCING OLD TABLE AS gtest_parallel_old FOR EACH STATEMENT" +
         execute;
}

// The pristine copy, log, function and triggers of one table.
Status Track(PgConnection& connection, const Tracked& table) {
  std::vector<Row> columns;
  std::string generated =
      connection.server_version() >= 120000 ? " AND a.attgenerated = ''" : "";
  Status status = connection.Query(
      "SELECT quote_ident(a.attname), a.attnum = ANY (coalesce((SELECT "
      "i.indkey::int2[] FROM pg_index i WHERE i.indrelid = a.attrelid AND "
      "i.indisprimary), '{}')), array_position(coalesce((SELECT "
      "i.indkey::int2[] FROM pg_index i WHERE i.indrelid = a.attrelid AND "
      "i.indisprimary), '{}'), a.attnum) FROM pg_attribute a WHERE "
      "a.attrelid = " +
          table.oid + " AND a.attnum > 0 AND NOT a.attisdropped" + generated +
          " ORDER BY a.attnum",
      &columns);
  if (!status.ok() || columns.empty()) return status;
  std::vector<Row> key;
  std::string list;
  const std::string id = std::to_string(table.id);
  std::string sql;
  for (size_t i = 0; i < columns.size(); ++i) {
    list += (list.empty() ? "" : ", ") + columns[i][0];
    if (columns[i][1] == "t") key.push_back({columns[i][0], columns[i][2]});
    sql += "INSERT INTO gtest_parallel.columns VALUES (" + id + ", " +
           std::to_string(i) + ", " + connection.Literal(columns[i][0]) + ", " +
           (columns[i][1] == "t" ? "true" : "false") + ");";
  }
  std::sort(key.begin(), key.end(), [](const Row& a, const Row& b) {
    return std::atoi(a[1].c_str()) < std::atoi(b[1].c_str());
  });
  std::string keys;
  for (const Row& column : key) keys += (keys.empty() ? "" : ", ") + column[0];
  const std::string pristine = "gtest_parallel.p_" + id;
  sql += "CREATE TABLE " + pristine + " AS SELECT " + list + " FROM ONLY " +
         table.qualified + ";";
  if (!key.empty()) {
    sql += "CREATE UNIQUE INDEX ON " + pristine + " (" + keys + ");";
    sql += "CREATE TABLE gtest_parallel.l_" + id + " AS SELECT " + keys +
           " FROM ONLY " + table.qualified + " WITH NO DATA;";
  }
  sql += FunctionSql(table, key) + TriggersSql(table, key.empty());
  sql += "INSERT INTO gtest_parallel.tables SELECT " + id + ", " +
         connection.Literal(table.qualified) + ", " +
         connection.Literal(table.display) + ", 0, count(*) FROM " + pristine;
  status = connection.Execute(sql);
  if (!status.ok()) {
    return Status(status.code(), "cannot track table " + table.display + ": " +
                                     status.message());
  }
  return Status();
}

// Ranks the tables so that referenced ones come first (cycles broken
// anywhere) and stores the references.
Status RankTables(PgConnection& connection,
                  const std::map<std::string, int>& ids) {
  std::vector<Row> edges;
  Status status = connection.Query(
      "SELECT DISTINCT conrelid::text, confrelid::text FROM pg_constraint "
      "WHERE contype = 'f' AND conrelid <> confrelid",
      &edges);
  if (!status.ok()) return status;
  std::map<int, std::set<int>> parents;
  std::string sql;
  for (const Row& edge : edges) {
    auto child = ids.find(edge[0]);
    auto parent = ids.find(edge[1]);
    if (child == ids.end() || parent == ids.end()) continue;
    parents[child->second].insert(parent->second);
    sql += "INSERT INTO gtest_parallel.\"references\" VALUES (" +
           std::to_string(child->second) + ", " +
           std::to_string(parent->second) + ");";
  }
  std::vector<int> order;
  std::set<int> placed;
  while (placed.size() < ids.size()) {
    size_t before = placed.size();
    for (const auto& [oid, id] : ids) {
      if (placed.count(id) != 0) continue;
      bool ready = true;
      for (int parent : parents[id]) ready &= placed.count(parent) != 0;
      if (ready) {
        placed.insert(id);
        order.push_back(id);
      }
    }
    if (placed.size() == before) {  // A cycle: take any table.
      for (const auto& [oid, id] : ids) {
        if (placed.insert(id).second) {
          order.push_back(id);
          break;
        }
      }
    }
  }
  for (size_t rank = 0; rank < order.size(); ++rank) {
    sql += "UPDATE gtest_parallel.tables SET rank = " + std::to_string(rank) +
           " WHERE table_id = " + std::to_string(order[rank]) + ";";
  }
  return sql.empty() ? Status() : connection.Execute(sql);
}

Status PrepareInTransaction(PgConnection& connection) {
  Status status = connection.Execute(kBookkeeping);
  std::vector<Row> rows;
  if (status.ok()) {
    status = connection.Query(
        "SELECT c.oid::text, quote_ident(n.nspname) || '.' || "
        "quote_ident(c.relname), CASE WHEN n.nspname = 'public' THEN "
        "c.relname ELSE n.nspname || '.' || c.relname END, c.relispartition "
        "OR EXISTS (SELECT FROM pg_inherits WHERE inhrelid = c.oid OR "
        "inhparent = c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = "
        "c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN "
        "('pg_catalog', 'information_schema', 'gtest_parallel') AND "
        "n.nspname NOT LIKE 'pg\\_%' ORDER BY n.nspname, c.relname",
        &rows);
  }
  std::map<std::string, int> ids;  // oid -> id
  for (const Row& row : rows) {
    if (!status.ok()) break;
    Tracked table{static_cast<int>(ids.size()) + 1, row[0], row[1], row[2],
                  row[3] == "t"};
    ids[table.oid] = table.id;
    status = Track(connection, table);
  }
  if (status.ok()) status = RankTables(connection, ids);
  std::vector<Row> sequences;
  if (status.ok()) {
    status = connection.Query(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname NOT "
        "IN ('pg_catalog', 'information_schema', 'gtest_parallel') AND "
        "n.nspname NOT LIKE 'pg\\_%'",
        &sequences);
  }
  for (const Row& sequence : sequences) {
    if (!status.ok()) break;
    const std::string name = connection.Literal(sequence[0]);
    status = connection.Execute(
        "INSERT INTO gtest_parallel.sequences SELECT " + name +
        ", last_value, is_called, pg_sequence_last_value(" + name +
        "::regclass) FROM " + sequence[0]);
  }
  std::string superuser;
  if (status.ok()) {
    status = connection.QueryValue(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
        &superuser);
  }
  if (status.ok() && superuser == "t") status = connection.Execute(kDdlTrigger);
  if (status.ok()) {
    status = connection.Execute(
        std::string("INSERT INTO gtest_parallel.schema SELECT k, s FROM (") +
        kPgSchemaMapSql + ") m(k, s, q); INSERT INTO gtest_parallel.state " +
        "VALUES ((" + PgSchemaDigestSql() + "), " +
        (superuser == "t" ? "true" : "false") + ")");
  }
  return status;
}

}  // namespace

Status PreparePgReset(PgConnection& connection) {
  std::string prepared;
  Status status = connection.QueryValue(
      "SELECT to_regclass('gtest_parallel.state') IS NOT NULL", &prepared);
  if (!status.ok() || prepared == "t") return status;
  status = connection.Execute("BEGIN");
  if (status.ok()) status = PrepareInTransaction(connection);
  if (!status.ok()) {
    connection.Execute("ROLLBACK");
    return status;
  }
  return connection.Execute("COMMIT");
}

}  // namespace gtest_parallel::internal
