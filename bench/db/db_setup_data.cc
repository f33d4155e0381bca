// The template of the database setup benchmark (db_setup.cc): how many rows
// make a template of a given size, its schema and deterministic rows, and
// what it measures on each backend.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db_setup.h"
#include "gtest_parallel/backend.h"
#include "gtest_parallel/status.h"

namespace db_setup {

using gtest_parallel::Backend;
using gtest_parallel::Connection;
using gtest_parallel::ErrorCode;
using gtest_parallel::Status;

namespace {

constexpr double kMb = 1024 * 1024;
// Rows per INSERT statement, and INSERT statements per transaction.
constexpr int kRowsPerInsert = 500;
constexpr int kInsertsPerTransaction = 20;
constexpr int kProducts = 1000;

// How a backend stores the rows, measured: the size of a template without
// orders, and the bytes one more order adds (with its share of the
// customers and of the indexes).
struct Footprint {
  double empty_bytes;
  double bytes_per_order;
};

Footprint FootprintOf(Kind kind) {
  switch (kind) {
    case Kind::kSqliteFile:
    case Kind::kSqliteMemory:
      return {0.2e6, 195};
    case Kind::kPostgresql:
      return {8.1e6, 256};  // A new database's catalog is about 7.5 MB.
    case Kind::kMariadb:
      return {0.7e6, 272};
  }
  return {0, 200};
}

// Deterministic pseudo-random numbers and text (xorshift64), so that every
// backend stores the same data and nothing compresses well.
class TextSource {
 public:
  explicit TextSource(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Next() % (high - low + 1));
  }
  // Lowercase words separated by single spaces, `length` characters.
  std::string Words(size_t length) {
    std::string text;
    text.reserve(length);
    while (text.size() < length) {
      if (!text.empty()) text += ' ';
      size_t word = 2 + Next() % 9;
      for (size_t i = 0; i < word && text.size() < length; ++i) {
        text += static_cast<char>('a' + Next() % 26);
      }
    }
    return text;
  }

 private:
  uint64_t state_;
};

// Runs statements; rows of `count` values from `row(i)` are inserted with
// multi-row INSERTs, kInsertsPerTransaction of them per transaction.
Status InsertRows(Connection& connection, const std::string& head,
                  int64_t count,
                  const std::function<std::string(int64_t)>& row) {
  std::string sql;
  int inserts = 0;
  Status status = connection.Execute("BEGIN");
  for (int64_t i = 1; status.ok() && i <= count; ++i) {
    sql += sql.empty() ? head + " VALUES " : ",";
    sql += row(i);
    if (i % kRowsPerInsert == 0 || i == count) {
      status = connection.Execute(sql);
      sql.clear();
      if (status.ok() && ++inserts % kInsertsPerTransaction == 0) {
        status = connection.Execute("COMMIT");
        if (status.ok()) status = connection.Execute("BEGIN");
      }
    }
  }
  if (status.ok()) status = connection.Execute("COMMIT");
  return status;
}

// Creates the tables and indexes.
Status CreateSchema(Kind kind, Connection& connection) {
  const std::string engine = kind == Kind::kMariadb ? " ENGINE=InnoDB" : "";
  std::vector<std::string> schema = {
      "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(64) NOT "
      "NULL, email VARCHAR(128) NOT NULL, created_at BIGINT NOT NULL)" +
          engine,
      "CREATE TABLE products (id INTEGER PRIMARY KEY, title VARCHAR(128) NOT "
      "NULL, price INTEGER NOT NULL)" +
          engine,
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT "
      "NULL, product_id INTEGER NOT NULL, quantity INTEGER NOT NULL, amount "
      "BIGINT NOT NULL, note VARCHAR(255) NOT NULL, FOREIGN KEY (customer_id) "
      "REFERENCES customers (id), FOREIGN KEY (product_id) REFERENCES "
      "products (id))" +
          engine,
      "CREATE INDEX customers_email ON customers (email)",
  };
  // MariaDB indexes every foreign key by itself.
  if (kind != Kind::kMariadb) {
    schema.push_back("CREATE INDEX orders_customer ON orders (customer_id)");
  }
  for (const std::string& sql : schema) {
    Status status = connection.Execute(sql);
    if (!status.ok()) return status;
  }
  return Status();
}

// Inserts the products, customers and orders of shape, from one
// TextSource so that every backend gets the same rows.
Status InsertData(const Shape& shape, Connection& connection) {
  TextSource text(88172645463325252ull);
  Status status = InsertRows(
      connection, "INSERT INTO products (id, title, price)", shape.products,
      [&](int64_t i) {
        return "(" + std::to_string(i) + ",'" + text.Words(40) + "'," +
               std::to_string(text.Between(100, 100000)) + ")";
      });
  if (status.ok()) {
    status = InsertRows(
        connection, "INSERT INTO customers (id, name, email, created_at)",
        shape.customers, [&](int64_t i) {
          return "(" + std::to_string(i) + ",'" + text.Words(24) + "','c" +
                 std::to_string(i) + "@" + text.Words(12) + ".example'," +
                 std::to_string(1600000000 + text.Between(0, 100000000)) + ")";
        });
  }
  if (status.ok()) {
    status = InsertRows(
        connection,
        "INSERT INTO orders (id, customer_id, product_id, quantity, amount, "
        "note)",
        shape.orders, [&](int64_t i) {
          int64_t quantity = text.Between(1, 20);
          return "(" + std::to_string(i) + "," +
                 std::to_string(text.Between(1, shape.customers)) + "," +
                 std::to_string(text.Between(1, shape.products)) + "," +
                 std::to_string(quantity) + "," +
                 std::to_string(quantity * text.Between(100, 100000)) + ",'" +
                 text.Words(text.Between(100, 200)) + "')";
        });
  }
  return status;
}

// Runs sql into *rows; fails when it returns no row or an empty one.
Status FirstRow(Connection& connection, const std::string& sql,
                std::vector<gtest_parallel::Row>* rows) {
  rows->clear();
  Status status = connection.Query(sql, rows);
  if (status.ok() && (rows->empty() || (*rows)[0].empty())) {
    status = Fail("no result from " + sql);
  }
  return status;
}

// DescribeTemplate of a SQLite file: its version, and the file's size.
Status DescribeSqliteFile(Backend& backend, const std::string& name,
                          Connection& connection, int64_t* bytes,
                          std::string* server) {
  std::vector<gtest_parallel::Row> rows;
  Status status = FirstRow(connection, "SELECT sqlite_version()", &rows);
  if (!status.ok()) return status;
  *server = "SQLite " + rows[0][0];
  struct stat info;
  if (stat(backend.ConnectionString(name).c_str(), &info) != 0) {
    return Fail("cannot stat the template file: " +
                std::string(std::strerror(errno)));
  }
  *bytes = info.st_size;
  return Status();
}

// DescribeTemplate of the other kinds: one row of the server's version,
// the size in bytes and the settings, described in *server.
Status QueryDescription(Kind kind, Connection& connection,
                        std::vector<gtest_parallel::Row>* rows,
                        std::string* server) {
  Status status;
  switch (kind) {
    case Kind::kSqliteFile:
    case Kind::kSqliteMemory:
      status = FirstRow(connection,
                        "SELECT sqlite_version(), page_count * page_size FROM "
                        "pragma_page_count(), pragma_page_size()",
                        rows);
      if (status.ok()) *server = "SQLite " + (*rows)[0][0];
      return status;
    case Kind::kPostgresql:
      status = FirstRow(
          connection,
          "SELECT current_setting('server_version'), "
          "pg_database_size(current_database()), current_setting('fsync'), "
          "current_setting('shared_buffers')",
          rows);
      if (!status.ok()) return status;
      *server = "PostgreSQL " + (*rows)[0][0] + " (fsync=" + (*rows)[0][2] +
                ", shared_buffers=" + (*rows)[0][3] + ")";
      return status;
    case Kind::kMariadb:
      status =
          connection.Query("ANALYZE TABLE customers, products, orders", rows);
      if (!status.ok()) return status;
      status = FirstRow(
          connection,
          "SELECT VERSION(), (SELECT SUM(data_length + index_length) FROM "
          "information_schema.tables WHERE table_schema = DATABASE()), "
          "@@innodb_flush_log_at_trx_commit, "
          "@@innodb_buffer_pool_size DIV 1048576",
          rows);
      if (!status.ok()) return status;
      *server = "MariaDB " + (*rows)[0][0] +
                " (innodb_flush_log_at_trx_commit=" + (*rows)[0][2] +
                ", innodb_buffer_pool_size=" + (*rows)[0][3] + "M)";
      return status;
  }
  return status;
}

}  // namespace

// The rows that make a template of about size_mb on this backend (at
// least 1000 orders: a PostgreSQL database is larger than 2 MB empty).
Shape ShapeFor(Kind kind, double size_mb) {
  Footprint footprint = FootprintOf(kind);
  Shape shape;
  shape.orders =
      std::max<int64_t>(1000, (size_mb * kMb - footprint.empty_bytes) /
                                  footprint.bytes_per_order);
  shape.customers = std::max<int64_t>(100, shape.orders / 20);
  shape.products = kProducts;
  return shape;
}

// Creates the schema and fills it; the view (and MariaDB's trigger) come
// after the rows, so that the trigger does not slow the fill down.
Status FillData(Kind kind, const Shape& shape, Connection& connection) {
  Status status = CreateSchema(kind, connection);
  if (!status.ok()) return status;
  status = InsertData(shape, connection);
  if (status.ok()) {
    status = connection.Execute(
        "CREATE VIEW customer_totals AS SELECT customer_id, COUNT(*) AS "
        "order_count, SUM(amount) AS total FROM orders GROUP BY customer_id");
  }
  if (status.ok() && kind == Kind::kMariadb) {
    status = connection.Execute(
        "CREATE TRIGGER orders_amount BEFORE INSERT ON orders FOR EACH ROW "
        "SET NEW.amount = NEW.quantity * (SELECT price FROM products WHERE "
        "id = NEW.product_id)");
  }
  return status;
}

// The template's real size in bytes: the file (SQLite), the serialized
// image (in-memory SQLite), pg_database_size (PostgreSQL), data and index
// length of its tables after ANALYZE TABLE (MariaDB); and the server's
// version and the settings that matter for the figures.
Status DescribeTemplate(Kind kind, Backend& backend, const std::string& name,
                        int64_t* bytes, std::string* server) {
  std::unique_ptr<Connection> connection;
  Status status = backend.Connect(name, &connection);
  if (!status.ok()) return status;
  if (kind == Kind::kSqliteFile) {
    return DescribeSqliteFile(backend, name, *connection, bytes, server);
  }
  std::vector<gtest_parallel::Row> rows;
  status = QueryDescription(kind, *connection, &rows, server);
  if (!status.ok()) return status;
  *bytes = std::stoll(rows[0][1]);
  return Status();
}

}  // namespace db_setup
