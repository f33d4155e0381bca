// The part of the PostgreSQL and MariaDB backends that does not depend on
// their server: templates, clones, drops, locks and reset sessions driven
// through the hooks each backend implements.
#include "gtest_parallel/internal/server_backend.h"

#include <algorithm>

namespace gtest_parallel::internal {
namespace {

// A lock held by a session of its own until the session closes.
class SessionLock : public BackendLock {
 public:
  explicit SessionLock(std::unique_ptr<Connection> session)
      : session_(std::move(session)) {}

 private:
  std::unique_ptr<Connection> session_;
};

}  // namespace

ServerBackend::ServerBackend(DatabaseUrl url, BackendOptions options,
                             Dialect dialect)
    : Backend(std::move(url), options),
      dialect_(std::move(dialect)),
      resets_(
          [this](const std::string& clone,
                 std::unique_ptr<CloneResetter>* resetter) {
            return OpenResetter(clone, resetter);
          },
          [this](const std::string& clone) { return Restore(clone); }) {}

Status ServerBackend::Admin(Connection** admin) {
  if (admin_ == nullptr || !Alive(*admin_)) {
    admin_.reset();
    Status status = OpenSession(AdminDatabase(), &admin_);
    if (!status.ok()) return status;
  }
  *admin = admin_.get();
  return Status();
}

Status ServerBackend::Fail(const Status& status,
                           const std::string& doing) const {
  return Error(status.code(), doing + " on " + dialect_.server + " " + Where() +
                                  ": " + status.message());
}

Status ServerBackend::CreateFailed(const Status& status,
                                   const std::string& name,
                                   const std::string& doing) const {
  if (status.code() != ErrorCode::kPermissionDenied) {
    return Fail(status, doing);
  }
  return Fail(Status(status.code(),
                     status.message() + " (" + dialect_.create_privilege + ")"),
              "cannot create database " + name);
}

Status ServerBackend::Scrubbed(const Status& status) const {
  return status.ok() ? status : Error(status.code(), status.message());
}

Status ServerBackend::TemplateOf(const std::string& clone,
                                 std::string* template_name) const {
  int worker;
  if (SplitCloneName(clone, template_name, &worker)) return Status();
  return Error(ErrorCode::kInvalidArgument,
               "'" + clone + "' is not a clone name");
}

std::pair<std::string, std::string> ServerBackend::UrlVariable(
    const std::string& name) const {
  DatabaseUrl database_url = url();
  database_url.database = name;
  return {"GTEST_PARALLEL_DATABASE_URL", database_url.ToString()};
}

Status ServerBackend::CreateTemplate(const std::string& base_name,
                                     const std::string& run_token,
                                     std::string* template_name) {
  Status status = CheckRunToken(run_token);
  Connection* admin;
  if (status.ok()) status = Admin(&admin);
  if (!status.ok()) return status;
  std::string name = TemplateName(base_name, run_token);
  status = admin->Execute("CREATE DATABASE " + QuoteDatabase(name));
  if (!status.ok()) {
    return CreateFailed(status, name, "cannot create database " + name);
  }
  *template_name = name;
  return Status();
}

Status ServerBackend::FillTemplate(const std::string& template_name,
                                   const FillSpec& fill) {
  std::unique_ptr<Connection> session;
  Status status = OpenSession(template_name, &session);
  if (!status.ok()) return status;
  return Scrubbed(RunFill(
      fill, dialect_.script,
      [&](const std::string& sql, int* error_line) {
        return RunScriptStatement(*session, sql, error_line);
      },
      *session));
}

Status ServerBackend::Clone(const std::string& template_name, int worker,
                            std::string* clone_name) {
  if (worker < 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "worker numbers start at 1, not " + std::to_string(worker));
  }
  std::string name = CloneName(template_name, worker);
  Status status = CloneTo(template_name, name);
  if (status.ok()) *clone_name = name;
  return status;
}

Status ServerBackend::Restore(const std::string& clone_name) {
  resets_.Close(clone_name);
  std::string template_name;
  Status status = TemplateOf(clone_name, &template_name);
  if (status.ok()) status = Drop(clone_name);
  return status.ok() ? CloneTo(template_name, clone_name) : status;
}

Status ServerBackend::Reset(const std::string& clone_name, ResetStats* stats) {
  return Scrubbed(resets_.Reset(clone_name, stats));
}

Status ServerBackend::Differences(const std::string& clone_name,
                                  std::vector<TableDifference>* differences) {
  return Scrubbed(resets_.Differences(clone_name, differences));
}

Status ServerBackend::Drop(const std::string& name) {
  resets_.Close(name);
  Connection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  status = DropDatabase(*admin, name);
  return status.ok() ? status : Fail(status, "cannot drop " + name);
}

Status ServerBackend::ListDatabases(std::vector<std::string>* names) {
  names->clear();
  Connection* admin;
  Status status = Admin(&admin);
  if (!status.ok()) return status;
  std::vector<Row> rows;
  status = admin->Query(ListDatabasesSql(), &rows);
  if (!status.ok()) return Fail(status, "cannot list databases");
  for (const Row& row : rows) names->push_back(row[0]);
  std::sort(names->begin(), names->end());
  return Status();
}

Status ServerBackend::TryLock(const std::string& name,
                              std::unique_ptr<BackendLock>* lock) {
  std::unique_ptr<Connection> session;
  Status status = OpenSession(AdminDatabase(), &session);
  if (!status.ok()) return status;
  std::string taken;
  status = session->QueryValue(TryLockSql(name), &taken);
  if (!status.ok()) return Fail(status, "cannot lock " + name);
  if (taken != "1") {
    return Error(ErrorCode::kTemplateInUse,
                 "another session holds the lock of " + name + " on " +
                     dialect_.server + " " + Where());
  }
  *lock = std::make_unique<SessionLock>(std::move(session));
  return Status();
}

Status ServerBackend::Connect(const std::string& name,
                              std::unique_ptr<Connection>* connection) {
  return OpenSession(name, connection);
}

}  // namespace gtest_parallel::internal
