// The MariaDB backend: verified server-side clones of a template database.
#include "gtest_parallel/mariadb_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "gtest_parallel/internal/sql_script.h"
#include "mariadb_client_options.h"
#include "mariadb_clone.h"
#include "mariadb_connection.h"

namespace gtest_parallel {
namespace internal {
namespace {

// The database comments of clones: written first, and replaced by the
// complete mark once the clone has been verified.
constexpr char kIncompleteMark[] = "gtest_parallel: incomplete clone of ";
constexpr char kCompleteMark[] = "gtest_parallel: complete clone of ";
// How long sessions using a template may take to go before it is in use.
constexpr std::chrono::milliseconds kInUseGrace(1000);

class MariadbBackend : public Backend {
 public:
  MariadbBackend(const DatabaseUrl& url, const BackendOptions& options)
      : Backend(url, options) {}
  ~MariadbBackend() override;

  Status CreateTemplate(const std::string& base_name,
                        const std::string& run_token,
                        std::string* template_name) override;
  Status FillTemplate(const std::string& template_name,
                      const FillSpec& fill) override;
  Status Clone(const std::string& template_name, int worker,
               std::string* clone_name) override;
  Status Verify(const std::string& clone_name) override;
  Status Attach(const std::string& clone_name) override;
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
  // "at <socket or host:port> as <user>" for messages.
  std::string Where() const;
  Status Open(const std::string& database,
              std::unique_ptr<MariadbConnection>* connection) const;
  Status Admin(MariadbConnection** admin);
  // Ids of the other sessions whose default database is name.
  Status SessionsUsing(MariadbConnection& admin, const std::string& name,
                       std::vector<Row>* sessions);
  Status CloneInto(const std::string& template_name,
                   const std::string& clone_name);
  Status Compare(MariadbConnection& admin, const std::string& template_name,
                 const std::string& clone_name);
  Status Fail(const Status& status, const std::string& doing) const {
    return Error(status.code(),
                 doing + " on MariaDB " + Where() + ": " + status.message());
  }

  // The client options of database name, in Connector/C's keywords.
  OptionPairs ClientOptions(const std::string& name) const;

  std::unique_ptr<MariadbConnection> admin_;
  // The directories of the option files Attach() wrote, by database.
  std::map<std::string, std::string> option_directories_;
  // Definitions of the templates cloned so far (templates no longer
  // change once cloned).
  std::map<std::string, MariadbSnapshot> snapshots_;
};

std::string MariadbBackend::Where() const {
  std::string where = "at ";
  if (!url().socket.empty()) {
    where += "socket " + url().socket;
  } else {
    where += url().host.empty() ? "localhost" : url().host;
    if (url().port != 0) where += ":" + std::to_string(url().port);
  }
  if (!url().user.empty()) where += " as " + url().user;
  return where;
}

Status MariadbBackend::Open(
    const std::string& database,
    std::unique_ptr<MariadbConnection>* connection) const {
  MariadbTarget target;
  target.host = url().host;
  target.port = url().port;
  target.socket = url().socket;
  target.user = url().user;
  target.password = url().password;
  target.database = database;
  Status status = ConnectMariadb(target, options().connect_timeout_seconds,
                                 Where(), connection);
  if (status.ok()) {
    std::string timeout = std::to_string(options().lock_timeout_seconds);
    status = (*connection)
                 ->Execute("SET SESSION lock_wait_timeout = " + timeout +
                           ", innodb_lock_wait_timeout = " + timeout);
  }
  return status.ok() ? status : Error(status.code(), status.message());
}

Status MariadbBackend::Admin(MariadbConnection** admin) {
  if (admin_ == nullptr ||
      mysql_ping(static_cast<MYSQL*>(admin_->native_handle())) != 0) {
    admin_.reset();
    Status status = Open("", &admin_);
    if (!status.ok()) return status;
  }
  *admin = admin_.get();
  return Status();
}

Status MariadbBackend::SessionsUsing(MariadbConnection& admin,
                                     const std::string& name,
                                     std::vector<Row>* sessions) {
  return admin.Query(
      "SELECT ID, USER FROM information_schema.PROCESSLIST WHERE DB = " +
          admin.Literal(name) + " AND ID <> CONNECTION_ID() ORDER BY ID",
      sessions);
}

Status MariadbBackend::CreateTemplate(const std::string& base_name,
                                      const std::string& run_token,
                                      std::string* template_name) {
  Status status = CheckRunToken(run_token);
  if (!status.ok()) return status;
  MariadbConnection* admin;
  status = Admin(&admin);
  if (!status.ok()) return status;
  std::string name = TemplateName(base_name, run_token);
  status = admin->Execute("CREATE DATABASE " + QuoteName(name));
  if (status.code() == ErrorCode::kPermissionDenied) {
    return Error(status.code(), "cannot create database " + name +
                                    " on MariaDB " + Where() + ": " +
                                    status.message() +
                                    " (the user needs the CREATE privilege)");
  }
  if (!status.ok()) return Fail(status, "cannot create database " + name);
  *template_name = name;
  return Status();
}

Status MariadbBackend::FillTemplate(const std::string& template_name,
                                    const FillSpec& fill) {
  std::unique_ptr<MariadbConnection> connection;
  Status status = Open(template_name, &connection);
  if (!status.ok()) return status;
  status = RunFill(
      fill, SqlDialect::kMariaDb,
      [&](const std::string& sql, int* error_line) {
        return connection->ExecuteStatement(sql, error_line);
      },
      *connection);
  return status.ok() ? status : Error(status.code(), status.message());
}

Status MariadbBackend::Compare(MariadbConnection& admin,
                               const std::string& template_name,
                               const std::string& clone_name) {
  // A template no longer changes once cloned: its summary is kept.
  std::vector<std::string> expected, actual;
  Status status;
  auto cached = snapshots_.find(template_name);
  if (cached != snapshots_.end()) {
    expected = cached->second.summary;
  } else {
    status = SummarizeMariadb(admin, template_name, &expected);
  }
  if (status.ok()) status = SummarizeMariadb(admin, clone_name, &actual);
  if (!status.ok()) return Fail(status, "cannot compare " + clone_name);
  if (expected == actual) return Status();
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), actual.begin(),
                      actual.end(), std::back_inserter(missing));
  std::set_difference(actual.begin(), actual.end(), expected.begin(),
                      expected.end(), std::back_inserter(extra));
  return Error(ErrorCode::kVerifyFailed,
               "clone " + clone_name + " differs from template " +
                   template_name + ": template has [" +
                   JoinStrings(missing, "; ") + "], clone has [" +
                   JoinStrings(extra, "; ") + "]");
}

Status MariadbBackend::CloneInto(const std::string& template_name,
                                 const std::string& clone_name) {
  MariadbConnection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  // A session that just closed may linger in the process list for a few
  // milliseconds: give sessions a moment to go.
  std::vector<Row> sessions;
  auto deadline = std::chrono::steady_clock::now() + kInUseGrace;
  do {
    sessions.clear();
    status = SessionsUsing(*admin, template_name, &sessions);
    if (!status.ok()) return Fail(status, "cannot list sessions");
    if (sessions.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  if (!sessions.empty()) {
    std::string list;
    for (const Row& session : sessions) {
      list += (list.empty() ? "" : ", ") + std::string("id ") + session[0] +
              " (user " + session[1] + ")";
    }
    return Error(ErrorCode::kTemplateInUse,
                 "cannot clone template " + template_name + " on MariaDB " +
                     Where() + ": " + std::to_string(sessions.size()) +
                     " other session(s) use it: " + list);
  }
  auto cached = snapshots_.find(template_name);
  if (cached == snapshots_.end()) {
    MariadbSnapshot snapshot;
    status = CaptureSnapshot(*admin, template_name, &snapshot);
    if (!status.ok()) {
      return Fail(status, "cannot read template " + template_name);
    }
    cached = snapshots_.emplace(template_name, std::move(snapshot)).first;
  }
  const MariadbSnapshot& snapshot = cached->second;
  status = admin->Execute("CREATE DATABASE " + QuoteName(clone_name) +
                          " CHARACTER SET " + snapshot.charset + " COLLATE " +
                          snapshot.collation + " COMMENT " +
                          admin->Literal(kIncompleteMark + template_name));
  if (status.code() == ErrorCode::kPermissionDenied) {
    return Error(status.code(), "cannot create database " + clone_name +
                                    " on MariaDB " + Where() + ": " +
                                    status.message() +
                                    " (the user needs the CREATE privilege)");
  }
  if (!status.ok()) return Fail(status, "cannot create " + clone_name);
  status = ReplaySnapshot(*admin, snapshot, template_name, clone_name);
  if (!status.ok()) {
    status =
        Fail(status, "cannot clone " + template_name + " to " + clone_name);
  }
  if (status.ok()) status = Compare(*admin, template_name, clone_name);
  if (status.ok()) {
    status =
        admin->Execute("ALTER DATABASE " + QuoteName(clone_name) + " COMMENT " +
                       admin->Literal(kCompleteMark + template_name));
    if (!status.ok()) status = Fail(status, "cannot mark " + clone_name);
  }
  if (!status.ok()) Drop(clone_name);
  return status;
}

Status MariadbBackend::Clone(const std::string& template_name, int worker,
                             std::string* clone_name) {
  if (worker < 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "worker numbers start at 1, not " + std::to_string(worker));
  }
  std::string name = CloneName(template_name, worker);
  Status status = CloneInto(template_name, name);
  if (status.ok()) *clone_name = name;
  return status;
}

Status MariadbBackend::Verify(const std::string& clone_name) {
  std::string template_name;
  int worker;
  if (!SplitCloneName(clone_name, &template_name, &worker)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + clone_name + "' is not a clone name");
  }
  MariadbConnection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  std::vector<Row> rows;
  status = admin->Query(
      "SELECT SCHEMA_NAME, SCHEMA_COMMENT FROM information_schema.SCHEMATA "
      "WHERE SCHEMA_NAME IN (" +
          admin->Literal(clone_name) + ", " + admin->Literal(template_name) +
          ")",
      &rows);
  if (!status.ok()) return Fail(status, "cannot verify " + clone_name);
  std::map<std::string, std::string> comments;
  for (const Row& row : rows) comments[row[0]] = row[1];
  for (const std::string& name : {template_name, clone_name}) {
    if (comments.count(name) == 0) {
      return Error(ErrorCode::kNotFound,
                   "database " + name + " does not exist");
    }
  }
  if (comments[clone_name] != kCompleteMark + template_name) {
    return Error(ErrorCode::kVerifyFailed,
                 "clone " + clone_name + " is not complete (its comment is '" +
                     comments[clone_name] + "')");
  }
  return Compare(*admin, template_name, clone_name);
}

Status MariadbBackend::Restore(const std::string& clone_name) {
  std::string template_name;
  int worker;
  if (!SplitCloneName(clone_name, &template_name, &worker)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + clone_name + "' is not a clone name");
  }
  Status status = Drop(clone_name);
  return status.ok() ? CloneInto(template_name, clone_name) : status;
}

Status MariadbBackend::Drop(const std::string& name) {
  MariadbConnection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  std::vector<Row> sessions;
  status = SessionsUsing(*admin, name, &sessions);
  for (const Row& session : sessions) {
    admin->Execute("KILL CONNECTION " + session[0]);  // Best effort.
  }
  if (status.ok()) {
    status = admin->Execute("DROP DATABASE IF EXISTS " + QuoteName(name));
  }
  snapshots_.erase(name);
  if (auto written = option_directories_.find(name);
      written != option_directories_.end()) {
    RemoveOptionFile(written->second);
    option_directories_.erase(written);
  }
  return status.ok() ? status : Fail(status, "cannot drop " + name);
}

Status MariadbBackend::ListDatabases(std::vector<std::string>* names) {
  names->clear();
  MariadbConnection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  std::vector<Row> rows;
  status = admin->Query("SHOW DATABASES", &rows);
  if (!status.ok()) return Fail(status, "cannot list databases");
  for (const Row& row : rows) names->push_back(row[0]);
  std::sort(names->begin(), names->end());
  return Status();
}

// A GET_LOCK lock, held by a session of its own until it closes.
class MariadbLock : public BackendLock {
 public:
  explicit MariadbLock(std::unique_ptr<MariadbConnection> session)
      : session_(std::move(session)) {}

 private:
  std::unique_ptr<MariadbConnection> session_;
};

Status MariadbBackend::TryLock(const std::string& name,
                               std::unique_ptr<BackendLock>* lock) {
  std::unique_ptr<MariadbConnection> session;
  Status status = Open("", &session);
  if (!status.ok()) return status;
  // Lock names are server-wide and at most 64 characters: a hash of the
  // name.
  const std::string key =
      "gtest_parallel_" + ToBase36(Fnv1a64("gtest_parallel lock\n" + name), 13);
  std::string taken;
  status = session->QueryValue("SELECT GET_LOCK('" + key + "', 0)", &taken);
  if (!status.ok()) return Fail(status, "cannot lock " + name);
  if (taken != "1") {
    return Error(
        ErrorCode::kTemplateInUse,
        "another session holds the lock of " + name + " on MariaDB " + Where());
  }
  *lock = std::make_unique<MariadbLock>(std::move(session));
  return Status();
}

Status MariadbBackend::Connect(const std::string& name,
                               std::unique_ptr<Connection>* connection) {
  std::unique_ptr<MariadbConnection> opened;
  Status status = Open(name, &opened);
  if (status.ok()) *connection = std::move(opened);
  return status;
}

std::map<std::string, std::string> MariadbBackend::ConnectionParameters(
    const std::string& name) const {
  std::map<std::string, std::string> parameters = {
      {"host", url().host.empty() ? "localhost" : url().host},
      {"database", name}};
  if (url().port != 0) parameters["port"] = std::to_string(url().port);
  if (!url().socket.empty()) parameters["unix_socket"] = url().socket;
  if (!url().user.empty()) parameters["user"] = url().user;
  if (!url().password.empty()) parameters["password"] = url().password;
  return parameters;
}

OptionPairs MariadbBackend::ClientOptions(const std::string& name) const {
  return {{"host", url().host.empty() ? "localhost" : url().host},
          {"port", url().port != 0 ? std::to_string(url().port) : ""},
          {"socket", url().socket},
          {"user", url().user},
          {"password", url().password},
          {"database", name}};
}

std::string MariadbBackend::ConnectionString(const std::string& name) const {
  OptionPairs pairs = ClientOptions(name);
  pairs.emplace_back("connect_timeout",
                     std::to_string(options().connect_timeout_seconds));
  return ConnectorConnectionString(pairs);
}

Status MariadbBackend::Attach(const std::string& clone_name) {
  // The option file the mariadb programs a test starts read through
  // $MARIADB_HOME: it names the user, which no variable of theirs does.
  // The password stays out of it, in MYSQL_PWD. It lives in this process's
  // temporary directory (a worker's own) and goes with Drop() or this
  // object.
  const char* tmp = std::getenv("TMPDIR");
  std::error_code ignored;
  const std::filesystem::path root =
      tmp != nullptr && *tmp != '\0'
          ? std::filesystem::path(tmp)
          : std::filesystem::temp_directory_path(ignored);
  const std::string directory =
      (root / ("gtest_parallel_mariadb_" + clone_name)).string();
  OptionPairs client;
  for (auto& [key, value] : ClientOptions(clone_name)) {
    if (key != "password" && key != "database") client.emplace_back(key, value);
  }
  const Status status = WriteOptionFile(
      directory, OptionFileText(client, {{"database", clone_name}}));
  if (!status.ok()) return Error(status.code(), status.message());
  option_directories_[clone_name] = directory;
  return Status();
}

MariadbBackend::~MariadbBackend() {
  for (const auto& [name, directory] : option_directories_) {
    RemoveOptionFile(directory);
  }
}

std::vector<std::pair<std::string, std::string>> MariadbBackend::EnvironmentFor(
    const std::string& name) const {
  std::vector<std::pair<std::string, std::string>> variables = {
      {"MYSQL_HOST", url().host.empty() ? "localhost" : url().host}};
  if (!url().socket.empty()) {
    variables.emplace_back("MYSQL_UNIX_PORT", url().socket);
  }
  if (url().port != 0) {
    variables.emplace_back("MYSQL_TCP_PORT", std::to_string(url().port));
  }
  if (!url().password.empty()) {
    variables.emplace_back("MYSQL_PWD", url().password);
  }
  if (auto written = option_directories_.find(name);
      written != option_directories_.end()) {
    // MariaDB's programs read $MARIADB_HOME/my.cnf, older ones and MySQL's
    // $MYSQL_HOME/my.cnf.
    variables.emplace_back("MARIADB_HOME", written->second);
    variables.emplace_back("MYSQL_HOME", written->second);
  }
  DatabaseUrl clone_url = url();
  clone_url.database = name;
  variables.emplace_back("GTEST_PARALLEL_DATABASE_URL", clone_url.ToString());
  return variables;
}

}  // namespace
}  // namespace internal

Status NewMariadbBackend(const DatabaseUrl& url, const BackendOptions& options,
                         std::unique_ptr<Backend>* backend) {
  if (url.scheme != "mariadb") {
    return Status(ErrorCode::kInvalidArgument,
                  "the MariaDB backend cannot use '" + url.scheme + ":' URLs");
  }
  *backend = std::make_unique<internal::MariadbBackend>(url, options);
  return Status();
}

}  // namespace gtest_parallel

// Linking gtest_parallel::mariadb keeps this object (the CMake target asks
// the linker for this symbol), and with it the registration below.
extern "C" {
int gtest_parallel_mariadb_backend_anchor = 0;
}
namespace {
const bool kRegistered = gtest_parallel::RegisterBackend(
    "mariadb", &gtest_parallel::NewMariadbBackend);
}  // namespace
