// What the files of a run's databases share (private to databases/): one
// declared database's state (RunDatabases::Entry) and the naming and
// waiting rules of kept templates.
#ifndef GTEST_PARALLEL_DATABASES_DATABASE_ENTRY_H_
#define GTEST_PARALLEL_DATABASES_DATABASE_ENTRY_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "databases/run_databases.h"

namespace gtest_parallel {
namespace internal {

// Kept templates (--gtest_parallel_keepdb) are named after the schema
// hash instead of a run token: "k" and this many base-36 digits.
inline constexpr size_t kKeptHashDigits = 12;
inline constexpr char kKeptPrefix = 'k';
// How often a run waiting for a kept template another run uses asks again.
inline constexpr std::chrono::milliseconds kLockPoll(200);

// One declared database of the run.
struct RunDatabases::Entry {
  explicit Entry(DatabaseDeclaration d) : declaration(std::move(d)) {}

  DatabaseDeclaration declaration;
  std::string url;       // Password included: never print.
  std::string redacted;  // Safe to print.
  std::shared_ptr<Backend> backend;
  int sequence = 0;                    // Tells this run's templates apart.
  std::string template_name;           // Empty until made or found.
  bool template_made = false;          // By this run: dropped with it.
  std::vector<std::string> databases;  // Per worker; serial: one.
  // keepdb: held from before the kept template is looked at to the end of
  // the run, so that concurrent runs take turns with it.
  std::unique_ptr<BackendLock> lock;
  bool set_up = false;
  bool torn_down = false;

  std::string Describe() const {
    return "database '" + declaration.alias + "' (" + redacted + ")";
  }
  std::string Base() const {
    return declaration.base_name.empty() ? "test_" + declaration.alias
                                         : declaration.base_name;
  }
};

// Seconds from `start` to now.
double SecondsSince(std::chrono::steady_clock::time_point start);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_DATABASES_DATABASE_ENTRY_H_
