// ServerBackend: what the backends of database servers (PostgreSQL,
// MariaDB) share, so that each of them holds only its dialect and client
// calls: templates created with CREATE DATABASE on an admin session kept
// open, filled through the SQL script runner, cloned and restored through
// the backend's own copy, dropped, listed and locked; the reset sessions;
// error messages that name the server and never hold the password. Not
// part of the stable interface.
#ifndef GTEST_PARALLEL_INTERNAL_SERVER_BACKEND_H_
#define GTEST_PARALLEL_INTERNAL_SERVER_BACKEND_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/internal/reset_sessions.h"
#include "gtest_parallel/internal/sql_script.h"

namespace gtest_parallel::internal {

// A Backend whose templates and clones are databases of one server,
// reached through sessions (Connections) of the backend's client library.
class ServerBackend : public Backend {
 public:
  // Creates TemplateName(base_name, run_token) with CREATE DATABASE.
  Status CreateTemplate(const std::string& base_name,
                        const std::string& run_token,
                        std::string* template_name) override;
  // Runs fill's scripts, split by the server's dialect, then its callback.
  Status FillTemplate(const std::string& template_name,
                      const FillSpec& fill) override;
  // Checks worker and makes CloneName(template_name, worker) with CloneTo.
  Status Clone(const std::string& template_name, int worker,
               std::string* clone_name) override;
  // Drops the clone and makes it again with CloneTo.
  Status Restore(const std::string& clone_name) override;
  // Backend::Reset through the clone's reset session.
  Status Reset(const std::string& clone_name, ResetStats* stats) override;
  // Backend::Differences through the clone's reset session.
  Status Differences(const std::string& clone_name,
                     std::vector<TableDifference>* differences) override;
  // Closes the reset session of name and runs DropDatabase.
  Status Drop(const std::string& name) override;
  // The rows of ListDatabasesSql(), sorted.
  Status ListDatabases(std::vector<std::string>* names) override;
  // Runs TryLockSql(name) on a session of its own, kept by *lock.
  Status TryLock(const std::string& name,
                 std::unique_ptr<BackendLock>* lock) override;
  // A session on database name.
  Status Connect(const std::string& name,
                 std::unique_ptr<Connection>* connection) override;

 protected:
  // What the server is called in messages, how its scripts are split, and
  // what the user needs to create databases.
  struct Dialect {
    std::string server;            // "PostgreSQL".
    SqlDialect script;             // Fill scripts.
    std::string create_privilege;  // "the role needs the CREATEDB privilege".
  };

  ServerBackend(DatabaseUrl url, BackendOptions options, Dialect dialect);

  // --- What each server does its own way ---------------------------------

  // "at <socket or host:port> as <user>" for messages.
  virtual std::string Where() const = 0;
  // The database admin sessions and locks connect to ("": none).
  virtual std::string AdminDatabase() const = 0;
  // Opens a session of the backend's own Connection type on database.
  virtual Status OpenSession(const std::string& database,
                             std::unique_ptr<Connection>* session) const = 0;
  // True while the admin session is usable.
  virtual bool Alive(Connection& session) = 0;
  // Runs one statement of a fill script (see StatementRunner) on session,
  // a session OpenSession made.
  virtual Status RunScriptStatement(Connection& session, const std::string& sql,
                                    int* error_line) = 0;
  // name quoted as an identifier of the server.
  virtual std::string QuoteDatabase(const std::string& name) const = 0;
  // Makes database clone_name a copy of template_name (Clone, Restore).
  virtual Status CloneTo(const std::string& template_name,
                         const std::string& clone_name) = 0;
  // Drops database name (if it exists) on the admin session, ending the
  // sessions connected to it; Drop wraps its error.
  virtual Status DropDatabase(Connection& admin, const std::string& name) = 0;
  // A query of the server's database names.
  virtual std::string ListDatabasesSql() const = 0;
  // A query of one value, "1" when it took the lock of name.
  virtual std::string TryLockSql(const std::string& name) const = 0;
  // Opens the reset session of clone; leaves *resetter null when its
  // template was not prepared.
  virtual Status OpenResetter(const std::string& clone,
                              std::unique_ptr<CloneResetter>* resetter) = 0;

  // --- Helpers -----------------------------------------------------------

  // Sets *admin to the admin session, opened again when it died.
  Status Admin(Connection** admin);
  // Admin() as the backend's Connection type T.
  template <typename T>
  Status AdminAs(T** admin) {
    Connection* session = nullptr;
    Status status = Admin(&session);
    *admin = static_cast<T*>(session);
    return status;
  }
  // status with the backend's context: "<doing> on <server> <where>: ...".
  Status Fail(const Status& status, const std::string& doing) const;
  // A failed CREATE DATABASE of name: the privilege it needs when denied,
  // else Fail(status, doing).
  Status CreateFailed(const Status& status, const std::string& name,
                      const std::string& doing) const;
  // status with the password hidden from its message.
  Status Scrubbed(const Status& status) const;
  // Sets *template_name to the template of clone: kInvalidArgument when
  // clone is no clone name.
  Status TemplateOf(const std::string& clone, std::string* template_name) const;
  // GTEST_PARALLEL_DATABASE_URL for database name.
  std::pair<std::string, std::string> UrlVariable(
      const std::string& name) const;
  // The sessions kept on clones by Reset.
  ResetSessions& resets() { return resets_; }
  const Dialect& dialect() const { return dialect_; }

 private:
  Dialect dialect_;
  std::unique_ptr<Connection> admin_;
  ResetSessions resets_;
};

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_INTERNAL_SERVER_BACKEND_H_
