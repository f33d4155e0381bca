// The SQLite backend of gtest_parallel (target gtest_parallel::sqlite,
// links libsqlite3 only).
//
// File databases (sqlite:///dir/app.db, sqlite:rel/dir/, sqlite:): the
// template and clones are files <name><ext> in the URL's directory (the
// directory of app.db, with app.db's extension; a URL ending in '/' names
// the directory itself; no path: a private directory under $TMPDIR).
// Clones are copies of the template file, made after a WAL checkpoint.
//
// In-memory databases (sqlite::memory:): the template lives in the
// coordinator's memory; Clone() serializes it once to a private file under
// $TMPDIR (never the working directory) and Attach(), in each worker,
// deserializes it into that worker's memory as the named in-memory
// database ConnectionString(clone) = "file:/<clone>?vfs=memdb". Every
// connection a test opens with that URI (sqlite3_open_v2 with
// SQLITE_OPEN_URI) reaches the worker's private copy. Processes the test
// starts cannot see it.
//
// PrepareReset adds triggers and gtest_parallel_* tables to the template;
// Reset copies changed rows back from the template, attached to a
// connection it keeps on the clone (see backends/README.md).
#ifndef GTEST_PARALLEL_SQLITE_BACKEND_H_
#define GTEST_PARALLEL_SQLITE_BACKEND_H_

#include <memory>

#include "gtest_parallel/backend.h"

namespace gtest_parallel {

// The environment variable EnvironmentFor() sets to a clone's path (file
// databases) or URI (in-memory databases).
inline constexpr char kSqliteDatabaseVariable[] =
    "GTEST_PARALLEL_SQLITE_DATABASE";

// Makes the SQLite backend for a sqlite: URL; also what
// CreateBackend("sqlite:...") uses once this target is linked.
Status NewSqliteBackend(const DatabaseUrl& url, const BackendOptions& options,
                        std::unique_ptr<Backend>* backend);

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_SQLITE_BACKEND_H_
