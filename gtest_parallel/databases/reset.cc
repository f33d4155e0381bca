// Putting the databases back to their template's state between tests, and
// the leak check (reset.h).
#include "databases/reset.h"

#include <cstdio>
#include <utility>

#include "databases/database_registry.h"

namespace gtest_parallel {
namespace internal {

ResetScope ScopeOf(const DatabaseDeclaration& declaration,
                   const Options& options) {
  switch (options.db_reset) {
    case DatabaseReset::kDeclared:
      return declaration.reset;
    case DatabaseReset::kTest:
      return ResetScope::kTest;
    case DatabaseReset::kSuite:
      return ResetScope::kSuite;
    case DatabaseReset::kCrash:
      return ResetScope::kCrash;
    case DatabaseReset::kNever:
      return ResetScope::kNever;
  }
  return declaration.reset;
}

bool NeedsReset(const DatabaseDeclaration& declaration,
                const Options& options) {
  return options.db_leaks ||
         ScopeOf(declaration, options) != ResetScope::kNever;
}

std::string DescribeDifferences(
    const std::vector<TableDifference>& differences) {
  std::string out;
  for (const TableDifference& difference : differences) {
    if (!out.empty()) out += "; ";
    out += "table " + difference.table + ": ";
    if (difference.template_rows < 0) {
      out += "created (" + std::to_string(difference.rows) + " rows)";
    } else if (difference.rows < 0) {
      out += "dropped (template " + std::to_string(difference.template_rows) +
             " rows)";
    } else {
      out += std::to_string(difference.rows) + " rows (template " +
             std::to_string(difference.template_rows) + ")";
      if (difference.rows == difference.template_rows) out += ", rows changed";
      if (difference.schema_changed) out += ", altered";
    }
  }
  return out;
}

namespace {

// A database attached in this process and what is done to it.
struct Tracked {
  const TestDatabase* database;
  ResetScope scope;
  // Writes made before the first suite: no resets in this process.
  bool off = false;
  // The current suite's set-up wrote: put back when the suite ends.
  bool suite_wrote = false;
};

// The attached databases that are reset or checked.
std::vector<Tracked> TrackedDatabases(const Options& options) {
  std::vector<Tracked> tracked;
  DatabaseRegistry& registry = DatabaseRegistry::Get();
  for (const DatabaseDeclaration& declaration : registry.Declarations()) {
    const TestDatabase* database = registry.Find(declaration.alias);
    if (database == nullptr || !NeedsReset(declaration, options)) continue;
    tracked.push_back(Tracked{database, ScopeOf(declaration, options)});
  }
  return tracked;
}

// Reports a failure of the running test (or, outside a test, of the
// program), with no source location.
void AddFailure(const std::string& message) {
  testing::internal::AssertHelper(testing::TestPartResult::kNonFatalFailure,
                                  nullptr, -1, message.c_str()) =
      testing::Message();
}

// Sets *differences to how the database differs from its template; a
// failure to tell is reported as the running test's (false).
bool DifferencesOf(const Tracked& tracked,
                   std::vector<TableDifference>* differences) {
  const Status status = tracked.database->backend().Differences(
      tracked.database->name(), differences);
  if (status.ok()) return true;
  AddFailure("gtest_parallel: cannot compare database '" +
             tracked.database->alias() +
             "' with its template: " + status.ToString());
  return false;
}

// Sets *differs when the database differs from its template.
bool Differs(const Tracked& tracked, bool* differs) {
  std::vector<TableDifference> differences;
  if (!DifferencesOf(tracked, &differences)) return false;
  *differs = !differences.empty();
  return true;
}

void Reset(const Tracked& tracked) {
  const Status status =
      tracked.database->backend().Reset(tracked.database->name(), nullptr);
  if (!status.ok()) {
    AddFailure("gtest_parallel: cannot put database '" +
               tracked.database->alias() +
               "' back to its template's state: " + status.ToString());
  }
}

// Resets and checks the tracked databases as the tests go.
class ResetListener : public testing::EmptyTestEventListener {
 public:
  ResetListener(std::vector<Tracked> tracked, bool leaks)
      : tracked_(std::move(tracked)), leaks_(leaks) {}

  void OnTestSuiteStart(const testing::TestSuite& /*suite*/) override {
    first_test_ = true;
    if (!first_suite_) return;
    first_suite_ = false;
    for (Tracked& tracked : tracked_) {
      bool differs = false;
      if (tracked.scope == ResetScope::kNever || !Differs(tracked, &differs) ||
          !differs) {
        continue;
      }
      tracked.off = true;
      std::fprintf(stderr,
                   "[gtest_parallel] database '%s' was written before the "
                   "first test suite (by a global Environment?): it is not "
                   "put back to its template's state in this process. Fill "
                   "the template with the declaration's SQL files or "
                   "WithSetup() instead.\n",
                   tracked.database->alias().c_str());
    }
  }

  void OnTestStart(const testing::TestInfo& /*test*/) override {
    if (!first_test_) return;
    first_test_ = false;
    for (Tracked& tracked : tracked_) {
      bool differs = false;
      tracked.suite_wrote = !tracked.off &&
                            (tracked.scope == ResetScope::kTest || leaks_) &&
                            Differs(tracked, &differs) && differs;
    }
  }

  void OnTestEnd(const testing::TestInfo& /*test*/) override {
    for (Tracked& tracked : tracked_) {
      if (tracked.off || tracked.suite_wrote) continue;
      const bool checked = leaks_ && CheckLeak(tracked);
      if (tracked.scope == ResetScope::kTest || checked) Reset(tracked);
    }
  }

  void OnTestSuiteEnd(const testing::TestSuite& /*suite*/) override {
    for (Tracked& tracked : tracked_) {
      if (tracked.off) continue;
      if (tracked.scope == ResetScope::kSuite || tracked.suite_wrote) {
        Reset(tracked);
      }
      tracked.suite_wrote = false;
    }
  }

 private:
  // Fails the running test when it left the database different from its
  // template; true when it did (it is then put back whatever the scope, so
  // that the next test is judged on its own).
  bool CheckLeak(const Tracked& tracked) {
    std::vector<TableDifference> differences;
    if (!DifferencesOf(tracked, &differences)) return false;
    if (differences.empty()) return false;
    AddFailure(
        "gtest_parallel: the test left database '" + tracked.database->alias() +
        "' different from its template: " + DescribeDifferences(differences));
    return true;
  }

  std::vector<Tracked> tracked_;
  const bool leaks_;
  bool first_suite_ = true;
  bool first_test_ = false;
};

}  // namespace

bool ResetAttachedDatabases(const Options& options, std::string* error) {
  for (const Tracked& tracked : TrackedDatabases(options)) {
    if (tracked.scope == ResetScope::kNever) continue;
    const Status status =
        tracked.database->backend().Reset(tracked.database->name(), nullptr);
    if (!status.ok()) {
      *error = "cannot put database " + tracked.database->name() + " ('" +
               tracked.database->alias() +
               "') back to its template's state: " + status.ToString();
      return false;
    }
  }
  return true;
}

void AppendResetListener(const Options& options,
                         testing::TestEventListeners* listeners) {
  std::vector<Tracked> tracked = TrackedDatabases(options);
  bool needed = false;
  for (const Tracked& one : tracked) {
    needed = needed || options.db_leaks || one.scope == ResetScope::kTest ||
             one.scope == ResetScope::kSuite;
  }
  if (!needed) return;
  listeners->Append(new ResetListener(std::move(tracked), options.db_leaks));
}

}  // namespace internal
}  // namespace gtest_parallel
