// The SQLite backend: file templates copied per worker, in-memory templates
// serialized once and deserialized into each worker's memory.
#include "gtest_parallel/sqlite_backend.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <map>
#include <set>

#include "gtest_parallel/internal/sql_script.h"
#include "sqlite_connection.h"
#include "sqlite_files.h"

namespace gtest_parallel {
namespace internal {
namespace {

constexpr char kDefaultExtension[] = ".sqlite3";
constexpr char kImageExtension[] = ".img";
constexpr int kOpenFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI;

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class SqliteBackend : public Backend {
 public:
  SqliteBackend(const DatabaseUrl& url, const BackendOptions& options,
                bool memory, bool private_directory, std::string directory,
                std::string extension)
      : Backend(url, options),
        memory_(memory),
        private_directory_(private_directory),
        directory_(std::move(directory)),
        extension_(std::move(extension)) {}
  ~SqliteBackend() override {
    for (auto& entry : memory_databases_) sqlite3_close_v2(entry.second);
  }

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
  int busy_ms() const { return options().lock_timeout_seconds * 1000; }
  std::string PathOf(const std::string& name) const {
    return directory_ + "/" + name + extension_;
  }
  std::string ImageOf(const std::string& template_name) const {
    return directory_ + "/" + template_name + kImageExtension;
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
  Status WriteImage(const std::string& template_name);
  Status LoadImage(const std::string& template_name, sqlite3** db);
  Status Compare(sqlite3* template_db, sqlite3* clone_db,
                 const std::string& clone_name);

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
};

Status SqliteBackend::CheckName(const std::string& name) const {
  if (name.empty() || name[0] == '.' ||
      name.find_first_of("/\\") != std::string::npos) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid SQLite database name '" + name + "'");
  }
  return Status();
}

Status SqliteBackend::InDirectory(const std::function<Status()>& write) const {
  for (int attempt = 1;; ++attempt) {
    if (private_directory_) {
      std::string directory;
      Status status = PrivateDirectory(&directory);
      if (!status.ok()) return status;
    }
    Status status = write();
    if (status.ok() || !private_directory_ || attempt == 10 ||
        FileExists(directory_)) {
      return status;
    }
  }
}

Status SqliteBackend::Open(const std::string& name, int flags, sqlite3** db) {
  Status status = CheckName(name);
  if (!status.ok()) return status;
  if (memory_) {
    if (memory_databases_.count(name) == 0) {
      return Error(ErrorCode::kNotFound,
                   "in-memory database " + name +
                       " is not open in this process (Attach() it first)");
    }
    return OpenSqlite(MemoryUri(name), flags, busy_ms(), db);
  }
  if (!FileExists(PathOf(name))) {
    return Error(ErrorCode::kNotFound,
                 "SQLite database " + PathOf(name) + " does not exist");
  }
  return OpenSqlite(PathOf(name), flags, busy_ms(), db);
}

Status SqliteBackend::CreateTemplate(const std::string& base_name,
                                     const std::string& run_token,
                                     std::string* template_name) {
  Status status = CheckRunToken(run_token);
  if (!status.ok()) return status;
  std::string name = TemplateName(base_name, run_token);
  if (memory_) {
    if (memory_databases_.count(name) != 0 || FileExists(ImageOf(name))) {
      return Error(ErrorCode::kAlreadyExists, "template " + name + " exists");
    }
    sqlite3* db;
    status = OpenSqlite(MemoryUri(name), kOpenFlags | SQLITE_OPEN_CREATE,
                        busy_ms(), &db);
    if (!status.ok()) return status;
    memory_databases_[name] = db;
  } else {
    status = InDirectory([&] { return CreateEmptyFile(PathOf(name)); });
    if (!status.ok()) {
      return Error(status.code(), "cannot create SQLite template " +
                                      PathOf(name) + ": " + status.message());
    }
  }
  *template_name = name;
  return Status();
}

Status SqliteBackend::FillTemplate(const std::string& template_name,
                                   const FillSpec& fill) {
  std::unique_ptr<Connection> connection;
  Status status = Connect(template_name, &connection);
  if (!status.ok()) return status;
  sqlite3* db = static_cast<sqlite3*>(connection->native_handle());
  for (const std::string& path : fill.sql_files) {
    status = RunSqliteFile(db, path);
    if (!status.ok()) return status;
  }
  if (fill.callback) status = fill.callback(*connection);
  return status;
}

Status SqliteBackend::WriteImage(const std::string& template_name) {
  std::string image = ImageOf(template_name);
  if (FileExists(image)) return Status();
  auto found = memory_databases_.find(template_name);
  if (found == memory_databases_.end()) {
    return Error(ErrorCode::kNotFound, "in-memory template " + template_name +
                                           " is not open in this process");
  }
  sqlite3_int64 size = 0;
  unsigned char* data = sqlite3_serialize(found->second, "main", &size, 0);
  if (data == nullptr && size != 0) {
    return Error(ErrorCode::kInternal, "cannot serialize " + template_name);
  }
  Status status =
      InDirectory([&] { return WriteWholeFile(image, data, size); });
  sqlite3_free(data);
  return status;
}

Status SqliteBackend::LoadImage(const std::string& template_name,
                                sqlite3** db) {
  unsigned char* data;
  int64_t size;
  Status status = ReadWholeFile(ImageOf(template_name), &data, &size);
  if (!status.ok()) {
    return Error(status.code(), "the image of template " + template_name +
                                    " is missing: " + status.message());
  }
  status = OpenSqlite(":memory:", SQLITE_OPEN_READWRITE, busy_ms(), db);
  if (!status.ok()) {
    sqlite3_free(data);
    return status;
  }
  // The connection owns data from here on, even on failure.
  if (sqlite3_deserialize(*db, "main", data, size, size + 1,
                          SQLITE_DESERIALIZE_FREEONCLOSE |
                              SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK) {
    status =
        SqliteError(*db, "cannot deserialize the image of " + template_name);
    sqlite3_close_v2(*db);
    *db = nullptr;
  }
  return status;
}

Status SqliteBackend::Clone(const std::string& template_name, int worker,
                            std::string* clone_name) {
  if (worker < 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "worker numbers start at 1, not " + std::to_string(worker));
  }
  Status status = CheckName(template_name);
  if (!status.ok()) return status;
  std::string name = CloneName(template_name, worker);
  if (memory_) {
    // Workers deserialize the image in Attach().
    status = WriteImage(template_name);
    if (status.ok()) *clone_name = name;
    return status;
  }
  if (FileExists(PathOf(name))) {
    return Error(ErrorCode::kAlreadyExists, PathOf(name) + " exists");
  }
  // A WAL template keeps recent pages in its -wal file: fold them in.
  sqlite3* db;
  status = Open(template_name, kOpenFlags, &db);
  if (!status.ok()) return status;
  {
    SqliteConnection connection(db);
    std::string mode;
    status = connection.QueryValue("PRAGMA journal_mode", &mode);
    std::vector<Row> checkpoint;
    if (status.ok() && mode == "wal") {
      status = connection.Query("PRAGMA wal_checkpoint(TRUNCATE)", &checkpoint);
      if (status.ok() && !checkpoint.empty() && checkpoint[0][0] != "0") {
        status = Error(ErrorCode::kTemplateInUse,
                       "another connection keeps template " + template_name +
                           " from being checkpointed");
      }
    }
  }
  if (!status.ok()) return status;
  std::string temporary = PathOf(name) + ".tmp" + std::to_string(getpid());
  unlink(temporary.c_str());
  status = CopyFile(PathOf(template_name), temporary);
  if (!status.ok()) return Error(status.code(), status.message());
  if (rename(temporary.c_str(), PathOf(name).c_str()) != 0) {
    unlink(temporary.c_str());
    return Error(ErrorCode::kInternal, Errno("cannot rename " + temporary));
  }
  *clone_name = name;
  return Status();
}

Status SqliteBackend::Compare(sqlite3* template_db, sqlite3* clone_db,
                              const std::string& clone_name) {
  std::vector<std::string> expected, actual;
  Status status = SummarizeSqlite(template_db, &expected);
  if (status.ok()) status = SummarizeSqlite(clone_db, &actual);
  if (!status.ok()) return status;
  if (expected == actual) return Status();
  auto [left, right] = std::mismatch(expected.begin(), expected.end(),
                                     actual.begin(), actual.end());
  return Error(ErrorCode::kVerifyFailed,
               "clone " + clone_name + " differs from its template: " +
                   (left == expected.end() ? "nothing" : "'" + *left + "'") +
                   " in the template, " +
                   (right == actual.end() ? "nothing" : "'" + *right + "'") +
                   " in the clone");
}

Status SqliteBackend::Verify(const std::string& clone_name) {
  std::string template_name;
  int worker;
  if (!SplitCloneName(clone_name, &template_name, &worker)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + clone_name + "' is not a clone name");
  }
  if (memory_ && memory_databases_.count(clone_name) == 0) {
    // Not attached here: the image workers load must be there.
    if (FileExists(ImageOf(template_name))) return Status();
    return Error(ErrorCode::kNotFound,
                 "the image of template " + template_name + " is missing");
  }
  sqlite3* template_db = nullptr;
  sqlite3* clone_db = nullptr;
  Status status = memory_
                      ? LoadImage(template_name, &template_db)
                      : Open(template_name, SQLITE_OPEN_READONLY, &template_db);
  if (status.ok()) {
    status = Open(clone_name, memory_ ? kOpenFlags : SQLITE_OPEN_READONLY,
                  &clone_db);
  }
  if (status.ok()) {
    std::string check;
    SqliteConnection connection(clone_db, /*owns=*/false);
    status = connection.QueryValue("PRAGMA quick_check", &check);
    if (status.ok() && check != "ok") {
      status = Error(ErrorCode::kVerifyFailed,
                     "clone " + clone_name + " is damaged: " + check);
    }
  }
  if (status.ok()) status = Compare(template_db, clone_db, clone_name);
  sqlite3_close_v2(template_db);
  sqlite3_close_v2(clone_db);
  return status;
}

Status SqliteBackend::Attach(const std::string& clone_name) {
  Status status = CheckName(clone_name);
  if (!status.ok()) return status;
  if (!memory_) {
    if (FileExists(PathOf(clone_name))) return Status();
    return Error(ErrorCode::kNotFound,
                 "SQLite clone " + PathOf(clone_name) + " does not exist");
  }
  std::string template_name;
  int worker;
  if (!SplitCloneName(clone_name, &template_name, &worker)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + clone_name + "' is not a clone name");
  }
  sqlite3* image;
  status = LoadImage(template_name, &image);
  if (!status.ok()) return status;
  sqlite3*& clone = memory_databases_[clone_name];
  if (clone == nullptr) {
    status = OpenSqlite(MemoryUri(clone_name), kOpenFlags | SQLITE_OPEN_CREATE,
                        busy_ms(), &clone);
  }
  if (status.ok()) status = BackupSqlite(image, clone);
  sqlite3_close_v2(image);
  if (!status.ok() && clone == nullptr) memory_databases_.erase(clone_name);
  return status.ok() ? status : Error(status.code(), status.message());
}

Status SqliteBackend::Restore(const std::string& clone_name) {
  if (memory_) {
    if (memory_databases_.count(clone_name) == 0) {
      return Error(ErrorCode::kNotFound,
                   "clone " + clone_name + " is not attached in this process");
    }
    return Attach(clone_name);
  }
  std::string template_name;
  int worker;
  if (!SplitCloneName(clone_name, &template_name, &worker)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + clone_name + "' is not a clone name");
  }
  sqlite3* source = nullptr;
  sqlite3* destination = nullptr;
  Status status = Open(template_name, SQLITE_OPEN_READONLY, &source);
  if (status.ok()) status = Open(clone_name, kOpenFlags, &destination);
  if (status.ok()) status = BackupSqlite(source, destination);
  sqlite3_close_v2(source);
  sqlite3_close_v2(destination);
  return status;
}

Status SqliteBackend::Drop(const std::string& name) {
  Status status = CheckName(name);
  if (!status.ok()) return status;
  std::vector<std::string> paths;
  if (memory_) {
    auto found = memory_databases_.find(name);
    if (found != memory_databases_.end()) {
      sqlite3_close_v2(found->second);
      memory_databases_.erase(found);
    }
    paths.push_back(ImageOf(name));
  } else {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      paths.push_back(PathOf(name) + suffix);
    }
  }
  for (const std::string& path : paths) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Error(ErrorCode::kPermissionDenied,
                   Errno("cannot remove " + path));
    }
  }
  if (private_directory_) RemoveDirectoryIfEmpty(directory_);
  return Status();
}

// A lock file next to the database, and the private directory removed
// once the lock is released if nothing else is left in it.
class SqliteLock : public BackendLock {
 public:
  SqliteLock(std::unique_ptr<FileLock> file, std::string tidy)
      : file_(std::move(file)), tidy_(std::move(tidy)) {}
  ~SqliteLock() override {
    file_.reset();
    if (!tidy_.empty()) RemoveDirectoryIfEmpty(tidy_);
  }

 private:
  std::unique_ptr<FileLock> file_;
  std::string tidy_;
};

Status SqliteBackend::TryLock(const std::string& name,
                              std::unique_ptr<BackendLock>* lock) {
  Status status = CheckName(name);
  if (!status.ok()) return status;
  std::unique_ptr<FileLock> file;
  status = InDirectory([&] {
    return FileLock::TryLock(directory_ + "/" + name + ".lock", &file);
  });
  if (!status.ok()) return Error(status.code(), status.message());
  *lock = std::make_unique<SqliteLock>(std::move(file),
                                       private_directory_ ? directory_ : "");
  return Status();
}

Status SqliteBackend::ListDatabases(std::vector<std::string>* names) {
  names->clear();
  DIR* directory = opendir(directory_.c_str());
  if (directory == nullptr && errno == ENOENT && private_directory_) {
    // Removed, empty, at the end of another run.
    for (const auto& entry : memory_databases_) names->push_back(entry.first);
    return Status();
  }
  if (directory == nullptr) {
    return Error(ErrorCode::kNotFound, Errno("cannot list " + directory_));
  }
  std::string suffix = memory_ ? kImageExtension : extension_;
  std::set<std::string> found;
  while (dirent* entry = readdir(directory)) {
    std::string file = entry->d_name;
    if (file[0] != '.' && file.size() > suffix.size() &&
        EndsWith(file, suffix)) {
      found.insert(file.substr(0, file.size() - suffix.size()));
    }
  }
  closedir(directory);
  for (const auto& entry : memory_databases_) found.insert(entry.first);
  names->assign(found.begin(), found.end());
  return Status();
}

Status SqliteBackend::Connect(const std::string& name,
                              std::unique_ptr<Connection>* connection) {
  sqlite3* db;
  Status status = Open(name, kOpenFlags, &db);
  if (status.ok()) *connection = std::make_unique<SqliteConnection>(db);
  return status;
}

std::map<std::string, std::string> SqliteBackend::ConnectionParameters(
    const std::string& name) const {
  std::map<std::string, std::string> parameters = {
      {"filename", ConnectionString(name)}};
  if (memory_) parameters["uri"] = "1";
  return parameters;
}

std::string SqliteBackend::ConnectionString(const std::string& name) const {
  return memory_ ? MemoryUri(name) : PathOf(name);
}

std::vector<std::pair<std::string, std::string>> SqliteBackend::EnvironmentFor(
    const std::string& name) const {
  std::vector<std::pair<std::string, std::string>> variables = {
      {kSqliteDatabaseVariable, ConnectionString(name)}};
  if (!memory_) {
    DatabaseUrl clone_url = url();
    clone_url.database = PathOf(name);
    variables.emplace_back("GTEST_PARALLEL_DATABASE_URL", clone_url.ToString());
  }
  return variables;
}

}  // namespace
}  // namespace internal

Status NewSqliteBackend(const DatabaseUrl& url, const BackendOptions& options,
                        std::unique_ptr<Backend>* backend) {
  if (url.scheme != "sqlite") {
    return Status(ErrorCode::kInvalidArgument,
                  "the SQLite backend cannot use '" + url.scheme + ":' URLs");
  }
  bool memory = url.database == ":memory:";
  const bool private_directory = memory || url.database.empty();
  std::string directory;
  std::string extension = internal::kDefaultExtension;
  if (private_directory) {
    Status status = internal::PrivateDirectory(&directory);
    if (!status.ok()) return status;
  } else {
    std::string path = url.database;
    if (path[0] != '/') {
      char cwd[4096];
      if (getcwd(cwd, sizeof(cwd)) == nullptr) {
        return Status(ErrorCode::kInternal,
                      internal::Errno("cannot get the working directory"));
      }
      path = std::string(cwd) + "/" + path;
    }
    struct stat info;
    if (path.back() == '/' ||
        (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))) {
      directory = path;
    } else {
      size_t slash = path.rfind('/');
      directory = path.substr(0, slash);
      std::string file = path.substr(slash + 1);
      size_t dot = file.rfind('.');
      if (dot != std::string::npos && dot > 0) extension = file.substr(dot);
    }
    while (directory.size() > 1 && directory.back() == '/')
      directory.pop_back();
    if (!internal::MakeDirectories(directory)) {
      return Status(ErrorCode::kPermissionDenied,
                    internal::Errno("cannot make directory " + directory));
    }
  }
  *backend = std::make_unique<internal::SqliteBackend>(
      url, options, memory, private_directory, directory, extension);
  return Status();
}

}  // namespace gtest_parallel

// Linking gtest_parallel::sqlite keeps this object (the CMake target asks
// the linker for this symbol), and with it the registration below.
extern "C" {
int gtest_parallel_sqlite_backend_anchor = 0;
}
namespace {
const bool kRegistered = gtest_parallel::RegisterBackend(
    "sqlite", &gtest_parallel::NewSqliteBackend);
}  // namespace
