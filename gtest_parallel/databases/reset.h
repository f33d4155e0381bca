// Every test starts from the template: after each test (or suite), the
// databases this process attached are put back to their template's state
// with Backend::Reset, which costs one query when the test changed nothing
// and copies back only the tables it changed otherwise. With
// --gtest_parallel_db_leaks, a test that left a database different from its
// template fails first, naming the tables and their rows.
//
// When it happens, per database (ResetScope, from the declaration or the
// --gtest_parallel_db_reset flag):
//   - when the process attaches (a worker that replaces one that crashed
//     finds the crashed test's writes): every scope but kNever;
//   - kTest: after each test, once its TearDown has run and before its
//     result is reported. A suite whose SetUpTestSuite wrote to the
//     database (seen when its first test starts) keeps those rows for all
//     its tests, and is put back when it ends;
//   - kSuite: when each suite ends, after TearDownTestSuite.
// The leak check runs after each test, before the reset; a test it names
// is put back whatever the scope, so that the next one is judged on its
// own. Tests of a suite whose set-up wrote are not checked (the suite is
// put back when it ends).
// Writes made before the first suite (a global Environment's SetUp) would
// be undone by the first reset, so they turn the resets off for the rest
// of the process, saying so once on stderr.
#ifndef GTEST_PARALLEL_DATABASES_RESET_H_
#define GTEST_PARALLEL_DATABASES_RESET_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "flags/options.h"
#include "gtest_parallel/database.h"

namespace gtest_parallel {
namespace internal {

// The scope of a declared database: the flag's unless it is kDeclared.
ResetScope ScopeOf(const DatabaseDeclaration& declaration,
                   const Options& options);

// Whether templates must be prepared for Reset (PrepareReset): some
// database is reset, or leaks are checked.
bool NeedsReset(const DatabaseDeclaration& declaration, const Options& options);

// One line naming how a database differs from its template, e.g.
// "table orders: 7 rows (template 5); table audit: created".
std::string DescribeDifferences(
    const std::vector<TableDifference>& differences);

// Puts the databases attached in this process back to their template's
// state, unless their scope is kNever: what a worker does before its first
// test. False with a one-line *error.
bool ResetAttachedDatabases(const Options& options, std::string* error);

// Adds the listener that resets the attached databases and checks for
// leaks to `listeners` (last, so that it hears a test's end before the
// printers and the worker's listener). Does nothing when no database is
// attached or none needs it.
void AppendResetListener(const Options& options,
                         testing::TestEventListeners* listeners);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_DATABASES_RESET_H_
