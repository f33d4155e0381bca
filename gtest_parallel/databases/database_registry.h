// What this process knows of its databases: the program's declarations and
// the databases its tests use (gtest_parallel::Database()). Filled by the
// run's set-up (run_databases.h) in a serial run and by a worker when the
// coordinator tells it its clones.
#ifndef GTEST_PARALLEL_DATABASE_REGISTRY_H_
#define GTEST_PARALLEL_DATABASE_REGISTRY_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gtest_parallel/database.h"

namespace gtest_parallel {
namespace internal {

// The declarations and attached databases of this process; thread-safe.
class DatabaseRegistry {
 public:
  static DatabaseRegistry& Get();

  void Declare(DatabaseDeclaration declaration);
  std::vector<DatabaseDeclaration> Declarations() const;
  bool HasDeclarations() const;
  bool IsDeclared(const std::string& alias) const;

  // Makes Database(alias) return database `name` of `backend`.
  void Install(const std::string& alias, const std::string& name,
               std::shared_ptr<Backend> backend);
  // The attached database of alias, or null.
  const TestDatabase* Find(const std::string& alias) const;

 private:
  mutable std::mutex mutex_;
  std::vector<DatabaseDeclaration> declarations_;
  std::map<std::string, TestDatabase> databases_;
};

// Attaches this process to the database of `alias` named by the
// environment (a death test's child that started the program again);
// false with *error when the environment names none or attaching fails.
bool AttachFromEnvironment(const std::string& alias, std::string* error);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_DATABASE_REGISTRY_H_
