// The MariaDB backend: verified server-side clones of a template database;
// what it shares with the PostgreSQL backend is ServerBackend's.
#include "gtest_parallel/mariadb_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "gtest_parallel/internal/server_backend.h"
#include "mariadb_client_options.h"
#include "mariadb_clone.h"
#include "mariadb_connection.h"
#include "mariadb_reset.h"

namespace gtest_parallel {
namespace internal {
namespace {

// The database comments of clones: written first, and replaced by the
// complete mark once the clone has been verified.
constexpr char kIncompleteMark[] = "gtest_parallel: incomplete clone of ";
constexpr char kCompleteMark[] = "gtest_parallel: complete clone of ";
// How long sessions using a template may take to go before it is in use.
constexpr std::chrono::milliseconds kInUseGrace(1000);

// The MariaDB backend (see gtest_parallel/mariadb_backend.h): ServerBackend's
// hooks and what only MariaDB does.
class MariadbBackend : public ServerBackend {
 public:
  MariadbBackend(const DatabaseUrl& url, const BackendOptions& options)
      : ServerBackend(url, options,
                      {"MariaDB", SqlDialect::kMariaDb,
                       "the user needs the CREATE privilege"}) {}
  ~MariadbBackend() override;

  Status Verify(const std::string& clone_name) override;
  Status Attach(const std::string& clone_name) override;
  Status PrepareReset(const std::string& template_name) override;
  std::map<std::string, std::string> ConnectionParameters(
      const std::string& name) const override;
  std::string ConnectionString(const std::string& name) const override;
  std::vector<std::pair<std::string, std::string>> EnvironmentFor(
      const std::string& name) const override;

 protected:
  std::string Where() const override;
  std::string AdminDatabase() const override { return ""; }
  Status OpenSession(const std::string& database,
                     std::unique_ptr<Connection>* session) const override {
    std::unique_ptr<MariadbConnection> connection;
    Status status = Open(database, &connection);
    if (status.ok()) *session = std::move(connection);
    return status;
  }
  bool Alive(Connection& session) override {
    return mysql_ping(static_cast<MYSQL*>(session.native_handle())) == 0;
  }
  Status RunScriptStatement(Connection& session, const std::string& sql,
                            int* error_line) override {
    return static_cast<MariadbConnection&>(session).ExecuteStatement(
        sql, error_line);
  }
  std::string QuoteDatabase(const std::string& name) const override {
    return QuoteName(name);
  }
  Status CloneTo(const std::string& template_name,
                 const std::string& clone_name) override;
  Status DropDatabase(Connection& admin, const std::string& name) override;
  std::string ListDatabasesSql() const override { return "SHOW DATABASES"; }
  std::string TryLockSql(const std::string& name) const override;
  Status OpenResetter(const std::string& clone,
                      std::unique_ptr<CloneResetter>* resetter) override;

 private:
  // Opens a session on database with the backend's settings; errors hide
  // the password.
  Status Open(const std::string& database,
              std::unique_ptr<MariadbConnection>* connection) const;
  // Ids of the other sessions whose default database is name.
  Status SessionsUsing(MariadbConnection& admin, const std::string& name,
                       std::vector<Row>* sessions);
  // Waits a moment for the sessions on the template to go: kTemplateInUse
  // naming those that stay.
  Status WaitUntilUnused(MariadbConnection& admin,
                         const std::string& template_name);
  // Sets *snapshot to the template's definitions, read once.
  Status Snapshot(MariadbConnection& admin, const std::string& template_name,
                  const MariadbSnapshot** snapshot);
  // Fills the created clone, compares and marks it complete.
  Status Complete(MariadbConnection& admin, const MariadbSnapshot& snapshot,
                  const std::string& template_name,
                  const std::string& clone_name);
  Status Compare(MariadbConnection& admin, const std::string& template_name,
                 const std::string& clone_name);

  // The client options of database name, in Connector/C's keywords.
  OptionPairs ClientOptions(const std::string& name) const;

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
  return Scrubbed(status);
}

Status MariadbBackend::SessionsUsing(MariadbConnection& admin,
                                     const std::string& name,
                                     std::vector<Row>* sessions) {
  return admin.Query(
      "SELECT ID, USER FROM information_schema.PROCESSLIST WHERE DB = " +
          admin.Literal(name) + " AND ID <> CONNECTION_ID() ORDER BY ID",
      sessions);
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

Status MariadbBackend::WaitUntilUnused(MariadbConnection& admin,
                                       const std::string& template_name) {
  // A session that just closed may linger in the process list for a few
  // milliseconds: give sessions a moment to go.
  std::vector<Row> sessions;
  auto deadline = std::chrono::steady_clock::now() + kInUseGrace;
  do {
    sessions.clear();
    Status status = SessionsUsing(admin, template_name, &sessions);
    if (!status.ok()) return Fail(status, "cannot list sessions");
    if (sessions.empty()) return Status();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  std::string list;
  for (const Row& session : sessions) {
    list += (list.empty() ? "" : ", ") + std::string("id ") + session[0] +
            " (user " + session[1] + ")";
  }
  return Fail(Status(ErrorCode::kTemplateInUse,
                     std::to_string(sessions.size()) +
                         " other session(s) use it: " + list),
              "cannot clone template " + template_name);
}

Status MariadbBackend::Snapshot(MariadbConnection& admin,
                                const std::string& template_name,
                                const MariadbSnapshot** snapshot) {
  auto cached = snapshots_.find(template_name);
  if (cached == snapshots_.end()) {
    MariadbSnapshot read;
    Status status = CaptureSnapshot(admin, template_name, &read);
    if (!status.ok()) {
      return Fail(status, "cannot read template " + template_name);
    }
    cached = snapshots_.emplace(template_name, std::move(read)).first;
  }
  *snapshot = &cached->second;
  return Status();
}

Status MariadbBackend::Complete(MariadbConnection& admin,
                                const MariadbSnapshot& snapshot,
                                const std::string& template_name,
                                const std::string& clone_name) {
  Status status = ReplaySnapshot(admin, snapshot, template_name, clone_name);
  if (!status.ok()) {
    return Fail(status, "cannot clone " + template_name + " to " + clone_name);
  }
  status = Compare(admin, template_name, clone_name);
  if (!status.ok()) return status;
  status = RecordMariadbResetBaseline(admin, clone_name);
  if (!status.ok()) return Fail(status, "cannot prepare " + clone_name);
  status =
      admin.Execute("ALTER DATABASE " + QuoteName(clone_name) + " COMMENT " +
                    admin.Literal(kCompleteMark + template_name));
  return status.ok() ? status : Fail(status, "cannot mark " + clone_name);
}

Status MariadbBackend::CloneTo(const std::string& template_name,
                               const std::string& clone_name) {
  MariadbConnection* admin;
  const MariadbSnapshot* snapshot = nullptr;
  Status status = AdminAs(&admin);
  if (status.ok()) status = WaitUntilUnused(*admin, template_name);
  if (status.ok()) status = Snapshot(*admin, template_name, &snapshot);
  if (!status.ok()) return status;
  status = admin->Execute("CREATE DATABASE " + QuoteName(clone_name) +
                          " CHARACTER SET " + snapshot->charset + " COLLATE " +
                          snapshot->collation + " COMMENT " +
                          admin->Literal(kIncompleteMark + template_name));
  if (!status.ok()) {
    return CreateFailed(status, clone_name, "cannot create " + clone_name);
  }
  status = Complete(*admin, *snapshot, template_name, clone_name);
  if (!status.ok()) Drop(clone_name);
  return status;
}

Status MariadbBackend::Verify(const std::string& clone_name) {
  std::string template_name;
  MariadbConnection* admin;
  Status status = TemplateOf(clone_name, &template_name);
  if (status.ok()) status = AdminAs(&admin);
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

Status MariadbBackend::OpenResetter(const std::string& clone,
                                    std::unique_ptr<CloneResetter>* resetter) {
  std::string template_name;
  std::unique_ptr<MariadbConnection> connection;
  std::unique_ptr<MariadbResetter> opened;
  Status status = TemplateOf(clone, &template_name);
  if (status.ok()) status = Open(clone, &connection);
  if (status.ok()) {
    status = MariadbResetter::Open(std::move(connection), clone, template_name,
                                   &opened);
  }
  *resetter = std::move(opened);
  return status;
}

Status MariadbBackend::PrepareReset(const std::string& template_name) {
  std::unique_ptr<MariadbConnection> connection;
  Status status = Open(template_name, &connection);
  if (status.ok()) status = PrepareMariadbReset(*connection, template_name);
  snapshots_.erase(template_name);  // Cloned before: read it again.
  return status.ok()
             ? status
             : Fail(status, "cannot prepare " + template_name + " for reset");
}

Status MariadbBackend::DropDatabase(Connection& session,
                                    const std::string& name) {
  MariadbConnection& admin = static_cast<MariadbConnection&>(session);
  std::vector<Row> sessions;
  Status status = SessionsUsing(admin, name, &sessions);
  for (const Row& other : sessions) {
    admin.Execute("KILL CONNECTION " + other[0]);  // Best effort.
  }
  if (status.ok()) {
    status = admin.Execute("DROP DATABASE IF EXISTS " + QuoteName(name));
  }
  snapshots_.erase(name);
  if (auto written = option_directories_.find(name);
      written != option_directories_.end()) {
    RemoveOptionFile(written->second);
    option_directories_.erase(written);
  }
  return status;
}

std::string MariadbBackend::TryLockSql(const std::string& name) const {
  // Lock names are server-wide and at most 64 characters: a hash of the
  // name.
  return "SELECT GET_LOCK('gtest_parallel_" +
         ToBase36(Fnv1a64("gtest_parallel lock\n" + name), 13) + "', 0)";
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
  if (!status.ok()) return Scrubbed(status);
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
  variables.push_back(UrlVariable(name));
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
