// Internals of the MariaDB backend: a Connection over libmariadb's MYSQL
// handle, connecting with bounded time and classified errors.
#ifndef GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CONNECTION_H_
#define GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CONNECTION_H_

#include <mysql.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"

namespace gtest_parallel::internal {

// A Connection owning a MYSQL handle.
class MariadbConnection : public Connection {
 public:
  // Takes ownership of mysql.
  explicit MariadbConnection(MYSQL* mysql) : mysql_(mysql) {}
  ~MariadbConnection() override { mysql_close(mysql_); }

  Status Execute(const std::string& sql) override;
  Status Query(const std::string& sql, std::vector<Row>* rows) override;
  void* native_handle() override { return mysql_; }

  // Execute, also setting *error_line (1-based, within sql) for syntax
  // errors.
  Status ExecuteStatement(const std::string& sql, int* error_line);
  // Makes database the default one (USE).
  Status Use(const std::string& database);
  // text quoted as a string literal for this connection.
  std::string Literal(const std::string& text);

 private:
  Status Run(const std::string& sql, std::vector<Row>* rows, int* error_line);
  Status LastError();

  MYSQL* mysql_;
};

// Where and as whom to connect.
struct MariadbTarget {
  std::string host;    // Empty: localhost.
  unsigned port = 0;   // 0: the default.
  std::string socket;  // A unix socket file; empty for TCP.
  std::string user;
  std::string password;
  std::string database;  // Empty: none.
};

// Connects within timeout_seconds; where describes the server for
// messages. Errors: kUnreachable, kAuthentication, kNotFound,
// kPermissionDenied.
Status ConnectMariadb(const MariadbTarget& target, int timeout_seconds,
                      const std::string& where,
                      std::unique_ptr<MariadbConnection>* connection);

// name quoted as an identifier: `name` with inner backticks doubled.
std::string QuoteName(const std::string& name);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CONNECTION_H_
