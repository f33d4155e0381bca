// SqliteBackend's clones: file templates copied after a WAL checkpoint,
// in-memory templates serialized once to an image that each worker's
// Attach() deserializes; Verify compares a clone's summary with its
// template's, Restore copies the template over the clone.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "sqlite_backend_impl.h"
#include "sqlite_connection.h"
#include "sqlite_files.h"

namespace gtest_parallel::internal {

Status SqliteBackend::WriteImage(const std::string& template_name) {
  if (FileExists(ImageOf(template_name))) return Status();
  auto found = memory_databases_.find(template_name);
  if (found == memory_databases_.end()) {
    return Error(ErrorCode::kNotFound, "in-memory template " + template_name +
                                           " is not open in this process");
  }
  return SaveImage(found->second, template_name);
}

Status SqliteBackend::SaveImage(sqlite3* db, const std::string& template_name) {
  sqlite3_int64 size = 0;
  unsigned char* data = sqlite3_serialize(db, "main", &size, 0);
  if (data == nullptr && size != 0) {
    return Error(ErrorCode::kInternal, "cannot serialize " + template_name);
  }
  Status status = InDirectory(
      [&] { return WriteWholeFile(ImageOf(template_name), data, size); });
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
  status = Open(template_name, kSqliteOpenFlags, &db);
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
    status = Open(clone_name, memory_ ? kSqliteOpenFlags : SQLITE_OPEN_READONLY,
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
    status =
        OpenSqlite(MemoryUri(clone_name), kSqliteOpenFlags | SQLITE_OPEN_CREATE,
                   busy_ms(), &clone);
  }
  if (status.ok()) status = BackupSqlite(image, clone);
  sqlite3_close_v2(image);
  if (!status.ok() && clone == nullptr) memory_databases_.erase(clone_name);
  return status.ok() ? status : Error(status.code(), status.message());
}

Status SqliteBackend::Restore(const std::string& clone_name) {
  resets_.Close(clone_name);
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
  if (status.ok()) status = Open(clone_name, kSqliteOpenFlags, &destination);
  if (status.ok()) status = BackupSqlite(source, destination);
  sqlite3_close_v2(source);
  sqlite3_close_v2(destination);
  return status;
}

}  // namespace gtest_parallel::internal
