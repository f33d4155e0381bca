// gtest_parallel_reset_bench: the cost of Backend::Reset after a test.
//
//   gtest_parallel_reset_bench [<url>] [--sizes 2,20] [--repeats 30] [--json]
//
// For each size (MB), builds a template of that size (one big table holding
// the bulk of the rows, plus small tables: categories, items referencing
// them, notes without a primary key), prepares it for reset, clones it and
// times Reset after (a) a test that changed nothing, (b) one that inserted
// 3, updated 2 and deleted 1 row of the small table items, (c) the same in
// the big table, and (d) Restore() for comparison. Prints one line per case:
// backend, size, case, median ms, p90 ms. URLs as the backends take them:
// sqlite:///dir/, sqlite::memory:, postgresql://..., mariadb://...; without
// <url> the URL comes from $BENCH_DB_URL (out of sight of ps, as bench/run
// passes it). --json prints each line as a JSON object instead (one per
// line: the template's {"backend", "size_mb", "template_mb"}, then per case
// {"backend", "size_mb", "case", "repeats", "median_ms", "p90_ms"}).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/run_token.h"

namespace gtest_parallel {
namespace {

// Rows of the big table per MB of template.
constexpr int kBigRowsPerMb = 4800;
// Rows of the small table items.
constexpr int kItemRows = 200;
// Rows per INSERT statement while filling.
constexpr int kBatchRows = 500;
// The variable the URL comes from when none is given.
constexpr char kUrlVariable[] = "BENCH_DB_URL";

// What to run.
struct Options {
  std::string url;
  std::vector<int> sizes = {2, 20};
  int repeats = 30;
  bool json = false;
};

// Whether the lines are JSON (--json).
bool g_json = false;

bool ParseArguments(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if ((argument == "--sizes" || argument == "--repeats") && i + 1 < argc) {
      std::string value = argv[++i];
      if (argument == "--repeats") {
        options->repeats = std::max(1, std::atoi(value.c_str()));
        continue;
      }
      options->sizes.clear();
      for (size_t start = 0; start <= value.size();) {
        size_t comma = std::min(value.find(',', start), value.size());
        options->sizes.push_back(std::atoi(value.substr(start).c_str()));
        start = comma + 1;
      }
    } else if (argument == "--json") {
      options->json = true;
    } else if (options->url.empty() && argument.rfind("--", 0) != 0) {
      options->url = argument;
    } else {
      return false;
    }
  }
  const char* url = std::getenv(kUrlVariable);
  if (options->url.empty() && url != nullptr) options->url = url;
  return !options->url.empty();
}

// Runs the statements of one multi-row INSERT per kBatchRows rows.
Status InsertRows(Connection& connection, const std::string& head, int rows,
                  const std::function<std::string(int)>& row) {
  for (int first = 1; first <= rows; first += kBatchRows) {
    std::string sql = head;
    for (int id = first; id < first + kBatchRows && id <= rows; ++id) {
      sql += (id == first ? " " : ", ") + row(id);
    }
    Status status = connection.Execute(sql);
    if (!status.ok()) return status;
  }
  return Status();
}

// Fills the template: the small tables and size_mb of big rows.
Status Fill(Connection& connection, int size_mb, bool sqlite) {
  const char* const kSchema[] = {
      "CREATE TABLE categories (id INTEGER PRIMARY KEY, name VARCHAR(40))",
      "CREATE TABLE items (id INTEGER PRIMARY KEY, category_id INTEGER NOT "
      "NULL REFERENCES categories (id), qty INTEGER NOT NULL)",
      "CREATE TABLE notes (body VARCHAR(80))",
      "CREATE TABLE big (id INTEGER PRIMARY KEY, name VARCHAR(40), payload "
      "VARCHAR(200), n INTEGER)",
      "INSERT INTO categories VALUES (1, 'a'), (2, 'b'), (3, 'c')",
      "INSERT INTO notes VALUES ('one'), ('two'), ('three')"};
  Status status;
  for (const char* sql : kSchema) {
    if (status.ok()) status = connection.Execute(sql);
  }
  if (sqlite && status.ok()) status = connection.Execute("BEGIN");
  if (status.ok()) {
    status = InsertRows(
        connection, "INSERT INTO items VALUES", kItemRows, [](int id) {
          return "(" + std::to_string(id) + ", " + std::to_string(id % 3 + 1) +
                 ", " + std::to_string(id * 7 % 100) + ")";
        });
  }
  const std::string filler(170, 'x');
  if (status.ok()) {
    status = InsertRows(
        connection, "INSERT INTO big VALUES", size_mb * kBigRowsPerMb,
        [&](int id) {
          const std::string text = std::to_string(id * 2654435761u);
          return "(" + std::to_string(id) + ", 'name " + text + "', '" + text +
                 filler + "', " + std::to_string(id % 1000) + ")";
        });
  }
  if (sqlite && status.ok()) status = connection.Execute("COMMIT");
  return status;
}

// The template's size in MB, as the database reports it.
double SizeMb(Connection& connection, const std::string& scheme) {
  std::string bytes;
  if (scheme == "sqlite") {
    connection.QueryValue(
        "SELECT page_count * page_size FROM pragma_page_count, "
        "pragma_page_size",
        &bytes);
  } else if (scheme == "postgresql") {
    connection.QueryValue("SELECT pg_database_size(current_database())",
                          &bytes);
  } else {
    std::vector<Row> ignored;  // The statistics lag behind the rows.
    connection.Query("ANALYZE TABLE big, items, categories, notes", &ignored);
    connection.QueryValue(
        "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = DATABASE()",
        &bytes);
  }
  return std::atof(bytes.c_str()) / (1024 * 1024);
}

// The statements of a test that inserts 3, updates 2 and deletes 1 row of
// table (items or big) in round i.
std::vector<std::string> Changes(const std::string& table, int i) {
  const int base = 1000000 + 3 * i;
  const int row = 1 + i % kItemRows;
  const std::string values = table == "items" ? ", 1, 5)" : ", 'n', 'p', 5)";
  return {
      "INSERT INTO " + table + " VALUES (" + std::to_string(base) + values,
      "INSERT INTO " + table + " VALUES (" + std::to_string(base + 1) + values,
      "INSERT INTO " + table + " VALUES (" + std::to_string(base + 2) + values,
      "UPDATE " + table +
          (table == "items" ? " SET qty = qty + 1" : " SET n = n + 1") +
          " WHERE id IN (" + std::to_string(row) + ", " +
          std::to_string(row + 1) + ")",
      "DELETE FROM " + table + " WHERE id = " + std::to_string(row + 2)};
}

double Percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(fraction * (values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double Milliseconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// A template of one size, prepared and cloned once.
struct Setup {
  std::string template_name;
  std::string clone;
  double size_mb = 0;
};

Status MakeSetup(Backend& backend, int size_mb, Setup* setup) {
  Status status = backend.CreateTemplate(
      "reset_bench_" + std::to_string(size_mb) + "mb",
      RunToken::ForThisProcess(size_mb).ToString(), &setup->template_name);
  if (!status.ok()) return status;
  const std::string scheme = backend.url().scheme;
  FillSpec fill;
  fill.callback = [&](Connection& connection) {
    return Fill(connection, size_mb, scheme == "sqlite");
  };
  status = backend.FillTemplate(setup->template_name, fill);
  if (status.ok()) status = backend.PrepareReset(setup->template_name);
  std::unique_ptr<Connection> connection;
  if (status.ok()) status = backend.Connect(setup->template_name, &connection);
  if (status.ok()) setup->size_mb = SizeMb(*connection, scheme);
  connection.reset();
  if (status.ok())
    status = backend.Clone(setup->template_name, 1, &setup->clone);
  if (status.ok()) status = backend.Attach(setup->clone);
  return status;
}

// Times Reset after `test` ran on a session kept open, `repeats` times.
Status TimeResets(Backend& backend, const Setup& setup, int repeats,
                  const std::function<Status(Connection&, int)>& test,
                  bool expect_change, std::vector<double>* times) {
  std::unique_ptr<Connection> session;
  Status status = backend.Connect(setup.clone, &session);
  for (int i = 0; status.ok() && i < repeats; ++i) {
    status = test(*session, i);
    ResetStats stats;
    auto start = std::chrono::steady_clock::now();
    if (status.ok()) status = backend.Reset(setup.clone, &stats);
    times->push_back(Milliseconds(start));
    if (status.ok() && (stats.changed != expect_change || stats.restored)) {
      status =
          Status(ErrorCode::kInternal,
                 "unexpected reset: changed=" + std::to_string(stats.changed) +
                     " restored=" + std::to_string(stats.restored));
    }
  }
  return status;
}

void Print(const std::string& label, int size_mb, const char* name,
           const std::vector<double>& times) {
  if (g_json) {
    std::printf(
        "{\"backend\": \"%s\", \"size_mb\": %d, \"case\": \"%s\", "
        "\"repeats\": %zu, \"median_ms\": %.4f, \"p90_ms\": %.4f}\n",
        label.c_str(), size_mb, name, times.size(), Percentile(times, 0.5),
        Percentile(times, 0.9));
  } else {
    std::printf("%-14s %4d MB  %-22s median %8.2f ms  p90 %8.2f ms\n",
                label.c_str(), size_mb, name, Percentile(times, 0.5),
                Percentile(times, 0.9));
  }
  std::fflush(stdout);
}

// Measures the cases on a template of size_mb.
Status RunSize(Backend& backend, const std::string& label, int size_mb,
               int repeats) {
  Setup setup;
  Status status = MakeSetup(backend, size_mb, &setup);
  if (status.ok()) status = backend.Reset(setup.clone, nullptr);  // Warm up.
  if (status.ok() && g_json) {
    std::printf(
        "{\"backend\": \"%s\", \"size_mb\": %d, \"template_mb\": %.2f}\n",
        label.c_str(), size_mb, setup.size_mb);
  } else if (status.ok()) {
    std::printf("%-14s %4d MB  template %.1f MB as the database counts it\n",
                label.c_str(), size_mb, setup.size_mb);
  }
  struct Case {
    const char* name;
    std::string table;
  };
  for (const Case& test :
       {Case{"unchanged", ""}, Case{"3 ins/2 upd/1 del small", "items"},
        Case{"3 ins/2 upd/1 del big", "big"}}) {
    if (!status.ok()) break;
    std::vector<double> times;
    status = TimeResets(
        backend, setup, repeats,
        [&](Connection& session, int i) {
          Status run;
          if (test.table.empty()) return run;
          for (const std::string& sql : Changes(test.table, i)) {
            if (run.ok()) run = session.Execute(sql);
          }
          return run;
        },
        !test.table.empty(), &times);
    if (status.ok()) Print(label, size_mb, test.name, times);
  }
  std::vector<double> restores;
  for (int i = 0; status.ok() && i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    status = backend.Restore(setup.clone);
    restores.push_back(Milliseconds(start));
  }
  if (status.ok()) Print(label, size_mb, "Restore() for comparison", restores);
  if (status.ok()) status = backend.Verify(setup.clone);
  if (!setup.clone.empty()) backend.Drop(setup.clone);
  if (!setup.template_name.empty()) backend.Drop(setup.template_name);
  return status;
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseArguments(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: %s [<database URL>] [--sizes 2,20] [--repeats 30] "
                 "[--json]\n(without a URL: $%s)\n",
                 argv[0], kUrlVariable);
    return 2;
  }
  g_json = options.json;
  std::unique_ptr<Backend> backend;
  Status status = CreateBackend(options.url, BackendOptions(), &backend);
  std::string label = backend != nullptr ? backend->url().scheme : "";
  if (options.url.find(":memory:") != std::string::npos) label += "_memory";
  for (int size_mb : options.sizes) {
    if (status.ok())
      status = RunSize(*backend, label, size_mb, options.repeats);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace gtest_parallel

int main(int argc, char** argv) { return gtest_parallel::Main(argc, argv); }
