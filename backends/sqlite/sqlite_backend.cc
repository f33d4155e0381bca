// The SQLite backend: file templates copied per worker, in-memory templates
// serialized once and deserialized into each worker's memory (the clones
// are sqlite_clone.cc's); here: templates, connections, drops, locks, the
// database list and the factory.
#include "gtest_parallel/sqlite_backend.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <map>
#include <set>

#include "gtest_parallel/internal/util.h"
#include "sqlite_backend_impl.h"
#include "sqlite_connection.h"
#include "sqlite_files.h"
#include "sqlite_reset.h"

namespace gtest_parallel {
namespace internal {
namespace {

constexpr char kDefaultExtension[] = ".sqlite3";

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
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

}  // namespace

SqliteBackend::~SqliteBackend() {
  resets_.CloseAll();
  for (auto& entry : memory_databases_) sqlite3_close_v2(entry.second);
}

Status SqliteBackend::OpenResetter(const std::string& clone,
                                   std::unique_ptr<CloneResetter>* resetter) {
  std::string template_name;
  int worker;
  if (!SplitCloneName(clone, &template_name, &worker)) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + clone + "' is not a clone name");
  }
  SqliteTemplateSource source;
  source.image = memory_;
  source.path = memory_ ? ImageOf(template_name) : PathOf(template_name);
  if (!FileExists(source.path)) {
    return Error(ErrorCode::kNotFound, "template " + template_name +
                                           " is missing (" + source.path + ")");
  }
  sqlite3* db;
  Status status = Open(clone, kSqliteOpenFlags, &db);
  std::unique_ptr<SqliteResetter> opened;
  if (status.ok()) status = SqliteResetter::Open(db, source, &opened);
  *resetter = std::move(opened);
  return status;
}

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
    status = OpenSqlite(MemoryUri(name), kSqliteOpenFlags | SQLITE_OPEN_CREATE,
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

Status SqliteBackend::PrepareReset(const std::string& template_name) {
  // An in-memory template kept by an earlier run lives on as its image.
  const bool image_only =
      memory_ && memory_databases_.count(template_name) == 0 &&
      CheckName(template_name).ok() && FileExists(ImageOf(template_name));
  sqlite3* db;
  Status status = image_only ? LoadImage(template_name, &db)
                             : Open(template_name, kSqliteOpenFlags, &db);
  if (!status.ok()) return status;
  bool added = false;
  status = PrepareSqliteReset(db, &added);
  if (status.ok() && added && memory_ && FileExists(ImageOf(template_name))) {
    // Cloned before: the image must hold the tracking too.
    status = SaveImage(db, template_name);
  }
  sqlite3_close_v2(db);
  return status.ok()
             ? status
             : Error(status.code(), "cannot prepare " + template_name +
                                        " for reset: " + status.message());
}

Status SqliteBackend::Drop(const std::string& name) {
  Status status = CheckName(name);
  if (!status.ok()) return status;
  resets_.Close(name);
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
  std::string suffix = memory_ ? kSqliteImageExtension : extension_;
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
  Status status = Open(name, kSqliteOpenFlags, &db);
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
