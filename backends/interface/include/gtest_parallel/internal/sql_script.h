// Internals shared by the backends: splitting SQL scripts into statements
// (so that a failing statement is reported as file:line) and small string
// and file helpers. Not part of the stable interface.
#ifndef GTEST_PARALLEL_INTERNAL_SQL_SCRIPT_H_
#define GTEST_PARALLEL_INTERNAL_SQL_SCRIPT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"
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

// Reads a whole file; kNotFound naming the file when it cannot be read.
Status ReadTextFile(const std::string& path, std::string* contents);

// Makes path and its parents (like mkdir -p), new ones with `mode` (less
// the umask); true if path exists afterwards.
bool MakeDirectories(const std::string& path, unsigned mode = 0777);

// The 1-based line of text that byte offset falls on.
int LineAtOffset(const std::string& text, size_t offset);

// text with the password hidden ("***") where it is given as a password:
// in a URL's ":<form>@" and as the value of a "...password=" or "...pwd="
// keyword (conninfo, URL parameter or variable; quoted or not), for each
// form in `forms` (the password as typed, percent-encoded, ...). Anything
// else is left as it is, so that a path holding the same letters stays
// intact. text is unchanged when every form is empty.
std::string ScrubPassword(std::string text,
                          const std::vector<std::string>& forms);

// 64-bit FNV-1a hash of data, continuing from hash.
uint64_t Fnv1a64(const std::string& data,
                 uint64_t hash = 0xcbf29ce484222325ULL);

// value in lowercase base 36, left-padded with '0' to width digits.
std::string ToBase36(uint64_t value, size_t width);

// Joins parts with separator.
std::string JoinStrings(const std::vector<std::string>& parts,
                        const std::string& separator);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_INTERNAL_SQL_SCRIPT_H_
