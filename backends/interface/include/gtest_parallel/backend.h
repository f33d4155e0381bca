// The database-per-worker backend interface of gtest_parallel.
//
// A parallel run gives each worker a database of its own: the coordinator
// creates a template (CreateTemplate), fills it once with the schema and
// fixtures (FillTemplate), clones it for workers 1..N (Clone/CloneAll) and
// checks the clones (Verify); each worker attaches to its clone (Attach,
// ConnectionParameters, EnvironmentFor) before its first test and puts it
// back after each test (Reset, of a template prepared with PrepareReset;
// Differences tells what a test left behind); everything is
// dropped at the end (Drop), and databases left behind by runs that died
// are dropped by the next run (SweepStale).
//
// Backends: gtest_parallel::sqlite, gtest_parallel::postgresql and
// gtest_parallel::mariadb (each its own CMake target), or any other one
// registered with RegisterBackend(), in or out of tree.
#ifndef GTEST_PARALLEL_BACKEND_H_
#define GTEST_PARALLEL_BACKEND_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/database_url.h"
#include "gtest_parallel/run_token.h"
#include "gtest_parallel/status.h"

namespace gtest_parallel {

// Longest database name a backend creates: PostgreSQL's limit, which is
// also within MariaDB's and file systems' limits.
inline constexpr size_t kMaxDatabaseNameLength = 63;
// Longest base name kept whole: room is left for "_<token>_<worker>".
inline constexpr size_t kMaxBaseNameLength =
    kMaxDatabaseNameLength - 1 - RunToken::kLength - 5;

// One row of a query result, each column as text (NULL as "").
using Row = std::vector<std::string>;

// An open connection to one database of a backend.
class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one SQL statement, discarding any rows.
  virtual Status Execute(const std::string& sql) = 0;
  // Runs a query and appends its rows to *rows.
  virtual Status Query(const std::string& sql, std::vector<Row>* rows) = 0;
  // The client library's handle: PGconn*, MYSQL* or sqlite3*.
  virtual void* native_handle() = 0;

  // The first column of the first row of a query ("" when there is none).
  Status QueryValue(const std::string& sql, std::string* value);
};

// What FillTemplate runs on the template: the SQL files, in order, then the
// callback, with a connection to the template.
struct FillSpec {
  // Paths of SQL scripts. A failing statement is reported as file:line.
  // MariaDB scripts may use the DELIMITER command; PostgreSQL scripts may
  // use dollar quoting; psql/mariadb client commands are not supported.
  std::vector<std::string> sql_files;
  // Runs after the files; its error is returned as is. May be empty.
  std::function<Status(Connection& connection)> callback;
};

// Tuning of a backend; the defaults suit test runs.
struct BackendOptions {
  // Longest wait for a server to accept a connection (also a URL's
  // connect_timeout parameter).
  int connect_timeout_seconds = 5;
  // Longest wait for a lock another session holds (MariaDB DDL).
  int lock_timeout_seconds = 30;
  // PostgreSQL: end other sessions connected to a template before cloning
  // it. When false, such sessions fail the clone with kTemplateInUse.
  bool terminate_template_sessions = true;
  // Most clones made at once by CloneAll where the server gains from it.
  int max_concurrent_clones = 8;
};

// How a clone differed from its template when Backend::Reset put it back.
struct ResetStats {
  // The clone differed (or may have: schema change).
  bool changed = false;
  // It was re-made whole with Restore().
  bool restored = false;
  // The tables copied back.
  std::vector<std::string> tables;
};

// One table a clone holds differently from its template
// (Backend::Differences).
struct TableDifference {
  // The table's name (schema-qualified only outside the default schema).
  std::string table;
  // Its rows in the template; -1: not in the template.
  long long template_rows = -1;
  // Its rows in the clone; -1: not in the clone (dropped).
  long long rows = -1;
  // Created, dropped or altered.
  bool schema_changed = false;
};

// A lock taken with Backend::TryLock, held until it is destroyed (or its
// process ends).
class BackendLock {
 public:
  virtual ~BackendLock() = default;
};

// A database server (or SQLite directory) that holds templates and clones.
// One object is used by one thread at a time.
class Backend {
 public:
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // The URL this backend was made for.
  const DatabaseUrl& url() const { return url_; }
  // The options this backend was made with.
  const BackendOptions& options() const { return options_; }

  // Creates the empty template TemplateName(base_name, run_token) and sets
  // *template_name. run_token: IsValidRunToken(), usually
  // RunToken::ForThisProcess().ToString() so that SweepStale() can tell
  // when its owner died.
  virtual Status CreateTemplate(const std::string& base_name,
                                const std::string& run_token,
                                std::string* template_name) = 0;
  // Runs fill's SQL files and callback on the template.
  virtual Status FillTemplate(const std::string& template_name,
                              const FillSpec& fill) = 0;
  // Makes CloneName(template_name, worker) a copy of the template (worker
  // >= 1) and sets *clone_name. The template must no longer be written.
  virtual Status Clone(const std::string& template_name, int worker,
                       std::string* clone_name) = 0;
  // Clones the template for workers 1..workers, concurrently where the
  // server gains from it; *clone_names gets them in worker order. On error
  // the clones made are dropped.
  virtual Status CloneAll(const std::string& template_name, int workers,
                          std::vector<std::string>* clone_names);
  // Checks that a clone exists, is complete and matches its template (its
  // tables and row counts; the backend documents what else).
  virtual Status Verify(const std::string& clone_name) = 0;
  // Makes a clone usable from this process through ConnectionString():
  // call in the worker, before its first test. Loads SQLite in-memory
  // clones into this process; MariaDB writes the option file its client
  // programs read (see EnvironmentFor); nothing to do for the others.
  virtual Status Attach(const std::string& clone_name);
  // Puts a clone back to the template's state. Sessions connected to it
  // may be ended (PostgreSQL, MariaDB): reconnect afterwards.
  virtual Status Restore(const std::string& clone_name) = 0;
  // Makes the clones of a filled template cheap to Reset: call once after
  // FillTemplate and before cloning (idempotent: a kept template prepared
  // earlier is fine). Adds change tracking to the template (objects named
  // gtest_parallel_..., see backends/README.md). The default does nothing.
  virtual Status PrepareReset(const std::string& template_name);
  // Puts a clone of a prepared template back to the template's state when
  // it changed since the last Reset: nothing but one cheap check when
  // nothing changed, only the changed tables copied back otherwise,
  // Restore() when the schema changed. Keeps a connection to the clone open
  // between calls (closed by Drop/Restore and the destructor). Sets *stats
  // when not null. A lock another session holds past
  // BackendOptions::lock_timeout_seconds is an error naming the table. The
  // default calls Restore() and reports changed and restored.
  virtual Status Reset(const std::string& clone_name, ResetStats* stats);
  // Sets *differences to the tables of the clone that differ from the
  // template now (empty when equal), for a leak check run after each test
  // before Reset. The default returns kUnimplemented.
  virtual Status Differences(const std::string& clone_name,
                             std::vector<TableDifference>* differences);
  // Drops a template or clone, ending the sessions connected to it. A
  // database that does not exist is not an error.
  virtual Status Drop(const std::string& name) = 0;
  // Drops the templates and clones of base_name (of every base when empty)
  // whose run is over: their owner (see RunToken) has died on this machine.
  // Databases of live runs, of other machines, and databases not named by
  // TemplateName/CloneName with a RunToken are kept. Adds the dropped
  // names to *dropped when not null.
  virtual Status SweepStale(const std::string& base_name,
                            std::vector<std::string>* dropped);
  // Every database of the server (SQLite: of the directory), sorted.
  virtual Status ListDatabases(std::vector<std::string>* names) = 0;
  // Takes the lock `name` (a database name: runs that share a kept
  // template lock it) on the server (SQLite: in the directory), for every
  // process and machine that uses it, without waiting: sets *lock and
  // returns ok, or kTemplateInUse while another holder has it. The default
  // locks nothing (always ok).
  virtual Status TryLock(const std::string& name,
                         std::unique_ptr<BackendLock>* lock);
  // Opens a connection to a template, clone or other database.
  virtual Status Connect(const std::string& name,
                         std::unique_ptr<Connection>* connection) = 0;

  // How a test connects to database name, in the client library's terms:
  // PostgreSQL: libpq keywords (host, port, dbname, user, password, ...);
  // MariaDB: host, port, unix_socket, user, password, database (the
  // arguments of mysql_real_connect); SQLite: filename and, for URIs,
  // uri=1. Holds the password: do not print.
  virtual std::map<std::string, std::string> ConnectionParameters(
      const std::string& name) const = 0;
  // The same as one string of the client's native form: a libpq conninfo
  // string, MariaDB Connector/C's "key=value;..." (for mariadb_connect),
  // or a SQLite path or file: URI.
  virtual std::string ConnectionString(const std::string& name) const = 0;
  // Environment variables that make programs started by a test use
  // database name (PGHOST, PGDATABASE, ... / MYSQL_UNIX_PORT, ..., and
  // after Attach() MARIADB_HOME / GTEST_PARALLEL_SQLITE_DATABASE), plus
  // GTEST_PARALLEL_DATABASE_URL (the database as a URL of the backend's
  // scheme). The runner also sets each GTEST_PARALLEL_ variable but that
  // one with "_<ALIAS>" appended.
  virtual std::vector<std::pair<std::string, std::string>> EnvironmentFor(
      const std::string& name) const = 0;

 protected:
  // Backends pass their URL (already checked to be theirs) and options.
  Backend(DatabaseUrl url, BackendOptions options);

  // An error status whose message is guaranteed not to hold the password.
  Status Error(ErrorCode code, const std::string& message) const;
  // kInvalidArgument naming run_token unless IsValidRunToken(run_token):
  // the first check of CreateTemplate.
  Status CheckRunToken(const std::string& run_token) const;

 private:
  DatabaseUrl url_;
  BackendOptions options_;
};

// --- Database names -------------------------------------------------------

// base_name made safe for every backend: lowercase ASCII letters, digits
// and '_' (anything else becomes '_'), starting with a letter (else "db_"
// is prepended), at most kMaxBaseNameLength characters (longer names keep
// their start and end in a hash of the whole).
std::string SanitizeBaseName(const std::string& base_name);
// True for tokens TemplateName accepts: a lowercase letter, then lowercase
// letters and digits, at most RunToken::kLength characters.
bool IsValidRunToken(const std::string& run_token);
// "<SanitizeBaseName(base_name)>_<run_token>".
std::string TemplateName(const std::string& base_name,
                         const std::string& run_token);
// "<template_name>_<worker>".
std::string CloneName(const std::string& template_name, int worker);
// Splits "<template>_<worker>"; false if name does not end in "_<digits>".
bool SplitCloneName(const std::string& name, std::string* template_name,
                    int* worker);

// What a template or clone name says about the run that made it.
struct ManagedName {
  std::string base;           // The sanitized base name.
  std::string template_name;  // "<base>_<token>".
  RunToken token;             // The owning run.
  int worker = 0;             // The worker of a clone; 0 for the template.
};
// Parses a name made by TemplateName/CloneName with a RunToken's text;
// false for any other name.
bool ParseManagedName(const std::string& name, ManagedName* parsed);

// --- Registry -------------------------------------------------------------

// Makes the backend for a URL of its scheme.
using BackendFactory =
    std::function<Status(const DatabaseUrl& url, const BackendOptions& options,
                         std::unique_ptr<Backend>* backend)>;

// Registers factory for a URL scheme (lowercase, e.g. "oracle"). Returns
// false, keeping the first, when the scheme is registered already. The
// built-in backends register themselves when their target is linked.
bool RegisterBackend(const std::string& scheme, BackendFactory factory);
// The schemes registered so far, sorted.
std::vector<std::string> RegisteredBackends();
// Makes the backend registered for url's scheme: kNotFound (naming the
// registered schemes) when there is none.
Status CreateBackend(const DatabaseUrl& url, const BackendOptions& options,
                     std::unique_ptr<Backend>* backend);
// Parses url (kMalformedUrl) and makes its backend.
Status CreateBackend(const std::string& url, const BackendOptions& options,
                     std::unique_ptr<Backend>* backend);

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_BACKEND_H_
