// Internals of the PostgreSQL backend: a Connection over PGconn, connecting
// with bounded time and classified errors, and database fingerprints.
#ifndef GTEST_PARALLEL_BACKENDS_POSTGRESQL_PG_CONNECTION_H_
#define GTEST_PARALLEL_BACKENDS_POSTGRESQL_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"

namespace gtest_parallel::internal {

// A Connection owning a libpq connection.
class PgConnection : public Connection {
 public:
  // Takes ownership of conn.
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }

  Status Execute(const std::string& sql) override;
  Status Query(const std::string& sql, std::vector<Row>* rows) override;
  void* native_handle() override { return conn_; }

  // Query with text parameters $1, $2, ...
  Status QueryParams(const std::string& sql,
                     const std::vector<std::string>& params,
                     std::vector<Row>* rows);
  // Execute, also setting *error_line (1-based, within sql) when the error
  // has a position.
  Status ExecuteStatement(const std::string& sql, int* error_line);
  // Prepares sql, without parameters, as statement name.
  Status Prepare(const std::string& name, const std::string& sql);
  // Runs the statement Prepare made and appends its rows to *rows.
  Status QueryPrepared(const std::string& name, std::vector<Row>* rows);
  // sql quoted as a string literal for this connection.
  std::string Literal(const std::string& text);
  // True while the connection is usable.
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  // The server version as a number, e.g. 150020.
  int server_version() const { return PQserverVersion(conn_); }

 private:
  Status Run(const std::string& sql, const std::vector<std::string>* params,
             std::vector<Row>* rows, int* error_line);
  // Turns result (then cleared) into a status, appending rows to *rows.
  Status Finish(PGresult* result, const std::string& sql,
                std::vector<Row>* rows, int* error_line);

  PGconn* conn_;
};

// Connects with libpq keywords; where describes the server for messages.
// Errors: kUnreachable (also after connect_timeout), kAuthentication,
// kNotFound (no such database), kPermissionDenied (connections disallowed).
Status ConnectPostgresql(const std::map<std::string, std::string>& keywords,
                         const std::string& where,
                         std::unique_ptr<PgConnection>* connection);

// name quoted as an identifier: "name" with inner quotes doubled.
std::string QuoteIdentifier(const std::string& name);

// A digest of the database's user relations, their row counts, functions
// and triggers, and a readable summary of them.
Status PgFingerprint(PgConnection& connection, std::string* digest,
                     std::string* summary);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_POSTGRESQL_PG_CONNECTION_H_
