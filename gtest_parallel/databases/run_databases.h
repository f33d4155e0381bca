// The databases of one run (see gtest_parallel/database.h): before the
// tests, the coordinator (or a serial run) sweeps what dead runs left,
// creates and fills a template per declared database, clones it for each
// worker and verifies the clones; each worker attaches to its clones; at
// the end everything is dropped (or kept, with --gtest_parallel_keepdb).
#ifndef GTEST_PARALLEL_RUN_DATABASES_H_
#define GTEST_PARALLEL_RUN_DATABASES_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "flags/options.h"
#include "gtest_parallel/database.h"
#include "protocol/protocol.h"

namespace gtest_parallel {
namespace internal {

// One database a process attaches to.
struct Assignment {
  std::string alias;
  std::string url;   // The server's URL, password included: never print.
  std::string name;  // The database on it.
};

// Assignments as sent to a worker in its Config message, and back.
std::vector<Property> EncodeAssignments(
    const std::vector<Assignment>& assignments);
std::vector<Assignment> DecodeAssignments(
    const std::vector<Property>& properties);

// The environment variable naming the database of `alias` in the processes
// of a run: GTEST_PARALLEL_DATABASE_<ALIAS>.
std::string DatabaseVariable(const std::string& alias);

// The environment variable that gives the server of `alias`, as
// --gtest_parallel_db=ALIAS=URL does: GTEST_PARALLEL_DB_<ALIAS>.
std::string DatabaseUrlVariable(const std::string& alias);

// Remembers --gtest_parallel_db overrides for AttachFromEnvironment().
void SetDatabaseUrlOverrides(const std::map<std::string, std::string>& urls);

// In a worker: attaches to its databases, makes them what Database()
// returns and exports their variables to the environment. False with a
// one-line *error (no password in it) when one cannot be attached.
bool AttachDatabases(const std::vector<Assignment>& assignments,
                     std::string* error);

// The databases a coordinator or serial run manages.
class RunDatabases {
 public:
  explicit RunDatabases(const Options& options);
  // Drops what is left (TearDown).
  ~RunDatabases();
  RunDatabases(const RunDatabases&) = delete;
  RunDatabases& operator=(const RunDatabases&) = delete;

  // Whether the program declared any database.
  static bool Declared();

  // Checks the declarations and URLs and makes the backends, connecting to
  // nothing yet. False with a one-line *error.
  bool Prepare(std::string* error);
  // Makes the databases of a run with `workers` workers; 0: a serial run,
  // which gets one clone too. `interrupted` is asked between steps. False
  // with a one-line *error after dropping what was made.
  bool SetUp(int workers, const std::function<bool()>& interrupted,
             std::string* error);
  // What worker `worker` (1..workers) attaches to.
  std::vector<Assignment> For(int worker) const;
  // In a serial run: attaches this process to the run's databases, makes
  // them what Database() returns and exports their variables.
  bool AttachHere(std::string* error);
  // Drops every database made (keepdb: keeps them and prints their names,
  // and lets the next run that waits for them have them); problems are
  // printed, not returned. Safe to call again, and from another thread.
  void TearDown();
  // --gtest_parallel_dropdb: after Prepare, drops the kept databases
  // (--gtest_parallel_keepdb) of every declared database on its server,
  // waiting for runs that use them, and says what it dropped. Returns 0,
  // or 1 when a server could not be reached or a database not dropped
  // (printed, naming the server).
  int DropKept();

 private:
  struct Entry;

  bool SetUpEntry(Entry* entry, int workers,
                  const std::function<bool()>& interrupted, std::string* error);
  bool MakeTemplate(Entry* entry, const std::string& token, std::string* error);
  bool ReuseKeptTemplate(Entry* entry, const std::function<bool()>& interrupted,
                         std::string* error);
  // Takes the lock of kept template `name`, waiting (and saying so) while
  // another run holds it; false with *error if it cannot, or interrupted.
  bool LockKept(Entry* entry, const std::string& name,
                const std::function<bool()>& interrupted,
                std::unique_ptr<BackendLock>* lock, std::string* error);
  // Drops the kept databases of entry's base but the template `name`
  // (whose lock this run holds): its last clones, and databases of other
  // schemas no run is using. *exists: whether template `name` is there.
  bool DropOtherKept(Entry* entry, const std::string& name, bool* exists,
                     std::string* error);
  bool DropKeptOf(Entry* entry);
  void DropEntry(Entry* entry);

  const Options options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// --gtest_parallel_dropdb: drops the kept databases of the program's
// declared databases (RunDatabases::DropKept) and runs no test. Returns
// the exit code: 0, 1 when a server failed, 2 for a bad declaration or URL.
int RunDropdb(const Options& options);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_RUN_DATABASES_H_
