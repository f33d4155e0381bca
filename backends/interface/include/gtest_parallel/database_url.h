// DatabaseUrl: a parsed database URL, the way a test binary names the
// server (or SQLite directory) its per-worker databases live on:
//   postgresql://user:password@host:port/postgres?sslmode=disable
//   postgresql://user:password@/postgres?host=/run/postgresql  (unix socket)
//   mariadb://user:password@localhost/?socket=/run/mysqld/mysqld.sock
//   sqlite:///abs/dir/app.db   sqlite:relative/dir/   sqlite::memory:
// Aliases: postgres, pgsql -> postgresql; mysql -> mariadb; sqlite3 ->
// sqlite. Other schemes are kept as written, for registered backends.
#ifndef GTEST_PARALLEL_DATABASE_URL_H_
#define GTEST_PARALLEL_DATABASE_URL_H_

#include <map>
#include <string>

#include "gtest_parallel/status.h"

namespace gtest_parallel {

// The parts of a database URL, percent-decoded.
struct DatabaseUrl {
  // "sqlite", "postgresql", "mariadb", or a registered backend's scheme.
  std::string scheme;
  // The user name; empty for the client library's default.
  std::string user;
  // The password. Never print it: use Redacted().
  std::string password;
  // Host name or address; empty for the default (PostgreSQL: the default
  // socket; MariaDB: localhost).
  std::string host;
  // A unix socket: PostgreSQL's socket directory (?host=/dir) or MariaDB's
  // socket file (?socket=/path).
  std::string socket;
  // The TCP port (also PostgreSQL's socket suffix); 0 for the default.
  int port = 0;
  // Servers: the database connected to for administration (PostgreSQL
  // default "postgres"; MariaDB none). SQLite: the path (its directory
  // holds the databases) or ":memory:".
  std::string database;
  // The other query parameters, e.g. sslmode=disable.
  std::map<std::string, std::string> params;

  // The URL with every part, password included: for the programs that
  // connect, never for output.
  std::string ToString() const;
  // The URL with the password replaced by "***": safe to print.
  std::string Redacted() const;
};

// Parses text into *url. Returns kMalformedUrl with a message naming the
// problem (and the URL, password hidden) when text is not a database URL.
Status ParseDatabaseUrl(const std::string& text, DatabaseUrl* url);

// Hides the password of any URL-looking text (user:password@ and
// password=... parameters), even a malformed one: for error messages.
std::string RedactUrlText(const std::string& text);

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_DATABASE_URL_H_
