// The SQLite backend's class, shared by its sources: sqlite_backend.cc
// (templates, connections, drops, locks, the factory) and sqlite_clone.cc
// (clones: file copies, in-memory images, Verify, Attach, Restore).
#ifndef GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_BACKEND_IMPL_H_
#define GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_BACKEND_IMPL_H_

#include <sqlite3.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/internal/reset_sessions.h"

namespace gtest_parallel::internal {

// The file name ending of in-memory templates' images.
inline constexpr char kSqliteImageExtension[] = ".img";
// How the backend opens databases it writes.
inline constexpr int kSqliteOpenFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI;

// The SQLite backend (see gtest_parallel/sqlite_backend.h).
class SqliteBackend : public Backend {
 public:
  SqliteBackend(const DatabaseUrl& url, const BackendOptions& options,
                bool memory, bool private_directory, std::string directory,
                std::string extension)
      : Backend(url, options),
        memory_(memory),
        private_directory_(private_directory),
        directory_(std::move(directory)),
        extension_(std::move(extension)),
        resets_(
            [this](const std::string& clone,
                   std::unique_ptr<CloneResetter>* resetter) {
              return OpenResetter(clone, resetter);
            },
            [this](const std::string& clone) { return Restore(clone); }) {}
  ~SqliteBackend() override;

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
  Status PrepareReset(const std::string& template_name) override;
  Status Reset(const std::string& clone_name, ResetStats* stats) override {
    return resets_.Reset(clone_name, stats);
  }
  Status Differences(const std::string& clone_name,
                     std::vector<TableDifference>* differences) override {
    return resets_.Differences(clone_name, differences);
  }
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
  int busy_ms() const { return options().lock_timeout_seconds * 1000; }
  std::string PathOf(const std::string& name) const {
    return directory_ + "/" + name + extension_;
  }
  std::string ImageOf(const std::string& template_name) const {
    return directory_ + "/" + template_name + kSqliteImageExtension;
  }
  static std::string MemoryUri(const std::string& name) {
    return "file:/" + name + "?vfs=memdb";
  }
  Status CheckName(const std::string& name) const;
  // Runs write, which makes a file in the directory. The private directory
  // is removed by the run that empties it, perhaps between this run's
  // making it and writing: it is made again, and write retried.
  Status InDirectory(const std::function<Status()>& write) const;
  Status Open(const std::string& name, int flags, sqlite3** db);
  // Writes the image of an in-memory template open here, unless written.
  Status WriteImage(const std::string& template_name);
  // Writes db, an in-memory template, as the image of template_name.
  Status SaveImage(sqlite3* db, const std::string& template_name);
  // Opens a private in-memory copy of the image of template_name.
  Status LoadImage(const std::string& template_name, sqlite3** db);
  Status Compare(sqlite3* template_db, sqlite3* clone_db,
                 const std::string& clone_name);
  Status OpenResetter(const std::string& clone,
                      std::unique_ptr<CloneResetter>* resetter);

  bool memory_;
  // The directory is $TMPDIR/gtest_parallel_sqlite_<uid>, shared by runs
  // and removed when it is left empty.
  bool private_directory_;
  // File databases: where they are. In-memory: where template images are.
  std::string directory_;
  std::string extension_;
  // In-memory templates and attached clones of this process, by name; the
  // handle keeps the shared in-memory database alive.
  std::map<std::string, sqlite3*> memory_databases_;
  // Connections kept to clones by Reset.
  ResetSessions resets_;
};

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_SQLITE_SQLITE_BACKEND_IMPL_H_
