// The database setup benchmark of bench/run. On one backend it creates a
// template of about --size-mb megabytes (customers, products and orders
// tables with foreign keys and indexes, a view; on MariaDB also a trigger)
// and fills it once, then, --repeats times: clones it for one worker and
// for N = --workers workers (CloneAll), verifies every clone and drops the
// clones, timing each step. For in-memory SQLite it also times workers
// attaching (deserializing) their clones, each in a spawned child process
// (this program again, with --attach-child); for MariaDB it also times
// mariadb-dump | mariadb of the same template into a new database. The
// timings go to stdout as one JSON object; progress and errors to stderr.
//
//   BENCH_DB_URL=<url> [BENCH_DB_SERVER_PIDS=<pid>,...]
//       db_setup --size-mb=20 --workers=2,4,8 --repeats=3
//
// The URL (sqlite:///dir/setup.db, sqlite::memory:, postgresql://...,
// mariadb://...) comes from the environment since it may hold a password.
// With the server's main process ids the clones' server CPU time is
// reported too.
//
// Everything the program creates is named with its run token and dropped
// before it exits, on error too; what a killed run left behind is dropped
// by the next one (SweepStale).
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/database_url.h"
#include "gtest_parallel/run_token.h"
#include "gtest_parallel/status.h"

namespace {

using gtest_parallel::Backend;
using gtest_parallel::Connection;
using gtest_parallel::ErrorCode;
using gtest_parallel::Status;

// The variable holding the server's URL.
constexpr char kUrlVariable[] = "BENCH_DB_URL";
// The variable naming the server's main processes (comma-separated pids),
// whose CPU time is then reported with the clone times.
constexpr char kServerPidsVariable[] = "BENCH_DB_SERVER_PIDS";
// Base names of what the benchmark creates.
constexpr char kSetupBase[] = "bench_setup";
constexpr char kDumpBase[] = "bench_dump";
constexpr double kMb = 1024 * 1024;
// Rows per INSERT statement, and INSERT statements per transaction.
constexpr int kRowsPerInsert = 500;
constexpr int kInsertsPerTransaction = 20;
constexpr int kProducts = 1000;

enum class Kind { kSqliteFile, kSqliteMemory, kPostgresql, kMariadb };

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kSqliteFile:
      return "sqlite_file";
    case Kind::kSqliteMemory:
      return "sqlite_memory";
    case Kind::kPostgresql:
      return "postgresql";
    case Kind::kMariadb:
      return "mariadb";
  }
  return "?";
}

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

Status Fail(const std::string& message) {
  return Status(ErrorCode::kInternal, message);
}

// Adds what a step was doing to a failed status.
Status Context(const Status& status, const std::string& step) {
  if (status.ok()) return status;
  return Status(status.code(), step + ": " + status.message());
}

// The row counts of a template.
struct Shape {
  int64_t orders = 0;
  int64_t customers = 0;
  int64_t products = 0;
};

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

// Drops, when it goes out of scope, every database still registered (the
// newest first), so that the benchmark leaves nothing behind, on error too.
class Cleanup {
 public:
  explicit Cleanup(Backend* backend) : backend_(backend) {}
  ~Cleanup() {
    while (!names_.empty()) {
      Status status = Drop(names_.back());
      if (!status.ok()) {
        std::fprintf(stderr, "db_setup: %s\n", status.ToString().c_str());
      }
    }
  }
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;

  void Add(const std::string& name) { names_.push_back(name); }
  // Takes name by value: it may be an element of names_.
  Status Drop(std::string name) {
    names_.erase(std::remove(names_.begin(), names_.end(), name), names_.end());
    return backend_->Drop(name);
  }

 private:
  Backend* backend_;
  std::vector<std::string> names_;
};

// The CPU time a database server has used so far, from /proc: its main
// processes (with the children they have reaped, e.g. PostgreSQL's ended
// sessions) and their running children. 10 ms resolution.
class ServerCpu {
 public:
  // Reads the pids from BENCH_DB_SERVER_PIDS; none: known() is false.
  ServerCpu() {
    const char* text = std::getenv(kServerPidsVariable);
    std::stringstream in(text != nullptr ? text : "");
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!item.empty()) pids_.insert(std::atoi(item.c_str()));
    }
  }

  bool known() const { return !pids_.empty(); }

  double Seconds() const {
    if (pids_.empty()) return 0;
    int64_t ticks = 0;
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return 0;
    while (dirent* entry = readdir(proc)) {
      if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
      std::ifstream in(std::string("/proc/") + entry->d_name + "/stat");
      std::string text((std::istreambuf_iterator<char>(in)),
                       std::istreambuf_iterator<char>());
      size_t end = text.rfind(')');
      if (end == std::string::npos) continue;
      // After "pid (comm) ": state, ppid, ..., utime, stime, cutime,
      // cstime are the 1st, 2nd and 12th to 15th fields.
      std::stringstream fields(text.substr(end + 2));
      std::vector<int64_t> values;
      std::string field;
      for (int i = 0; i < 15 && fields >> field; ++i) {
        values.push_back(i == 0 ? 0 : std::atoll(field.c_str()));
      }
      if (values.size() < 15) continue;
      if (pids_.count(std::atoi(entry->d_name)) != 0) {
        ticks += values[11] + values[12] + values[13] + values[14];
      } else if (pids_.count(static_cast<int>(values[1])) != 0) {
        ticks += values[11] + values[12];
      }
    }
    closedir(proc);
    return static_cast<double>(ticks) / sysconf(_SC_CLK_TCK);
  }

 private:
  std::set<int> pids_;
};

// --- Child processes --------------------------------------------------------

// Starts argv (searched on PATH) with stdin and stdout redirected to the
// given descriptors (-1: inherited) and `variables` added to its
// environment; closes the given descriptors in this process.
Status Spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
             const std::vector<std::pair<std::string, std::string>>& variables,
             pid_t* pid) {
  *pid = fork();
  if (*pid < 0) return Fail("fork: " + std::string(std::strerror(errno)));
  if (*pid == 0) {
    if (stdin_fd >= 0) dup2(stdin_fd, 0);
    if (stdout_fd >= 0) dup2(stdout_fd, 1);
    for (int fd : {stdin_fd, stdout_fd}) {
      if (fd > 2) close(fd);
    }
    for (const auto& [name, value] : variables) {
      setenv(name.c_str(), value.c_str(), 1);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "db_setup: cannot run %s: %s\n", args[0],
                 std::strerror(errno));
    _exit(127);
  }
  for (int fd : {stdin_fd, stdout_fd}) {
    if (fd > 2) close(fd);
  }
  return Status();
}

Status Wait(pid_t pid, const std::string& what) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return Fail("waitpid: " + std::string(std::strerror(errno)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status();
  return Fail(
      what +
      (WIFEXITED(status)
           ? " exited with status " + std::to_string(WEXITSTATUS(status))
           : " was killed by signal " + std::to_string(WTERMSIG(status))));
}

// Reads a descriptor to its end and closes it.
std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t size;
  while ((size = read(fd, buffer, sizeof(buffer))) != 0) {
    if (size < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buffer, size);
  }
  close(fd);
  return text;
}

std::string SelfPath() {
  char path[4096];
  ssize_t size = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return size > 0 ? std::string(path, size) : "db_setup";
}

// A worker stand-in attaching an in-memory SQLite clone.
struct AttachChild {
  pid_t pid = -1;
  int output = -1;
};

Status StartAttachChild(const std::string& clone, AttachChild* child) {
  int fds[2];
  if (pipe(fds) != 0) return Fail("pipe: " + std::string(std::strerror(errno)));
  child->output = fds[0];
  return Spawn({SelfPath(), "--attach-child=" + clone}, -1, fds[1], {},
               &child->pid);
}

// Waits for a child; sets the time its Attach() took and checks that it
// saw all `orders` rows.
Status FinishAttachChild(const AttachChild& child, int64_t orders,
                         double* attach_ms) {
  std::string output = ReadAll(child.output);
  Status status = Wait(child.pid, "the attaching child");
  if (!status.ok()) return Fail(status.message() + ": " + output);
  long long seen = -1;
  if (std::sscanf(output.c_str(), "attach_ms=%lf orders=%lld", attach_ms,
                  &seen) != 2 ||
      seen != orders) {
    return Fail("the attaching child saw " + std::to_string(seen) +
                " orders, not " + std::to_string(orders) + ": " + output);
  }
  return Status();
}

// Attaches `clone` in child processes, one per clone, started together;
// *attach_ms gets each child's Attach() time.
Status AttachInChildren(const std::vector<std::string>& clones, int64_t orders,
                        std::vector<double>* attach_ms) {
  std::vector<AttachChild> children(clones.size());
  Status status;
  size_t started = 0;
  for (; started < clones.size() && status.ok(); ++started) {
    status = StartAttachChild(clones[started], &children[started]);
  }
  attach_ms->assign(clones.size(), 0);
  for (size_t i = 0; i < started; ++i) {
    if (children[i].pid < 0) continue;
    Status finished = FinishAttachChild(children[i], orders, &(*attach_ms)[i]);
    if (status.ok()) status = finished;
  }
  return status;
}

// The --attach-child mode: attaches the clone with a backend of its own,
// as a worker does before its first test, and counts its orders.
int RunAttachChild(const std::string& url, const std::string& clone) {
  std::unique_ptr<Backend> backend;
  Status status = gtest_parallel::CreateBackend(
      url, gtest_parallel::BackendOptions(), &backend);
  Clock::time_point start = Clock::now();
  if (status.ok()) status = backend->Attach(clone);
  double attach_ms = MsSince(start);
  std::string orders;
  if (status.ok()) {
    std::unique_ptr<Connection> connection;
    status = backend->Connect(clone, &connection);
    if (status.ok()) {
      status = connection->QueryValue("SELECT COUNT(*) FROM orders", &orders);
    }
  }
  if (!status.ok()) {
    std::printf("%s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("attach_ms=%.3f orders=%s\n", attach_ms, orders.c_str());
  return 0;
}

// --- mariadb-dump | mariadb ---------------------------------------------

// Copies database `source` into a new database `target` with the MariaDB
// client programs: CREATE DATABASE, then mariadb-dump | mariadb, the usual
// way to copy a database without a clone feature. The password reaches
// them in MYSQL_PWD, never on a command line.
Status DumpAndLoad(const Backend& backend, const std::string& source,
                   const std::string& target) {
  std::map<std::string, std::string> parameters =
      backend.ConnectionParameters(source);
  std::vector<std::string> server = {"--no-defaults"};
  if (parameters.count("user"))
    server.push_back("--user=" + parameters["user"]);
  if (parameters.count("unix_socket")) {
    server.push_back("--socket=" + parameters["unix_socket"]);
  } else {
    server.push_back("--host=" + parameters["host"]);
    if (parameters.count("port")) {
      server.push_back("--port=" + parameters["port"]);
    }
  }
  std::vector<std::pair<std::string, std::string>> variables;
  if (parameters.count("password")) {
    variables.emplace_back("MYSQL_PWD", parameters["password"]);
  }
  auto command = [&](const std::string& program,
                     const std::vector<std::string>& arguments) {
    std::vector<std::string> argv = {program};
    argv.insert(argv.end(), server.begin(), server.end());
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return argv;
  };
  pid_t create;
  Status status =
      Spawn(command("mariadb", {"-e", "CREATE DATABASE `" + target + "`"}), -1,
            -1, variables, &create);
  if (status.ok()) status = Wait(create, "mariadb (CREATE DATABASE)");
  if (!status.ok()) return status;
  int fds[2];
  if (pipe(fds) != 0) return Fail("pipe: " + std::string(std::strerror(errno)));
  pid_t dump, load;
  status = Spawn(command("mariadb-dump", {"--single-transaction", "--routines",
                                          "--triggers", source}),
                 -1, fds[1], variables, &dump);
  if (!status.ok()) {
    close(fds[0]);
    return status;
  }
  status = Spawn(command("mariadb", {target}), fds[0], -1, variables, &load);
  Status dumped = Wait(dump, "mariadb-dump");
  if (status.ok()) status = Wait(load, "mariadb (load)");
  return dumped.ok() ? status : dumped;
}

// --- The benchmark ------------------------------------------------------

struct Options {
  double size_mb = 20;
  std::vector<int> workers = {2, 4, 8};
  int repeats = 1;
};

// One JSON object, written field by field.
class JsonObject {
 public:
  void Add(const std::string& key, const std::string& json_value) {
    text_ += (text_.empty() ? "{" : ", ") + ("\"" + key + "\": ") + json_value;
  }
  void AddNumber(const std::string& key, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.3f", value);
    Add(key, buffer);
  }
  void AddString(const std::string& key, const std::string& value) {
    std::string quoted = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
    Add(key, quoted + "\"");
  }
  std::string ToString() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

std::string JsonList(const std::vector<double>& values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%s%.3f", i ? ", " : "", values[i]);
    text += buffer;
  }
  return text + "]";
}

void Progress(const std::string& message) {
  std::fprintf(stderr, "db_setup: %s\n", message.c_str());
}

// Times one clone for worker 1, its verification and its drop; for
// in-memory SQLite also a child attaching it.
Status TimeOneClone(Kind kind, Backend& backend, Cleanup& cleanup,
                    const ServerCpu& server, const std::string& template_name,
                    int64_t orders, JsonObject* out) {
  std::string clone;
  double server_s = server.Seconds();
  Clock::time_point start = Clock::now();
  Status status = backend.Clone(template_name, 1, &clone);
  double clone_ms = MsSince(start);
  if (server.known()) {
    out->AddNumber("server_cpu_ms", (server.Seconds() - server_s) * 1e3);
  }
  if (!status.ok()) return Context(status, "Clone");
  cleanup.Add(clone);
  start = Clock::now();
  status = backend.Verify(clone);
  double verify_ms = MsSince(start);
  if (!status.ok()) return Context(status, "Verify");
  if (kind == Kind::kSqliteMemory) {
    std::vector<double> attach_ms;
    status = AttachInChildren({clone}, orders, &attach_ms);
    if (!status.ok()) return Context(status, "Attach");
    out->AddNumber("attach_ms", attach_ms[0]);
  }
  start = Clock::now();
  status = cleanup.Drop(clone);
  double drop_ms = MsSince(start);
  if (!status.ok()) return Context(status, "Drop");
  out->AddNumber("clone_ms", clone_ms);
  out->AddNumber("verify_ms", verify_ms);
  out->AddNumber("drop_ms", drop_ms);
  return Status();
}

// Times CloneAll for `workers`, the verification of every clone (one
// after the other, as a coordinator does) and dropping them; for in-memory
// SQLite also the workers attaching their clones, all at once.
Status TimeCloneAll(Kind kind, Backend& backend, Cleanup& cleanup,
                    const ServerCpu& server, const std::string& template_name,
                    int workers, int64_t orders, JsonObject* out) {
  std::vector<std::string> clones;
  double server_s = server.Seconds();
  Clock::time_point start = Clock::now();
  Status status = backend.CloneAll(template_name, workers, &clones);
  double clone_ms = MsSince(start);
  if (server.known()) {
    out->AddNumber("server_cpu_ms", (server.Seconds() - server_s) * 1e3);
  }
  for (const std::string& clone : clones) cleanup.Add(clone);
  if (!status.ok()) return Context(status, "CloneAll");
  if (static_cast<int>(clones.size()) != workers) {
    return Fail("CloneAll made " + std::to_string(clones.size()) +
                " clones, not " + std::to_string(workers));
  }
  start = Clock::now();
  for (const std::string& clone : clones) {
    status = backend.Verify(clone);
    if (!status.ok()) return Context(status, "Verify");
  }
  double verify_ms = MsSince(start);
  if (kind == Kind::kSqliteMemory) {
    std::vector<double> attach_ms;
    start = Clock::now();
    status = AttachInChildren(clones, orders, &attach_ms);
    double wall_ms = MsSince(start);
    if (!status.ok()) return Context(status, "Attach");
    out->Add("attach_ms", JsonList(attach_ms));
    out->AddNumber("attach_wall_ms", wall_ms);
  }
  start = Clock::now();
  for (const std::string& clone : clones) {
    status = cleanup.Drop(clone);
    if (!status.ok()) return Context(status, "Drop");
  }
  double drop_ms = MsSince(start);
  out->AddNumber("clone_ms", clone_ms);
  out->AddNumber("verify_ms", verify_ms);
  out->AddNumber("drop_ms", drop_ms);
  return Status();
}

// Times mariadb-dump | mariadb of the template into a new database, checks
// that it holds every order, and drops it.
Status TimeDumpAndLoad(Backend& backend, Cleanup& cleanup,
                       const std::string& template_name,
                       const std::string& token, int64_t orders,
                       double* dump_load_ms) {
  std::string target = gtest_parallel::TemplateName(kDumpBase, token);
  cleanup.Add(target);
  Clock::time_point start = Clock::now();
  Status status = DumpAndLoad(backend, template_name, target);
  *dump_load_ms = MsSince(start);
  if (!status.ok()) return Context(status, "mariadb-dump | mariadb");
  std::string count;
  {
    std::unique_ptr<Connection> connection;
    status = backend.Connect(target, &connection);
    if (status.ok()) {
      status = connection->QueryValue("SELECT COUNT(*) FROM orders", &count);
    }
  }
  if (status.ok() && count != std::to_string(orders)) {
    status = Fail("the loaded copy has " + count + " orders, not " +
                  std::to_string(orders));
  }
  if (status.ok()) status = cleanup.Drop(target);
  return Context(status, "mariadb-dump | mariadb");
}

// Parses url and creates its backend; drops the databases of earlier runs
// that were killed.
Status OpenBackend(const std::string& url, Kind* kind,
                   std::unique_ptr<Backend>* backend) {
  gtest_parallel::DatabaseUrl parsed;
  Status status = gtest_parallel::ParseDatabaseUrl(url, &parsed);
  if (!status.ok()) return status;
  *kind = parsed.scheme == "postgresql"   ? Kind::kPostgresql
          : parsed.scheme == "mariadb"    ? Kind::kMariadb
          : parsed.database == ":memory:" ? Kind::kSqliteMemory
                                          : Kind::kSqliteFile;
  if (parsed.scheme != "sqlite" && parsed.scheme != "postgresql" &&
      parsed.scheme != "mariadb") {
    return Status(ErrorCode::kInvalidArgument,
                  "no benchmark for '" + parsed.scheme + ":' URLs");
  }
  status = gtest_parallel::CreateBackend(
      parsed, gtest_parallel::BackendOptions(), backend);
  if (!status.ok()) return status;
  for (const char* base : {kSetupBase, kDumpBase}) {
    std::vector<std::string> dropped;
    status = (*backend)->SweepStale(base, &dropped);
    if (!status.ok()) return Context(status, "SweepStale");
    for (const std::string& name : dropped) {
      Progress("dropped " + name + ", left by a run that was killed");
    }
  }
  return Status();
}

// Creates the template, fills it with shape's rows and measures it; adds
// the timings, size and server description to *out.
Status CreateAndFillTemplate(Kind kind, Backend& backend, Cleanup& cleanup,
                             const std::string& token, const Shape& shape,
                             double size_mb, JsonObject* out,
                             std::string* template_name) {
  Clock::time_point start = Clock::now();
  Status status = backend.CreateTemplate(kSetupBase, token, template_name);
  out->AddNumber("create_ms", MsSince(start));
  if (!status.ok()) return Context(status, "CreateTemplate");
  cleanup.Add(*template_name);

  Progress(std::string(KindName(kind)) + ": filling a template of about " +
           std::to_string(static_cast<int>(size_mb)) + " MB (" +
           std::to_string(shape.orders) + " orders)");
  gtest_parallel::FillSpec fill;
  fill.callback = [&](Connection& connection) {
    return FillData(kind, shape, connection);
  };
  start = Clock::now();
  status = backend.FillTemplate(*template_name, fill);
  out->AddNumber("fill_ms", MsSince(start));
  if (!status.ok()) return Context(status, "FillTemplate");
  int64_t bytes = 0;
  std::string description;
  status =
      DescribeTemplate(kind, backend, *template_name, &bytes, &description);
  if (!status.ok()) return Context(status, "measuring the template's size");
  out->Add("template_bytes", std::to_string(bytes));
  out->AddString("server", description);
  return Status();
}

// One repeat: a single clone, CloneAll for each worker count and, on
// MariaDB, mariadb-dump | mariadb; their timings go to *run.
Status TimeRepeat(Kind kind, Backend& backend, Cleanup& cleanup,
                  const ServerCpu& server, const std::string& template_name,
                  const std::string& token, const Shape& shape,
                  const Options& options, JsonObject* run) {
  JsonObject single;
  Status status = TimeOneClone(kind, backend, cleanup, server, template_name,
                               shape.orders, &single);
  if (!status.ok()) return status;
  run->Add("single", single.ToString());
  JsonObject all;
  for (int workers : options.workers) {
    JsonObject timing;
    status = TimeCloneAll(kind, backend, cleanup, server, template_name,
                          workers, shape.orders, &timing);
    if (!status.ok()) return status;
    all.Add(std::to_string(workers), timing.ToString());
  }
  run->Add("workers", all.ToString());
  if (kind == Kind::kMariadb) {
    double dump_load_ms = 0;
    status = TimeDumpAndLoad(backend, cleanup, template_name, token,
                             shape.orders, &dump_load_ms);
    if (!status.ok()) return status;
    run->AddNumber("dump_load_ms", dump_load_ms);
  }
  return Status();
}

// The first clone, then options.repeats repeats, added to *out.
Status TimeClones(Kind kind, Backend& backend, Cleanup& cleanup,
                  const std::string& template_name, const std::string& token,
                  const Shape& shape, const Options& options, JsonObject* out) {
  // The first clone also does what is done once per template: PostgreSQL
  // marks it a template and stores its fingerprint, MariaDB reads its
  // definitions, in-memory SQLite serializes it.
  const ServerCpu server;
  JsonObject first;
  Status status = TimeOneClone(kind, backend, cleanup, server, template_name,
                               shape.orders, &first);
  if (!status.ok()) return status;
  out->Add("first", first.ToString());

  std::string repeats = "[";
  for (int repeat = 0; repeat < options.repeats; ++repeat) {
    Progress(std::string(KindName(kind)) + ": repeat " +
             std::to_string(repeat + 1) + "/" +
             std::to_string(options.repeats));
    JsonObject run;
    status = TimeRepeat(kind, backend, cleanup, server, template_name, token,
                        shape, options, &run);
    if (!status.ok()) return status;
    repeats += (repeat ? ", " : "") + run.ToString();
  }
  out->Add("repeats", repeats + "]");
  return Status();
}

Status RunBenchmark(const std::string& url, const Options& options,
                    std::string* json) {
  Kind kind = Kind::kSqliteFile;
  std::unique_ptr<Backend> backend;
  Status status = OpenBackend(url, &kind, &backend);
  if (!status.ok()) return status;

  Cleanup cleanup(backend.get());
  const std::string token =
      gtest_parallel::RunToken::ForThisProcess().ToString();
  const Shape shape = ShapeFor(kind, options.size_mb);
  JsonObject out;
  out.AddString("kind", KindName(kind));
  out.AddNumber("size_mb", options.size_mb);
  out.Add("rows", "{\"customers\": " + std::to_string(shape.customers) +
                      ", \"products\": " + std::to_string(shape.products) +
                      ", \"orders\": " + std::to_string(shape.orders) + "}");

  std::string template_name;
  status = CreateAndFillTemplate(kind, *backend, cleanup, token, shape,
                                 options.size_mb, &out, &template_name);
  if (!status.ok()) return status;
  status = TimeClones(kind, *backend, cleanup, template_name, token, shape,
                      options, &out);
  if (!status.ok()) return status;

  Clock::time_point start = Clock::now();
  status = cleanup.Drop(template_name);
  out.AddNumber("drop_template_ms", MsSince(start));
  if (!status.ok()) return Context(status, "Drop");
  *json = out.ToString();
  return Status();
}

bool ParseWorkers(const std::string& text, std::vector<int>* workers) {
  workers->clear();
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    long value = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || value < 1 || value > 64) return false;
    workers->push_back(static_cast<int>(value));
  }
  return !workers->empty();
}

int Usage() {
  std::fprintf(stderr,
               "usage: %s=<url> db_setup [--size-mb=MB] [--workers=2,4,8] "
               "[--repeats=N]\n",
               kUrlVariable);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const char* url = std::getenv(kUrlVariable);
  if (url == nullptr || *url == '\0') return Usage();
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* flag) -> const char* {
      size_t length = std::strlen(flag);
      return arg.compare(0, length, flag) == 0 ? argv[i] + length : nullptr;
    };
    if (const char* clone = value("--attach-child=")) {
      return RunAttachChild(url, clone);
    } else if (const char* size = value("--size-mb=")) {
      options.size_mb = std::atof(size);
      if (options.size_mb <= 0) return Usage();
    } else if (const char* workers = value("--workers=")) {
      if (!ParseWorkers(workers, &options.workers)) return Usage();
    } else if (const char* repeats = value("--repeats=")) {
      options.repeats = std::atoi(repeats);
      if (options.repeats < 1) return Usage();
    } else {
      return Usage();
    }
  }
  std::string json;
  Status status = RunBenchmark(url, options, &json);
  if (!status.ok()) {
    std::fprintf(stderr, "db_setup: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("%s\n", json.c_str());
  return 0;
}
