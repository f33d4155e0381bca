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
#include "db_setup.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/database_url.h"
#include "gtest_parallel/run_token.h"
#include "gtest_parallel/status.h"

namespace {

using db_setup::AttachInChildren;
using db_setup::Clock;
using db_setup::Context;
using db_setup::DescribeTemplate;
using db_setup::DumpAndLoad;
using db_setup::Fail;
using db_setup::FillData;
using db_setup::Kind;
using db_setup::KindName;
using db_setup::MsSince;
using db_setup::RunAttachChild;
using db_setup::ServerCpu;
using db_setup::Shape;
using db_setup::ShapeFor;
using gtest_parallel::Backend;
using gtest_parallel::Connection;
using gtest_parallel::ErrorCode;
using gtest_parallel::Status;

// The variable holding the server's URL.
constexpr char kUrlVariable[] = "BENCH_DB_URL";
// Base names of what the benchmark creates.
constexpr char kSetupBase[] = "bench_setup";
constexpr char kDumpBase[] = "bench_dump";

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
