// The PostgreSQL backend: templates cloned with CREATE DATABASE ... TEMPLATE
// (FILE_COPY strategy), concurrently for CloneAll; what it shares with the
// MariaDB backend is ServerBackend's.
#include "gtest_parallel/postgresql_backend.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "gtest_parallel/internal/server_backend.h"
#include "pg_connection.h"
#include "pg_reset.h"

namespace gtest_parallel {
namespace internal {
namespace {

constexpr char kFingerprintPrefix[] = "gtest_parallel fingerprint ";
// Ends the comment of a template sealed after PrepareReset.
constexpr char kResetReady[] = " reset-ready";
// How long pg_terminate_backend waits for a session to end.
constexpr int kTerminateWaitMs = 5000;

// True when a template's comment says it was sealed after PrepareReset.
bool ResetReady(const std::string& comment) {
  const size_t length = sizeof(kResetReady) - 1;
  return comment.size() >= length &&
         comment.compare(comment.size() - length, length, kResetReady) == 0;
}

// The PostgreSQL backend (see gtest_parallel/postgresql_backend.h):
// ServerBackend's hooks and what only PostgreSQL does.
class PostgresqlBackend : public ServerBackend {
 public:
  PostgresqlBackend(const DatabaseUrl& url, const BackendOptions& options)
      : ServerBackend(url, options,
                      {"PostgreSQL", SqlDialect::kPostgreSql,
                       "the role needs the CREATEDB privilege"}) {}

  Status CloneAll(const std::string& template_name, int workers,
                  std::vector<std::string>* clone_names) override;
  Status Verify(const std::string& clone_name) override;
  Status PrepareReset(const std::string& template_name) override;
  std::map<std::string, std::string> ConnectionParameters(
      const std::string& name) const override;
  std::string ConnectionString(const std::string& name) const override;
  std::vector<std::pair<std::string, std::string>> EnvironmentFor(
      const std::string& name) const override;

 protected:
  std::string Where() const override;
  std::string AdminDatabase() const override {
    return url().database.empty() ? "postgres" : url().database;
  }
  Status OpenSession(const std::string& database,
                     std::unique_ptr<Connection>* session) const override {
    std::unique_ptr<PgConnection> connection;
    Status status = Open(database, &connection);
    if (status.ok()) *session = std::move(connection);
    return status;
  }
  bool Alive(Connection& session) override {
    return static_cast<PgConnection&>(session).healthy();
  }
  Status RunScriptStatement(Connection& session, const std::string& sql,
                            int* error_line) override {
    return static_cast<PgConnection&>(session).ExecuteStatement(sql,
                                                                error_line);
  }
  std::string QuoteDatabase(const std::string& name) const override {
    return QuoteIdentifier(name);
  }
  Status CloneTo(const std::string& template_name,
                 const std::string& clone_name) override;
  Status DropDatabase(Connection& admin, const std::string& name) override;
  std::string ListDatabasesSql() const override {
    return "SELECT datname FROM pg_database";
  }
  std::string TryLockSql(const std::string& name) const override;
  Status OpenResetter(const std::string& clone,
                      std::unique_ptr<CloneResetter>* resetter) override;

 private:
  // Opens a session on database with the backend's settings; errors hide
  // the password.
  Status Open(const std::string& database,
              std::unique_ptr<PgConnection>* connection) const;
  // Sets *row to the columns of template_name's pg_database row (doing:
  // what a failed query is reported as); kNotFound when there is none.
  Status TemplateRow(PgConnection& admin, const std::string& template_name,
                     const std::string& columns, const std::string& doing,
                     Row* row);
  // Seals the template once: no more connections to it, its fingerprint
  // (and whether it was prepared for reset) in its comment.
  Status Seal(PgConnection& admin, const std::string& template_name);
  void EndSessions(PgConnection& admin, const std::string& name);
  // Sets *admin, seals the template and ends the sessions on it.
  Status ReadyToClone(const std::string& template_name, PgConnection** admin);
  Status CloneWith(PgConnection& admin, const std::string& template_name,
                   const std::string& clone_name) const;
};

std::string PostgresqlBackend::Where() const {
  std::string where = "at ";
  if (!url().socket.empty()) {
    where += "socket directory " + url().socket;
  } else {
    where += url().host.empty() ? "the default socket" : url().host;
  }
  if (url().port != 0) where += " port " + std::to_string(url().port);
  if (!url().user.empty()) where += " as " + url().user;
  return where;
}

Status PostgresqlBackend::Open(
    const std::string& database,
    std::unique_ptr<PgConnection>* connection) const {
  std::map<std::string, std::string> keywords = ConnectionParameters(database);
  keywords["fallback_application_name"] = "gtest_parallel";
  Status status = ConnectPostgresql(keywords, Where(), connection);
  return Scrubbed(status);
}

Status PostgresqlBackend::TemplateRow(PgConnection& admin,
                                      const std::string& template_name,
                                      const std::string& columns,
                                      const std::string& doing, Row* row) {
  std::vector<Row> rows;
  Status status = admin.QueryParams(
      "SELECT " + columns + " FROM pg_database WHERE datname = $1",
      {template_name}, &rows);
  if (!status.ok()) return Fail(status, doing);
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound,
                 "template " + template_name + " does not exist");
  }
  *row = rows[0];
  return Status();
}

Status PostgresqlBackend::Seal(PgConnection& admin,
                               const std::string& template_name) {
  Row row;
  Status status = TemplateRow(admin, template_name, "datallowconn",
                              "cannot look up " + template_name, &row);
  if (!status.ok() || row[0] != "t") return status;  // Or sealed already.
  std::string digest, summary, prepared;
  {
    std::unique_ptr<PgConnection> connection;
    status = Open(template_name, &connection);
    if (status.ok()) status = PgFingerprint(*connection, &digest, &summary);
    if (status.ok()) {
      status = connection->QueryValue(
          "SELECT to_regclass('gtest_parallel.state') IS NOT NULL", &prepared);
    }
    if (!status.ok()) return Fail(status, "cannot inspect " + template_name);
  }
  std::string quoted = QuoteIdentifier(template_name);
  status = admin.Execute("ALTER DATABASE " + quoted +
                         " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
  if (status.ok()) {
    status = admin.Execute("COMMENT ON DATABASE " + quoted + " IS " +
                           admin.Literal(kFingerprintPrefix + digest + " (" +
                                         summary + ")" +
                                         (prepared == "t" ? kResetReady : "")));
  }
  return status.ok()
             ? status
             : Fail(status, "cannot mark " + template_name + " as a template");
}

void PostgresqlBackend::EndSessions(PgConnection& admin,
                                    const std::string& name) {
  if (!options().terminate_template_sessions) return;
  std::string wait = admin.server_version() >= 140000
                         ? ", " + std::to_string(kTerminateWaitMs)
                         : "";
  std::vector<Row> ignored;
  // Best effort: without the privilege, CREATE DATABASE reports the
  // sessions left.
  admin.QueryParams("SELECT pg_terminate_backend(pid" + wait +
                        ") FROM pg_stat_activity "
                        "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    {name}, &ignored);
}

Status PostgresqlBackend::CloneWith(PgConnection& admin,
                                    const std::string& template_name,
                                    const std::string& clone_name) const {
  std::string sql = "CREATE DATABASE " + QuoteIdentifier(clone_name) +
                    " TEMPLATE " + QuoteIdentifier(template_name);
  if (admin.server_version() >= 150000) sql += " STRATEGY FILE_COPY";
  Status status = admin.Execute(sql);
  if (status.code() == ErrorCode::kTemplateInUse) {
    std::vector<Row> sessions;
    admin.QueryParams(
        "SELECT pid, usename, application_name FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid() ORDER BY pid",
        {template_name}, &sessions);
    std::string list;
    for (const Row& session : sessions) {
      list += (list.empty() ? "" : ", ") + std::string("pid ") + session[0] +
              " (user " + session[1] + ", application '" + session[2] + "')";
    }
    return Fail(Status(ErrorCode::kTemplateInUse,
                       std::to_string(sessions.size()) +
                           " other session(s) are connected to it" +
                           (list.empty() ? "" : ": " + list) + " [" +
                           status.message() + "]"),
                "cannot clone template " + template_name);
  }
  return status.ok() ? status
                     : CreateFailed(status, clone_name,
                                    "cannot clone " + template_name + " to " +
                                        clone_name);
}

Status PostgresqlBackend::ReadyToClone(const std::string& template_name,
                                       PgConnection** admin) {
  Status status = AdminAs(admin);
  if (status.ok()) status = Seal(**admin, template_name);
  if (status.ok()) EndSessions(**admin, template_name);
  return status;
}

Status PostgresqlBackend::CloneTo(const std::string& template_name,
                                  const std::string& clone_name) {
  PgConnection* admin;
  Status status = ReadyToClone(template_name, &admin);
  return status.ok() ? CloneWith(*admin, template_name, clone_name) : status;
}

Status PostgresqlBackend::CloneAll(const std::string& template_name,
                                   int workers,
                                   std::vector<std::string>* clone_names) {
  clone_names->clear();
  PgConnection* admin;
  Status status = ReadyToClone(template_name, &admin);
  if (!status.ok()) return status;
  std::vector<Status> results(std::max(workers, 0));
  std::atomic<int> next{1};
  auto clone_some = [&] {
    std::unique_ptr<PgConnection> connection;
    Status opened = Open(AdminDatabase(), &connection);
    for (int worker = next++; worker <= workers; worker = next++) {
      results[worker - 1] = opened.ok()
                                ? CloneWith(*connection, template_name,
                                            CloneName(template_name, worker))
                                : opened;
    }
  };
  int threads =
      std::clamp(options().max_concurrent_clones, 1, std::max(workers, 1));
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back(clone_some);
  for (std::thread& thread : pool) thread.join();
  for (int worker = 1; worker <= workers; ++worker) {
    if (status.ok() && !results[worker - 1].ok()) status = results[worker - 1];
  }
  if (!status.ok()) {
    for (int worker = 1; worker <= workers; ++worker) {
      if (results[worker - 1].ok()) Drop(CloneName(template_name, worker));
    }
    return status;
  }
  for (int worker = 1; worker <= workers; ++worker) {
    clone_names->push_back(CloneName(template_name, worker));
  }
  return Status();
}

Status PostgresqlBackend::Verify(const std::string& clone_name) {
  std::string template_name;
  PgConnection* admin;
  Status status = TemplateOf(clone_name, &template_name);
  if (status.ok()) status = AdminAs(&admin);
  if (!status.ok()) return status;
  Row row;
  status = TemplateRow(*admin, template_name,
                       "shobj_description(oid, 'pg_database')",
                       "cannot verify " + clone_name, &row);
  if (!status.ok()) return status;
  std::string expected = row[0];
  if (ResetReady(expected)) {
    expected.resize(expected.size() - (sizeof(kResetReady) - 1));
  }
  std::unique_ptr<PgConnection> connection;
  std::string digest, summary;
  if (expected.rfind(kFingerprintPrefix, 0) != 0) {
    // Not sealed yet: fingerprint the template itself.
    status = Open(template_name, &connection);
    if (status.ok()) status = PgFingerprint(*connection, &digest, &summary);
    if (!status.ok()) return status;
    expected = kFingerprintPrefix + digest + " (" + summary + ")";
  }
  status = Open(clone_name, &connection);
  if (status.ok()) status = PgFingerprint(*connection, &digest, &summary);
  if (!status.ok()) return status;
  std::string actual = kFingerprintPrefix + digest + " (" + summary + ")";
  if (actual == expected) return Status();
  size_t prefix = sizeof(kFingerprintPrefix) - 1;
  return Error(ErrorCode::kVerifyFailed,
               "clone " + clone_name + " differs from template " +
                   template_name + ": clone " + actual.substr(prefix) +
                   ", template " + expected.substr(prefix));
}

Status PostgresqlBackend::PrepareReset(const std::string& template_name) {
  PgConnection* admin;
  Status status = AdminAs(&admin);
  if (!status.ok()) return Fail(status, "cannot look up " + template_name);
  Row row;
  status = TemplateRow(*admin, template_name,
                       "datallowconn, coalesce(shobj_description(oid, "
                       "'pg_database'), '')",
                       "cannot look up " + template_name, &row);
  if (!status.ok()) return status;
  if (row[0] != "t") {
    // Sealed by an earlier Clone(): prepared then, or opened again for it
    // (the next Clone() seals it again).
    if (ResetReady(row[1])) return Status();
    status = admin->Execute("ALTER DATABASE " + QuoteIdentifier(template_name) +
                            " WITH ALLOW_CONNECTIONS true");
    if (!status.ok()) return Fail(status, "cannot open " + template_name);
  }
  std::unique_ptr<PgConnection> connection;
  status = Open(template_name, &connection);
  if (status.ok()) status = PreparePgReset(*connection);
  return status.ok()
             ? status
             : Fail(status, "cannot prepare " + template_name + " for reset");
}

Status PostgresqlBackend::DropDatabase(Connection& session,
                                       const std::string& name) {
  PgConnection& admin = static_cast<PgConnection&>(session);
  std::vector<Row> rows;
  Status status = admin.QueryParams(
      "SELECT datistemplate FROM pg_database WHERE datname = $1", {name},
      &rows);
  if (!status.ok() || rows.empty()) return status;
  std::string quoted = QuoteIdentifier(name);
  if (rows[0][0] == "t") {
    status =
        admin.Execute("ALTER DATABASE " + quoted + " WITH IS_TEMPLATE false");
  }
  if (!status.ok()) return status;
  if (admin.server_version() >= 130000) {
    return admin.Execute("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
  }
  EndSessions(admin, name);
  return admin.Execute("DROP DATABASE IF EXISTS " + quoted);
}

std::string PostgresqlBackend::TryLockSql(const std::string& name) const {
  // The server's advisory locks are keyed by a bigint: a hash of the name.
  const int64_t key =
      static_cast<int64_t>(Fnv1a64("gtest_parallel lock\n" + name));
  return "SELECT pg_try_advisory_lock(" + std::to_string(key) + ")::int";
}

Status PostgresqlBackend::OpenResetter(
    const std::string& clone, std::unique_ptr<CloneResetter>* resetter) {
  std::unique_ptr<PgConnection> connection;
  std::unique_ptr<PgResetter> opened;
  Status status = Open(clone, &connection);
  if (status.ok()) {
    status = PgResetter::Open(std::move(connection),
                              options().lock_timeout_seconds, &opened);
  }
  *resetter = std::move(opened);
  return status;
}

std::map<std::string, std::string> PostgresqlBackend::ConnectionParameters(
    const std::string& name) const {
  std::map<std::string, std::string> keywords = url().params;
  if (!url().socket.empty()) {
    keywords["host"] = url().socket;
  } else if (!url().host.empty()) {
    keywords["host"] = url().host;
  }
  if (url().port != 0) keywords["port"] = std::to_string(url().port);
  if (!url().user.empty()) keywords["user"] = url().user;
  if (!url().password.empty()) keywords["password"] = url().password;
  keywords["dbname"] = name;
  // libpq's smallest effective timeout is 2 s.
  keywords["connect_timeout"] =
      std::to_string(std::max(options().connect_timeout_seconds, 2));
  return keywords;
}

std::string PostgresqlBackend::ConnectionString(const std::string& name) const {
  std::string out;
  for (const auto& [key, value] : ConnectionParameters(name)) {
    if (!out.empty()) out += ' ';
    out += key + "='";
    for (char c : value) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += "'";
  }
  return out;
}

std::vector<std::pair<std::string, std::string>>
PostgresqlBackend::EnvironmentFor(const std::string& name) const {
  static const std::map<std::string, std::string> kVariables = {
      {"host", "PGHOST"},         {"port", "PGPORT"},
      {"dbname", "PGDATABASE"},   {"user", "PGUSER"},
      {"password", "PGPASSWORD"}, {"connect_timeout", "PGCONNECT_TIMEOUT"},
      {"sslmode", "PGSSLMODE"},   {"options", "PGOPTIONS"}};
  std::vector<std::pair<std::string, std::string>> variables;
  for (const auto& [key, value] : ConnectionParameters(name)) {
    auto variable = kVariables.find(key);
    if (variable != kVariables.end()) {
      variables.emplace_back(variable->second, value);
    }
  }
  variables.push_back(UrlVariable(name));
  return variables;
}

}  // namespace
}  // namespace internal

Status NewPostgresqlBackend(const DatabaseUrl& url,
                            const BackendOptions& options,
                            std::unique_ptr<Backend>* backend) {
  if (url.scheme != "postgresql") {
    return Status(
        ErrorCode::kInvalidArgument,
        "the PostgreSQL backend cannot use '" + url.scheme + ":' URLs");
  }
  *backend = std::make_unique<internal::PostgresqlBackend>(url, options);
  return Status();
}

}  // namespace gtest_parallel

// Linking gtest_parallel::postgresql keeps this object (the CMake target
// asks the linker for this symbol), and with it the registration below.
extern "C" {
int gtest_parallel_postgresql_backend_anchor = 0;
}
namespace {
const bool kRegistered = gtest_parallel::RegisterBackend(
    "postgresql", &gtest_parallel::NewPostgresqlBackend);
}  // namespace
