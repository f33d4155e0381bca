// A database per worker: a test binary declares its databases (an alias, a
// server URL, the schema), and gtest_parallel gives every worker a clone of
// its own, made from a template filled once by the coordinator. A serial
// run gets one database through the same API.
//
//   // Links gtest_parallel::main and gtest_parallel::postgresql.
//   static const bool kDeclared = gtest_parallel::DeclareDatabase(
//       gtest_parallel::DatabaseDeclaration("app",
//           "postgresql://user:password@/postgres?host=/run/postgresql")
//           .WithSqlFile(APP_SCHEMA_SQL));
//
//   TEST(Orders, Insert) {
//     std::unique_ptr<gtest_parallel::Connection> connection;
//     ASSERT_TRUE(gtest_parallel::Database("app").Connect(&connection).ok());
//     ...  // Or: PQconnectdb(Database("app").connection_string().c_str()).
//   }
//
// The URL of alias "app" can be replaced by the environment variable
// GTEST_PARALLEL_DB_APP or the flag --gtest_parallel_db=app=URL (the flag
// wins). The template is named "<base>_<run token>" and worker k's clone
// "<base>_<run token>_<k>" (base: "test_<alias>" unless set), so that runs
// never collide; everything is dropped when the run ends, and databases of
// runs that died are dropped by the next run. --gtest_parallel_keepdb keeps
// the template (named after a hash of the schema instead) and reuses it
// while the schema is unchanged.
#ifndef GTEST_PARALLEL_DATABASE_H_
#define GTEST_PARALLEL_DATABASE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/backend.h"

namespace gtest_parallel {

// When a test's database is put back to its template's state, so that
// what one test wrote is not seen by the next (Django's TestCase, without
// a transaction around the test: tests may commit, use several connections
// and their own clients, and change the schema). See the README's
// "Every test starts from the template".
enum class ResetScope {
  kTest,   // After every test (the default). A suite whose SetUpTestSuite
           // wrote is put back when it ends instead.
  kSuite,  // After every test suite.
  kCrash,  // Only when a worker starts after one that crashed or was
           // stopped (the tests see what the tests before them left).
  kNever,  // Never.
};

// What a test binary says about one of its databases.
struct DatabaseDeclaration {
  DatabaseDeclaration(std::string alias, std::string url)
      : alias(std::move(alias)), url(std::move(url)) {}

  // Names the database for Database(), the GTEST_PARALLEL_DB_<ALIAS>
  // variable (upper case, '-' as '_') and the --gtest_parallel_db flag: a
  // letter, then letters, digits, '_' or '-'; unique in the program.
  std::string alias;
  // The server (or SQLite directory, or "sqlite::memory:") to use unless
  // overridden; see database_url.h for the forms. Its backend's target
  // (gtest_parallel::sqlite, ::postgresql, ::mariadb) must be linked.
  std::string url;
  // SQL scripts run on the template in order, paths as the coordinator
  // sees them (absolute paths are safest).
  std::vector<std::string> sql_files;
  // Runs on the template after the scripts, in the coordinator: fixtures
  // that are easier to write in C++. Its error fails the run.
  std::function<Status(Connection& connection)> setup;
  // Part of the schema hash that decides whether a kept template
  // (--gtest_parallel_keepdb) is still good: change it when `setup`
  // changes. The scripts' contents are part of the hash already.
  std::string schema_version;
  // The start of the databases' names; "test_<alias>" when empty.
  std::string base_name;
  // When the database is put back to the template's state, unless the flag
  // --gtest_parallel_db_reset (or GTEST_PARALLEL_DB_RESET) says otherwise.
  ResetScope reset = ResetScope::kTest;

  // Chainable setters, for declarations at namespace scope.
  DatabaseDeclaration& WithSqlFile(std::string path) {
    sql_files.push_back(std::move(path));
    return *this;
  }
  DatabaseDeclaration& WithSetup(
      std::function<Status(Connection& connection)> callback) {
    setup = std::move(callback);
    return *this;
  }
  DatabaseDeclaration& WithSchemaVersion(std::string version) {
    schema_version = std::move(version);
    return *this;
  }
  DatabaseDeclaration& WithBaseName(std::string name) {
    base_name = std::move(name);
    return *this;
  }
  DatabaseDeclaration& WithReset(ResetScope scope) {
    reset = scope;
    return *this;
  }
};

// Declares a database of this program. Call before RunAllTests(), from
// main() or at namespace scope (it returns true for that). A bad or
// duplicate alias is reported when the tests start, before any test runs.
bool DeclareDatabase(DatabaseDeclaration declaration);

// The database this process's tests use for one alias: the worker's own
// clone in a parallel run, the run's one test database in a serial run.
class TestDatabase {
 public:
  TestDatabase(std::string alias, std::string name,
               std::shared_ptr<Backend> backend);

  // The alias it was declared under.
  const std::string& alias() const { return alias_; }
  // The database's name on its server (SQLite: the file's base name).
  const std::string& name() const { return name_; }
  // How to connect, in the client library's native form: a libpq conninfo
  // string (PQconnectdb, pqxx::connection); for MariaDB the "key=value;"
  // string of MariaDB Connector/C (mariadb_connect(mysql, string), i.e.
  // mysql_real_connect with the string as the host); a SQLite path or
  // file: URI (sqlite3_open_v2 with SQLITE_OPEN_URI). Holds the password:
  // do not print it.
  std::string connection_string() const;
  // The same as the client library's keywords (see
  // Backend::ConnectionParameters). Holds the password.
  std::map<std::string, std::string> parameters() const;
  // The database as a URL of the declaration's kind, e.g.
  // "mariadb://user:pw@localhost/<name>?socket=...", as
  // GTEST_PARALLEL_DATABASE_URL has it; "" for in-memory SQLite databases.
  // Holds the password.
  std::string url() const;
  // Opens a connection through the backend.
  Status Connect(std::unique_ptr<Connection>* connection) const;
  // Puts the database back to the template's state (a worker's clone
  // only). Sessions connected to it may be ended: reconnect afterwards.
  Status Restore() const;
  // The backend that made it.
  Backend& backend() const { return *backend_; }

 private:
  std::string alias_;
  std::string name_;
  std::shared_ptr<Backend> backend_;
};

// The database of this process for `alias`. The environment of the process
// also names it (variables of Backend::EnvironmentFor, e.g. PGDATABASE;
// GTEST_PARALLEL_DATABASE_<ALIAS> holds the name), so that programs a test
// starts use it too. Throws std::logic_error, which GoogleTest reports as
// the test's failure, for an alias not declared or when the databases were
// not set up (tests run by RUN_ALL_TESTS() rather than RunAllTests()).
const TestDatabase& Database(const std::string& alias);

// The connect string SOCI takes for database, e.g.
// soci::session(soci::mysql, SociConnectionString(Database("app"))): for
// MariaDB its mysql backend's "key='value' ..." form (which is not
// Connector/C's), for the other backends connection_string(). Holds the
// password.
std::string SociConnectionString(const TestDatabase& database);

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_DATABASE_H_
