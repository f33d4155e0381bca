// The "fakedb" backend: a database is the list of statements executed in
// it, kept in a process-wide "server" (a map) shared by all fakedb URLs.
#include "fake_backend.h"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace fake_backend {
namespace {

using gtest_parallel::Backend;
using gtest_parallel::BackendOptions;
using gtest_parallel::Connection;
using gtest_parallel::DatabaseUrl;
using gtest_parallel::ErrorCode;
using gtest_parallel::FillSpec;
using gtest_parallel::Row;
using gtest_parallel::Status;

struct Server {
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> databases;
};

Server& GetServer() {
  static Server* server = new Server();
  return *server;
}

// Execute records a statement; Query answers the statement count.
class FakeConnection : public Connection {
 public:
  explicit FakeConnection(std::string database)
      : database_(std::move(database)) {}
  Status Execute(const std::string& sql) override {
    std::lock_guard<std::mutex> lock(GetServer().mutex);
    GetServer().databases[database_].push_back(sql);
    return Status();
  }
  Status Query(const std::string& /*sql*/, std::vector<Row>* rows) override {
    std::lock_guard<std::mutex> lock(GetServer().mutex);
    rows->push_back({std::to_string(GetServer().databases[database_].size())});
    return Status();
  }
  void* native_handle() override { return nullptr; }

 private:
  std::string database_;
};

class FakeBackend : public Backend {
 public:
  FakeBackend(const DatabaseUrl& url, const BackendOptions& options)
      : Backend(url, options) {}

  Status CreateTemplate(const std::string& base_name,
                        const std::string& run_token,
                        std::string* template_name) override {
    if (!gtest_parallel::IsValidRunToken(run_token)) {
      return Error(ErrorCode::kInvalidArgument, "bad token");
    }
    std::string name = gtest_parallel::TemplateName(base_name, run_token);
    std::lock_guard<std::mutex> lock(GetServer().mutex);
    if (!GetServer()
             .databases.emplace(name, std::vector<std::string>())
             .second) {
      return Error(ErrorCode::kAlreadyExists, name + " exists");
    }
    *template_name = name;
    return Status();
  }
  Status FillTemplate(const std::string& template_name,
                      const FillSpec& fill) override {
    std::unique_ptr<Connection> connection;
    Status status = Connect(template_name, &connection);
    if (status.ok() && fill.callback) status = fill.callback(*connection);
    return status;
  }
  Status Clone(const std::string& template_name, int worker,
               std::string* clone_name) override {
    std::lock_guard<std::mutex> lock(GetServer().mutex);
    auto& databases = GetServer().databases;
    if (databases.count(template_name) == 0) {
      return Error(ErrorCode::kNotFound, template_name + " does not exist");
    }
    *clone_name = gtest_parallel::CloneName(template_name, worker);
    databases[*clone_name] = databases[template_name];
    return Status();
  }
  Status Verify(const std::string& clone_name) override {
    std::string template_name;
    int worker;
    gtest_parallel::SplitCloneName(clone_name, &template_name, &worker);
    std::lock_guard<std::mutex> lock(GetServer().mutex);
    auto& databases = GetServer().databases;
    if (databases.count(clone_name) == 0 ||
        databases[clone_name] != databases[template_name]) {
      return Error(ErrorCode::kVerifyFailed, clone_name + " differs");
    }
    return Status();
  }
  Status Restore(const std::string& clone_name) override {
    std::string template_name;
    int worker;
    gtest_parallel::SplitCloneName(clone_name, &template_name, &worker);
    Status status = Drop(clone_name);
    std::string ignored;
    return status.ok() ? Clone(template_name, worker, &ignored) : status;
  }
  Status Drop(const std::string& name) override {
    std::lock_guard<std::mutex> lock(GetServer().mutex);
    GetServer().databases.erase(name);
    return Status();
  }
  Status ListDatabases(std::vector<std::string>* names) override {
    std::lock_guard<std::mutex> lock(GetServer().mutex);
    names->clear();
    for (const auto& entry : GetServer().databases) {
      names->push_back(entry.first);
    }
    return Status();
  }
  Status Connect(const std::string& name,
                 std::unique_ptr<Connection>* connection) override {
    std::lock_guard<std::mutex> lock(GetServer().mutex);
    if (GetServer().databases.count(name) == 0) {
      return Error(ErrorCode::kNotFound, name + " does not exist");
    }
    *connection = std::make_unique<FakeConnection>(name);
    return Status();
  }
  std::map<std::string, std::string> ConnectionParameters(
      const std::string& name) const override {
    return {{"database", name}};
  }
  std::string ConnectionString(const std::string& name) const override {
    return "fakedb:" + name;
  }
  std::vector<std::pair<std::string, std::string>> EnvironmentFor(
      const std::string& name) const override {
    return {{"FAKEDB_DATABASE", name}};
  }
};

}  // namespace

bool RegisterFakeBackend() {
  return gtest_parallel::RegisterBackend(
      "fakedb", [](const DatabaseUrl& url, const BackendOptions& options,
                   std::unique_ptr<Backend>* backend) {
        *backend = std::make_unique<FakeBackend>(url, options);
        return Status();
      });
}

}  // namespace fake_backend
