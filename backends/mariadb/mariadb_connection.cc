// libmariadb connections: running statements and classifying errors.
#include "mariadb_connection.h"

#include <cstdlib>
#include <cstring>

namespace gtest_parallel::internal {
namespace {

ErrorCode CodeOfError(unsigned int error) {
  switch (error) {
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    case 1251:  // ER_NOT_SUPPORTED_AUTH_MODE
    case 2059:  // CR_AUTH_PLUGIN_CANNOT_LOAD
      return ErrorCode::kAuthentication;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
    case 1143:  // ER_COLUMNACCESS_DENIED_ERROR
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
    case 1370:  // ER_PROCACCESS_DENIED_ERROR
      return ErrorCode::kPermissionDenied;
    case 1049:  // ER_BAD_DB_ERROR
      return ErrorCode::kNotFound;
    case 1007:  // ER_DB_CREATE_EXISTS
      return ErrorCode::kAlreadyExists;
    case 1205:  // ER_LOCK_WAIT_TIMEOUT: another session holds a lock.
      return ErrorCode::kTemplateInUse;
    default:
      return error >= 2000 && error < 3000 ? ErrorCode::kUnreachable
                                           : ErrorCode::kSqlError;
  }
}

}  // namespace

Status MariadbConnection::LastError() {
  return Status(CodeOfError(mysql_errno(mysql_)),
                std::string(mysql_error(mysql_)) + " (error " +
                    std::to_string(mysql_errno(mysql_)) + ")");
}

Status MariadbConnection::Run(const std::string& sql, std::vector<Row>* rows,
                              int* error_line) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    if (error_line != nullptr && mysql_errno(mysql_) == 1064) {
      // ER_PARSE_ERROR messages end in "at line N".
      const char* at = std::strstr(mysql_error(mysql_), " at line ");
      if (at != nullptr) *error_line = std::atoi(at + 9);
    }
    return LastError();
  }
  bool first = true;
  while (true) {
    MYSQL_RES* result = mysql_store_result(mysql_);
    if (result != nullptr) {
      unsigned int columns = mysql_num_fields(result);
      while (MYSQL_ROW row = mysql_fetch_row(result)) {
        if (rows == nullptr || !first) continue;
        Row values;
        for (unsigned int i = 0; i < columns; ++i) {
          values.emplace_back(row[i] != nullptr ? row[i] : "");
        }
        rows->push_back(std::move(values));
      }
      mysql_free_result(result);
      first = false;
    } else if (mysql_field_count(mysql_) != 0) {
      return LastError();
    }
    int next = mysql_next_result(mysql_);
    if (next > 0) return LastError();
    if (next < 0) return Status();
  }
}

Status MariadbConnection::Execute(const std::string& sql) {
  return Run(sql, nullptr, nullptr);
}

Status MariadbConnection::Query(const std::string& sql,
                                std::vector<Row>* rows) {
  return Run(sql, rows, nullptr);
}

Status MariadbConnection::ExecuteStatement(const std::string& sql,
                                           int* error_line) {
  return Run(sql, nullptr, error_line);
}

Status MariadbConnection::Use(const std::string& database) {
  if (mysql_select_db(mysql_, database.c_str()) != 0) return LastError();
  return Status();
}

std::string MariadbConnection::Literal(const std::string& text) {
  std::string buffer(text.size() * 2 + 1, '\0');
  unsigned long size =
      mysql_real_escape_string(mysql_, &buffer[0], text.data(), text.size());
  return "'" + buffer.substr(0, size) + "'";
}

Status ConnectMariadb(const MariadbTarget& target, int timeout_seconds,
                      const std::string& where,
                      std::unique_ptr<MariadbConnection>* connection) {
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) {
    return Status(ErrorCode::kInternal, "libmariadb is out of memory");
  }
  unsigned int timeout = timeout_seconds > 0 ? timeout_seconds : 1;
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!target.socket.empty()) {
    unsigned int protocol = MYSQL_PROTOCOL_SOCKET;
    mysql_options(mysql, MYSQL_OPT_PROTOCOL, &protocol);
  }
  auto or_null = [](const std::string& text) {
    return text.empty() ? nullptr : text.c_str();
  };
  if (mysql_real_connect(
          mysql, target.host.empty() ? "localhost" : target.host.c_str(),
          or_null(target.user), target.password.c_str(),
          or_null(target.database), target.port, or_null(target.socket),
          CLIENT_MULTI_RESULTS) == nullptr) {
    unsigned int error = mysql_errno(mysql);
    std::string message = mysql_error(mysql);
    mysql_close(mysql);
    ErrorCode code = CodeOfError(error);
    if (code == ErrorCode::kUnreachable && error == 2013) {
      message = "no answer within " + std::to_string(timeout) + " s (" +
                message + ")";
    }
    return Status(code, "cannot connect to MariaDB " + where + ": " + message +
                            " (error " + std::to_string(error) + ")");
  }
  *connection = std::make_unique<MariadbConnection>(mysql);
  return Status();
}

std::string QuoteName(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

}  // namespace gtest_parallel::internal
