// The public database API (gtest_parallel/database.h): the declarations a
// program makes and the databases this process's tests use.
#include "gtest_parallel/database.h"

#include <mutex>
#include <stdexcept>

#include "databases/database_registry.h"

namespace gtest_parallel {
namespace internal {

DatabaseRegistry& DatabaseRegistry::Get() {
  static DatabaseRegistry* registry = new DatabaseRegistry;
  return *registry;
}

void DatabaseRegistry::Declare(DatabaseDeclaration declaration) {
  std::lock_guard<std::mutex> lock(mutex_);
  declarations_.push_back(std::move(declaration));
}

std::vector<DatabaseDeclaration> DatabaseRegistry::Declarations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return declarations_;
}

bool DatabaseRegistry::HasDeclarations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !declarations_.empty();
}

void DatabaseRegistry::Install(const std::string& alias,
                               const std::string& name,
                               std::shared_ptr<Backend> backend) {
  std::lock_guard<std::mutex> lock(mutex_);
  databases_.erase(alias);
  databases_.emplace(alias, TestDatabase(alias, name, std::move(backend)));
}

const TestDatabase* DatabaseRegistry::Find(const std::string& alias) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = databases_.find(alias);
  return found == databases_.end() ? nullptr : &found->second;
}

bool DatabaseRegistry::IsDeclared(const std::string& alias) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const DatabaseDeclaration& declaration : declarations_) {
    if (declaration.alias == alias) return true;
  }
  return false;
}

}  // namespace internal

bool DeclareDatabase(DatabaseDeclaration declaration) {
  internal::DatabaseRegistry::Get().Declare(std::move(declaration));
  return true;
}

TestDatabase::TestDatabase(std::string alias, std::string name,
                           std::shared_ptr<Backend> backend)
    : alias_(std::move(alias)),
      name_(std::move(name)),
      backend_(std::move(backend)) {}

std::string TestDatabase::connection_string() const {
  return backend_->ConnectionString(name_);
}

std::map<std::string, std::string> TestDatabase::parameters() const {
  return backend_->ConnectionParameters(name_);
}

std::string TestDatabase::url() const {
  for (const auto& [variable, value] : backend_->EnvironmentFor(name_)) {
    if (variable == "GTEST_PARALLEL_DATABASE_URL") return value;
  }
  return "";
}

Status TestDatabase::Connect(std::unique_ptr<Connection>* connection) const {
  return backend_->Connect(name_, connection);
}

Status TestDatabase::Restore() const { return backend_->Restore(name_); }

const TestDatabase& Database(const std::string& alias) {
  internal::DatabaseRegistry& registry = internal::DatabaseRegistry::Get();
  if (const TestDatabase* database = registry.Find(alias)) return *database;
  // A death test's child process that started the program again finds its
  // worker's database through the environment.
  std::string error;
  if (internal::AttachFromEnvironment(alias, &error)) {
    if (const TestDatabase* database = registry.Find(alias)) return *database;
  }
  if (!registry.IsDeclared(alias)) {
    throw std::logic_error("gtest_parallel: no database is declared as '" +
                           alias + "' (see gtest_parallel::DeclareDatabase)");
  }
  throw std::logic_error(
      "gtest_parallel: database '" + alias + "' is not set up in this process" +
      (error.empty() ? std::string(" (run the tests with "
                                   "gtest_parallel::RunAllTests(), e.g. by "
                                   "linking gtest_parallel::main)")
                     : ": " + error));
}

std::string SociConnectionString(const TestDatabase& database) {
  if (database.backend().url().scheme != "mariadb") {
    return database.connection_string();
  }
  // SOCI's mysql backend: "key='value' ...", '\'' and '\\' escaped.
  static const std::pair<const char*, const char*> kKeys[] = {
      {"host", "host"},
      {"port", "port"},
      {"unix_socket", "unix_socket"},
      {"user", "user"},
      {"password", "password"},
      {"database", "db"}};
  const std::map<std::string, std::string> parameters = database.parameters();
  std::string out;
  for (const auto& [ours, soci] : kKeys) {
    auto found = parameters.find(ours);
    if (found == parameters.end() || found->second.empty()) continue;
    out += std::string(soci) + "='";
    for (char c : found->second) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += "' ";
  }
  return out + "connect_timeout=" +
         std::to_string(database.backend().options().connect_timeout_seconds);
}

}  // namespace gtest_parallel
