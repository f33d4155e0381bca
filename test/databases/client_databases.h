// The databases the native client tests declare, from main(): "pg" and
// "maria" on the servers of scripts/start-databases.sh (URLs from the
// environment or its env.sh; a missing server fails the run), and, for the
// SQLite tests, "mem" (in memory, declared first) and "file" (files in a
// directory under $TMPDIR). Each gets table t with one row, v = 'seeded'.
#ifndef GTEST_PARALLEL_TEST_DATABASES_CLIENT_DATABASES_H_
#define GTEST_PARALLEL_TEST_DATABASES_CLIENT_DATABASES_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "gtest_parallel/database.h"
#include "gtest_parallel/gtest_parallel.h"
#include "test_support.h"

namespace client_databases {

// Declares one database whose template holds table t.
inline void Declare(const std::string& alias, const std::string& url) {
  gtest_parallel::DeclareDatabase(
      gtest_parallel::DatabaseDeclaration(alias, url)
          .WithSetup([](gtest_parallel::Connection& connection) {
            gtest_parallel::Status status =
                connection.Execute("CREATE TABLE t (v VARCHAR(20))");
            if (!status.ok()) return status;
            return connection.Execute("INSERT INTO t VALUES ('seeded')");
          }));
}

// Declares the server databases, and the SQLite ones when `sqlite`.
inline void DeclareAll(bool sqlite) {
  using gtest_parallel::testing_support::ServerUrl;
  Declare("pg", ServerUrl("GTEST_PARALLEL_TEST_PG_URL"));
  Declare("maria", ServerUrl("GTEST_PARALLEL_TEST_MARIADB_URL"));
  if (!sqlite) return;
  Declare("mem", "sqlite::memory:");
  // No path: a private directory under $TMPDIR.
  Declare("file", "sqlite:");
}

}  // namespace client_databases

#endif  // GTEST_PARALLEL_TEST_DATABASES_CLIENT_DATABASES_H_
