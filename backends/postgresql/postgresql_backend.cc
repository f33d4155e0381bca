// The PostgreSQL backend: templates cloned with CREATE DATABASE ... TEMPLATE
// (FILE_COPY strategy), concurrently for CloneAll.
#include "gtest_parallel/postgresql_backend.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "gtest_parallel/internal/sql_script.h"
#include "pg_connection.h"

namespace gtest_parallel {
namespace internal {
namespace {

constexpr char kFingerprintPrefix[] = "gtest_parallel fingerprint ";
// How long pg_terminate_backend waits for a session to end.
constexpr int kTerminateWaitMs = 5000;

class PostgresqlBackend : public Backend {
 public:
  PostgresqlBackend(const DatabaseUrl& url, const BackendOptions& options)
      : Backend(url, options) {}

  Status CreateTemplate(const std::string& base_name,
                        const std::string& run_token,
                        std::string* template_name) override;
  Status FillTemplate(const std::string& template_name,
                      const FillSpec& fill) override;
  Status Clone(const std::string& template_name, int worker,
               std::string* clone_name) override;
  Status CloneAll(const std::string& template_name, int workers,
                  std::vector<std::string>* clone_names) override;
  Status Verify(const std::string& clone_name) override;
  Status Restore(const std::string& clone_name) override;
  Status Drop(const std::string& name) override;
  Status ListDatabases(std::vector<std::string>* names) override;
  Status TryLock(const std::string& name,
                 std::unique_ptr<BackendLock>* lock) override;
  Status Connect(const std::string& name,
                 std::unique_ptr<Connection>* connection) override;
  std::map<std::string, std::string> ConnectionParameters(
      const std::string& name) const override;
  std::string ConnectionString(const std::string& name) const override;
  std::vector<std::pair<std::string, std::string>> EnvironmentFor(
      const std::string& name) const override;

 private:
  std::string AdminDatabase() const {
    return url().database.empty() ? "postgres" : url().database;
  }
  // "at <socket or host:port> as <user>" for messages.
  std::string Where() const;
  Status Open(const std::string& database,
              std::unique_ptr<PgConnection>* connection) const;
  Status Admin(PgConnection** admin);
  Status Seal(PgConnection& admin, const std::string& template_name);
  void EndSessions(PgConnection& admin, const std::string& name);
  Status CloneWith(PgConnection& admin, const std::string& template_name,
                   const std::string& clone_name) const;
  // Adds the backend's context to an error from the server.
  Status Fail(const Status& status, const std::string& doing) const {
    return Error(status.code(),
                 doing + " on PostgreSQL " + Where() + ": " + status.message());
  }

  std::unique_ptr<PgConnection> admin_;
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
  return status.ok() ? status : Error(status.code(), status.message());
}

Status PostgresqlBackend::Admin(PgConnection** admin) {
  if (admin_ == nullptr || !admin_->healthy()) {
    admin_.reset();
    Status status = Open(AdminDatabase(), &admin_);
    if (!status.ok()) return status;
  }
  *admin = admin_.get();
  return Status();
}

Status PostgresqlBackend::CreateTemplate(const std::string& base_name,
                                         const std::string& run_token,
                                         std::string* template_name) {
  Status status = CheckRunToken(run_token);
  if (!status.ok()) return status;
  PgConnection* admin;
  status = Admin(&admin);
  if (!status.ok()) return status;
  std::string name = TemplateName(base_name, run_token);
  status = admin->Execute("CREATE DATABASE " + QuoteIdentifier(name));
  if (status.code() == ErrorCode::kPermissionDenied) {
    return Error(status.code(), "cannot create database " + name +
                                    " on PostgreSQL " + Where() + ": " +
                                    status.message() +
                                    " (the role needs the CREATEDB privilege)");
  }
  if (!status.ok()) return Fail(status, "cannot create database " + name);
  *template_name = name;
  return Status();
}

Status PostgresqlBackend::FillTemplate(const std::string& template_name,
                                       const FillSpec& fill) {
  std::unique_ptr<PgConnection> connection;
  Status status = Open(template_name, &connection);
  if (!status.ok()) return status;
  status = RunFill(
      fill, SqlDialect::kPostgreSql,
      [&](const std::string& sql, int* error_line) {
        return connection->ExecuteStatement(sql, error_line);
      },
      *connection);
  return status.ok() ? status : Error(status.code(), status.message());
}

Status PostgresqlBackend::Seal(PgConnection& admin,
                               const std::string& template_name) {
  std::vector<Row> rows;
  Status status = admin.QueryParams(
      "SELECT datallowconn FROM pg_database WHERE datname = $1",
      {template_name}, &rows);
  if (!status.ok()) return Fail(status, "cannot look up " + template_name);
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound,
                 "template " + template_name + " does not exist");
  }
  if (rows[0][0] != "t") return Status();  // Sealed already.
  std::string digest, summary;
  {
    std::unique_ptr<PgConnection> connection;
    status = Open(template_name, &connection);
    if (status.ok()) status = PgFingerprint(*connection, &digest, &summary);
    if (!status.ok()) return Fail(status, "cannot inspect " + template_name);
  }
  std::string quoted = QuoteIdentifier(template_name);
  status = admin.Execute("ALTER DATABASE " + quoted +
                         " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
  if (status.ok()) {
    status = admin.Execute(
        "COMMENT ON DATABASE " + quoted + " IS " +
        admin.Literal(kFingerprintPrefix + digest + " (" + summary + ")"));
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
    return Error(ErrorCode::kTemplateInUse,
                 "cannot clone template " + template_name + " on PostgreSQL " +
                     Where() + ": " + std::to_string(sessions.size()) +
                     " other session(s) are connected to it" +
                     (list.empty() ? "" : ": " + list) + " [" +
                     status.message() + "]");
  }
  if (status.code() == ErrorCode::kPermissionDenied) {
    return Error(status.code(), "cannot create database " + clone_name +
                                    " on PostgreSQL " + Where() + ": " +
                                    status.message() +
                                    " (the role needs the CREATEDB privilege)");
  }
  return status.ok() ? status
                     : Fail(status, "cannot clone " + template_name + " to " +
                                        clone_name);
}

Status PostgresqlBackend::Clone(const std::string& template_name, int worker,
                                std::string* clone_name) {
  if (worker < 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "worker numbers start at 1, not " + std::to_string(worker));
  }
  PgConnection* admin;
  Status status = Admin(&admin);
  if (status.ok()) status = Seal(*admin, template_name);
  if (!status.ok()) return status;
  EndSessions(*admin, template_name);
  std::string name = CloneName(template_name, worker);
  status = CloneWith(*admin, template_name, name);
  if (status.ok()) *clone_name = name;
  return status;
}

Status PostgresqlBackend::CloneAll(const std::string& template_name,
                                   int workers,
                                   std::vector<std::string>* clone_names) {
  clone_names->clear();
  PgConnection* admin;
  Status status = Admin(&admin);
  if (status.ok()) status = Seal(*admin, template_name);
  if (!status.ok()) return status;
  EndSessions(*admin, template_name);
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
  int worker;
  if (!SplitCloneName(clone_name, &template_name, &worker)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + clone_name + "' is not a clone name");
  }
  PgConnection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  std::vector<Row> rows;
  status = admin->QueryParams(
      "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
      "WHERE datname = $1",
      {template_name}, &rows);
  if (!status.ok()) return Fail(status, "cannot verify " + clone_name);
  if (rows.empty()) {
    return Error(ErrorCode::kNotFound,
                 "template " + template_name + " does not exist");
  }
  std::string expected = rows[0][0];
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

Status PostgresqlBackend::Restore(const std::string& clone_name) {
  std::string template_name;
  int worker;
  if (!SplitCloneName(clone_name, &template_name, &worker)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + clone_name + "' is not a clone name");
  }
  Status status = Drop(clone_name);
  PgConnection* admin;
  if (status.ok()) status = Admin(&admin);
  if (status.ok()) status = Seal(*admin, template_name);
  if (!status.ok()) return status;
  EndSessions(*admin, template_name);
  return CloneWith(*admin, template_name, clone_name);
}

Status PostgresqlBackend::Drop(const std::string& name) {
  PgConnection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  std::vector<Row> rows;
  status = admin->QueryParams(
      "SELECT datistemplate FROM pg_database WHERE datname = $1", {name},
      &rows);
  if (status.ok() && rows.empty()) return Status();
  std::string quoted = QuoteIdentifier(name);
  if (status.ok() && rows[0][0] == "t") {
    status =
        admin->Execute("ALTER DATABASE " + quoted + " WITH IS_TEMPLATE false");
  }
  if (status.ok()) {
    if (admin->server_version() >= 130000) {
      status =
          admin->Execute("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
    } else {
      EndSessions(*admin, name);
      status = admin->Execute("DROP DATABASE IF EXISTS " + quoted);
    }
  }
  return status.ok() ? status : Fail(status, "cannot drop " + name);
}

Status PostgresqlBackend::ListDatabases(std::vector<std::string>* names) {
  names->clear();
  PgConnection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  std::vector<Row> rows;
  status = admin->Query("SELECT datname FROM pg_database ORDER BY 1", &rows);
  if (!status.ok()) return Fail(status, "cannot list databases");
  for (const Row& row : rows) names->push_back(row[0]);
  return Status();
}

// An advisory lock, held by a session of its own until it closes.
class PgLock : public BackendLock {
 public:
  explicit PgLock(std::unique_ptr<PgConnection> session)
      : session_(std::move(session)) {}

 private:
  std::unique_ptr<PgConnection> session_;
};

Status PostgresqlBackend::TryLock(const std::string& name,
                                  std::unique_ptr<BackendLock>* lock) {
  std::unique_ptr<PgConnection> session;
  Status status = Open(AdminDatabase(), &session);
  if (!status.ok()) return status;
  // The server's advisory locks are keyed by a bigint: a hash of the name.
  const int64_t key =
      static_cast<int64_t>(Fnv1a64("gtest_parallel lock\n" + name));
  std::string taken;
  status = session->QueryValue(
      "SELECT pg_try_advisory_lock(" + std::to_string(key) + ")", &taken);
  if (!status.ok()) return Fail(status, "cannot lock " + name);
  if (taken != "t") {
    return Error(ErrorCode::kTemplateInUse,
                 "another session holds the lock of " + name +
                     " on PostgreSQL " + Where());
  }
  *lock = std::make_unique<PgLock>(std::move(session));
  return Status();
}

Status PostgresqlBackend::Connect(const std::string& name,
                                  std::unique_ptr<Connection>* connection) {
  std::unique_ptr<PgConnection> opened;
  Status status = Open(name, &opened);
  if (status.ok()) *connection = std::move(opened);
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
  DatabaseUrl clone_url = url();
  clone_url.database = name;
  variables.emplace_back("GTEST_PARALLEL_DATABASE_URL", clone_url.ToString());
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
