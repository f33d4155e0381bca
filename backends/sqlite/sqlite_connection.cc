// SQLite connections, SQL files, summaries and backups.
#include "sqlite_connection.h"

#include <algorithm>
#include <cctype>

#include "gtest_parallel/internal/sql_script.h"

namespace gtest_parallel::internal {
namespace {

// The offset of the first character of text that is neither white space
// nor inside a comment.
size_t SkipSpaceAndComments(const char* text) {
  size_t i = 0;
  while (text[i] != '\0') {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (text[i] == '-' && text[i + 1] == '-') {
      while (text[i] != '\0' && text[i] != '\n') ++i;
    } else if (text[i] == '/' && text[i + 1] == '*') {
      i += 2;
      while (text[i] != '\0' && !(text[i] == '*' && text[i + 1] == '/')) ++i;
      if (text[i] != '\0') i += 2;
    } else {
      break;
    }
  }
  return i;
}

ErrorCode CodeOf(int result) {
  switch (result & 0xff) {
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return ErrorCode::kPermissionDenied;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kTemplateInUse;
    case SQLITE_CANTOPEN:
      return ErrorCode::kNotFound;
    default:
      return ErrorCode::kSqlError;
  }
}

}  // namespace

SqliteConnection::~SqliteConnection() {
  if (owns_) sqlite3_close_v2(db_);
}

Status SqliteConnection::Execute(const std::string& sql) {
  char* message = nullptr;
  int result = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (result == SQLITE_OK) return Status();
  std::string text = message != nullptr ? message : sqlite3_errstr(result);
  sqlite3_free(message);
  return Status(CodeOf(result), text);
}

Status SqliteConnection::Query(const std::string& sql, std::vector<Row>* rows) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) !=
      SQLITE_OK) {
    return SqliteError(db_, "query");
  }
  int result;
  while ((result = sqlite3_step(statement)) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      const unsigned char* text = sqlite3_column_text(statement, i);
      row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text)
                                       : "");
    }
    rows->push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  if (result != SQLITE_DONE) return SqliteError(db_, "query");
  return Status();
}

Status OpenSqlite(const std::string& filename, int flags, int busy_timeout_ms,
                  sqlite3** db) {
  *db = nullptr;
  int result = sqlite3_open_v2(filename.c_str(), db, flags, nullptr);
  if (result != SQLITE_OK) {
    std::string message =
        *db != nullptr ? sqlite3_errmsg(*db) : sqlite3_errstr(result);
    sqlite3_close_v2(*db);
    *db = nullptr;
    return Status(CodeOf(result),
                  "cannot open SQLite database " + filename + ": " + message);
  }
  sqlite3_busy_timeout(*db, busy_timeout_ms);
  sqlite3_extended_result_codes(*db, 1);
  return Status();
}

Status SqliteError(sqlite3* db, const std::string& doing) {
  return Status(CodeOf(sqlite3_errcode(db)), doing + ": " + sqlite3_errmsg(db));
}

Status RunSqliteFile(sqlite3* db, const std::string& path) {
  std::string script;
  Status status = ReadTextFile(path, &script);
  if (!status.ok()) return status;
  const char* begin = script.c_str();
  const char* tail = begin;
  auto fail = [&](size_t offset) {
    return Status(CodeOf(sqlite3_errcode(db)),
                  path + ":" + std::to_string(LineAtOffset(script, offset)) +
                      ": " + sqlite3_errmsg(db));
  };
  while (*tail != '\0') {
    size_t start = (tail - begin) + SkipSpaceAndComments(tail);
    sqlite3_stmt* statement = nullptr;
    const char* next = nullptr;
    if (sqlite3_prepare_v2(db, tail, -1, &statement, &next) != SQLITE_OK) {
      size_t offset = start;
#if SQLITE_VERSION_NUMBER >= 3038000
      int error_offset = sqlite3_error_offset(db);
      if (error_offset >= 0) offset = (tail - begin) + error_offset;
#endif
      return fail(offset);
    }
    tail = next;
    if (statement == nullptr) continue;  // Only space or comments.
    int result;
    while ((result = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    sqlite3_finalize(statement);
    if (result != SQLITE_DONE) return fail(start);
  }
  return Status();
}

Status SummarizeSqlite(sqlite3* db, std::vector<std::string>* summary) {
  SqliteConnection connection(db, /*owns=*/false);
  std::vector<Row> objects;
  Status status = connection.Query(
      "SELECT type, name, tbl_name FROM sqlite_schema "
      "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
      &objects);
  for (const Row& object : objects) {
    if (!status.ok()) break;
    std::string line = object[0] + " " + object[1] + " on " + object[2];
    if (object[0] == "table") {
      std::string count;
      std::string quoted = object[1];
      for (size_t at = quoted.find('"'); at != std::string::npos;
           at = quoted.find('"', at + 2)) {
        quoted.insert(at, "\"");
      }
      status = connection.QueryValue("SELECT count(*) FROM \"" + quoted + "\"",
                                     &count);
      line += " rows=" + count;
    }
    summary->push_back(line);
  }
  std::sort(summary->begin(), summary->end());
  return status;
}

Status BackupSqlite(sqlite3* source, sqlite3* destination) {
  sqlite3_backup* backup =
      sqlite3_backup_init(destination, "main", source, "main");
  if (backup == nullptr) return SqliteError(destination, "backup");
  int result = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (result != SQLITE_DONE) {
    return Status(CodeOf(result),
                  std::string("backup: ") + sqlite3_errstr(result));
  }
  return Status();
}

}  // namespace gtest_parallel::internal
