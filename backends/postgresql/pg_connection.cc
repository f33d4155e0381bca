// libpq connections: running statements, classifying errors, fingerprints.
#include "pg_connection.h"

#include <cstdio>

#include "gtest_parallel/internal/sql_script.h"

namespace gtest_parallel::internal {
namespace {

// Turns libpq's multi-line messages into one line.
std::string Flatten(const char* text) {
  std::string out;
  for (const char* c = text; c != nullptr && *c != '\0'; ++c) {
    if (*c == '\n' || *c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += *c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool Contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

ErrorCode CodeOfSqlState(const std::string& state) {
  if (state == "42501") return ErrorCode::kPermissionDenied;
  // Object in use; a lock not granted within lock_timeout.
  if (state == "55006" || state == "55P03") return ErrorCode::kTemplateInUse;
  if (state == "3D000") return ErrorCode::kNotFound;
  if (state == "42P04") return ErrorCode::kAlreadyExists;
  if (state.rfind("28", 0) == 0) return ErrorCode::kAuthentication;
  if (state.rfind("08", 0) == 0 || state == "57P01") {
    return ErrorCode::kUnreachable;
  }
  return ErrorCode::kSqlError;
}

// The byte offset of the 1-based character position in UTF-8 text.
size_t ByteOffsetOfCharacter(const std::string& text, int position) {
  size_t offset = 0;
  for (int seen = 1; offset < text.size(); ++offset) {
    if ((static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) continue;
    if (seen++ == position) break;
  }
  return offset;
}

}  // namespace

Status PgConnection::Run(const std::string& sql,
                         const std::vector<std::string>* params,
                         std::vector<Row>* rows, int* error_line) {
  PGresult* result;
  if (params == nullptr) {
    result = PQexec(conn_, sql.c_str());
  } else {
    std::vector<const char*> values;
    for (const std::string& param : *params) values.push_back(param.c_str());
    result = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                          nullptr, values.data(), nullptr, nullptr, 0);
  }
  return Finish(result, sql, rows, error_line);
}

Status PgConnection::Prepare(const std::string& name, const std::string& sql) {
  return Finish(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), sql,
                nullptr, nullptr);
}

Status PgConnection::QueryPrepared(const std::string& name,
                                   std::vector<Row>* rows) {
  return Finish(
      PQexecPrepared(conn_, name.c_str(), 0, nullptr, nullptr, nullptr, 0),
      name, rows, nullptr);
}

Status PgConnection::Finish(PGresult* result, const std::string& sql,
                            std::vector<Row>* rows, int* error_line) {
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COPY_IN) {
    PQputCopyEnd(conn_, "COPY FROM STDIN is not supported here");
    PQclear(result);
    while ((result = PQgetResult(conn_)) != nullptr) PQclear(result);
    return Status(ErrorCode::kSqlError,
                  "COPY ... FROM STDIN is not supported in SQL files");
  }
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
      status == PGRES_EMPTY_QUERY) {
    for (int row = 0; rows != nullptr && row < PQntuples(result); ++row) {
      Row values;
      for (int column = 0; column < PQnfields(result); ++column) {
        values.emplace_back(PQgetvalue(result, row, column));
      }
      rows->push_back(std::move(values));
    }
    PQclear(result);
    return Status();
  }
  std::string message;
  ErrorCode code = ErrorCode::kSqlError;
  const char* primary =
      result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary != nullptr) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
    const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT);
    const char* position =
        PQresultErrorField(result, PG_DIAG_STATEMENT_POSITION);
    code = CodeOfSqlState(state != nullptr ? state : "");
    message = primary;
    if (detail != nullptr) message += "; DETAIL: " + Flatten(detail);
    if (hint != nullptr) message += "; HINT: " + Flatten(hint);
    if (position != nullptr && error_line != nullptr) {
      *error_line =
          LineAtOffset(sql, ByteOffsetOfCharacter(sql, std::atoi(position)));
    }
  } else {
    message = Flatten(PQerrorMessage(conn_));
    if (PQstatus(conn_) != CONNECTION_OK) code = ErrorCode::kUnreachable;
  }
  PQclear(result);
  return Status(code, message);
}

Status PgConnection::Execute(const std::string& sql) {
  return Run(sql, nullptr, nullptr, nullptr);
}

Status PgConnection::Query(const std::string& sql, std::vector<Row>* rows) {
  return Run(sql, nullptr, rows, nullptr);
}

Status PgConnection::QueryParams(const std::string& sql,
                                 const std::vector<std::string>& params,
                                 std::vector<Row>* rows) {
  return Run(sql, &params, rows, nullptr);
}

Status PgConnection::ExecuteStatement(const std::string& sql, int* error_line) {
  return Run(sql, nullptr, nullptr, error_line);
}

std::string PgConnection::Literal(const std::string& text) {
  char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
  std::string out = quoted != nullptr ? quoted : "''";
  PQfreemem(quoted);
  return out;
}

Status ConnectPostgresql(const std::map<std::string, std::string>& keywords,
                         const std::string& where,
                         std::unique_ptr<PgConnection>* connection) {
  std::vector<const char*> keys, values;
  for (const auto& [key, value] : keywords) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr) {
    return Status(ErrorCode::kInternal, "libpq is out of memory");
  }
  if (PQstatus(conn) == CONNECTION_OK) {
    *connection = std::make_unique<PgConnection>(conn);
    return Status();
  }
  std::string message = Flatten(PQerrorMessage(conn));
  PQfinish(conn);
  ErrorCode code = ErrorCode::kUnreachable;
  if (Contains(message, "authentication failed") ||
      Contains(message, "no password supplied") ||
      Contains(message, "pg_hba.conf") ||
      (Contains(message, "role \"") && Contains(message, "does not exist"))) {
    code = ErrorCode::kAuthentication;
  } else if (Contains(message, "database \"") &&
             Contains(message, "does not exist")) {
    code = ErrorCode::kNotFound;
  } else if (Contains(message, "not currently accepting connections")) {
    code = ErrorCode::kPermissionDenied;
  } else if (Contains(message, "timeout expired")) {
    auto timeout = keywords.find("connect_timeout");
    message = "no answer within " +
              (timeout != keywords.end() ? timeout->second : "?") + " s (" +
              message + ")";
  }
  return Status(code, "cannot connect to PostgreSQL " + where + ": " + message);
}

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

Status PgFingerprint(PgConnection& connection, std::string* digest,
                     std::string* summary) {
  static constexpr char kUserSchemas[] =
      "n.nspname NOT IN ('pg_catalog', 'information_schema') AND "
      "n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
  std::vector<Row> relations, functions, triggers;
  Status status = connection.Query(
      std::string("SELECT c.relkind, n.nspname, c.relname FROM pg_class c "
                  "JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ") +
          kUserSchemas + " ORDER BY 2, 3",
      &relations);
  if (status.ok()) {
    status = connection.Query(
        std::string("SELECT n.nspname || '.' || p.proname || '(' || "
                    "pg_get_function_identity_arguments(p.oid) || ')' "
                    "FROM pg_proc p JOIN pg_namespace n "
                    "ON n.oid = p.pronamespace WHERE ") +
            kUserSchemas + " ORDER BY 1",
        &functions);
  }
  if (status.ok()) {
    status = connection.Query(
        "SELECT c.relname || '.' || t.tgname FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
        "ORDER BY 1",
        &triggers);
  }
  std::string text;
  long long total_rows = 0;
  for (const Row& relation : relations) {
    if (!status.ok()) return status;
    text += relation[0] + " " + relation[1] + "." + relation[2];
    if (relation[0] == "r") {
      std::string count;
      status = connection.QueryValue("SELECT count(*) FROM " +
                                         QuoteIdentifier(relation[1]) + "." +
                                         QuoteIdentifier(relation[2]),
                                     &count);
      text += " rows=" + count;
      total_rows += std::atoll(count.c_str());
    }
    text += "\n";
  }
  if (!status.ok()) return status;
  for (const Row& function : functions)
    text += "function " + function[0] + "\n";
  for (const Row& trigger : triggers) text += "trigger " + trigger[0] + "\n";
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(Fnv1a64(text)));
  *digest = hex;
  *summary = "relations=" + std::to_string(relations.size()) +
             " rows=" + std::to_string(total_rows) +
             " functions=" + std::to_string(functions.size()) +
             " triggers=" + std::to_string(triggers.size());
  return Status();
}

}  // namespace gtest_parallel::internal
