// Internals shared by the backends: splitting SQL scripts into statements
// (so that a failing statement is reported as file:line) and running them.
// Not part of the stable interface.
#ifndef GTEST_PARALLEL_INTERNAL_SQL_SCRIPT_H_
#define GTEST_PARALLEL_INTERNAL_SQL_SCRIPT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"
#include "gtest_parallel/internal/util.h"
#include "gtest_parallel/status.h"

namespace gtest_parallel::internal {

// The quoting and comment rules a script is split by.
enum class SqlDialect {
  kPostgreSql,  // '', E'', "", $tag$...$tag$, --, nested /* */.
  kMariaDb,     // '', "", ``, backslash escapes, -- , #, /* */, DELIMITER.
};

// One statement of a script, without its delimiter.
struct SqlStatement {
  std::string text;
  int line = 0;  // 1-based line of the script where the statement starts.
};

// Splits a script at the top-level delimiters (';', or MariaDB's current
// DELIMITER). Comments before a statement and empty statements are dropped.
std::vector<SqlStatement> SplitSqlScript(const std::string& script,
                                         SqlDialect dialect);

// Runs one statement. On error it may set *error_line to the 1-based line,
// within sql, that the error points at.
using StatementRunner =
    std::function<Status(const std::string& sql, int* error_line)>;

// Reads the SQL file at path and runs its statements in order; the first
// error is returned as "<path>:<line>: <message>" with its code.
Status RunSqlFile(const std::string& path, SqlDialect dialect,
                  const StatementRunner& run);

// What FillTemplate does on a server: runs fill's SQL files, each statement
// through `run` (split as `dialect` says), then fill's callback on
// `connection`. Returns the first error as is.
Status RunFill(const FillSpec& fill, SqlDialect dialect,
               const StatementRunner& run, Connection& connection);

// The 1-based line of text that byte offset falls on.
int LineAtOffset(const std::string& text, size_t offset);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_INTERNAL_SQL_SCRIPT_H_
