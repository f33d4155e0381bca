// The PostgreSQL backend of gtest_parallel (target
// gtest_parallel::postgresql, links libpq).
//
// URL: postgresql://user:password@host:port/postgres?sslmode=... or, on a
// unix socket, postgresql://user:password@/postgres?host=/socket/dir. The
// URL's database (default "postgres") is the one connected to for CREATE
// and DROP DATABASE. The user needs CREATEDB; ending stray sessions on a
// template needs superuser or pg_signal_backend.
//
// Clones are CREATE DATABASE <clone> TEMPLATE <template> STRATEGY
// FILE_COPY (PostgreSQL 15; plain TEMPLATE before), after the template is
// marked IS_TEMPLATE true, ALLOW_CONNECTIONS false, its stray sessions are
// ended, and its fingerprint (relations, row counts, functions, triggers)
// is stored as its comment for Verify(). CloneAll clones concurrently.
//
// PrepareReset adds the schema gtest_parallel (triggers, pristine copies of
// the tables) to the template; Reset copies changed rows back from them
// (see backends/README.md). A superuser's templates also get event
// triggers and resets with session_replication_role = replica; other
// roles' use a catalog digest and foreign key order.
#ifndef GTEST_PARALLEL_POSTGRESQL_BACKEND_H_
#define GTEST_PARALLEL_POSTGRESQL_BACKEND_H_

#include <memory>

#include "gtest_parallel/backend.h"

namespace gtest_parallel {

// Makes the PostgreSQL backend for a postgresql: URL (connecting lazily);
// also what CreateBackend("postgresql://...") uses once this target is
// linked.
Status NewPostgresqlBackend(const DatabaseUrl& url,
                            const BackendOptions& options,
                            std::unique_ptr<Backend>* backend);

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_POSTGRESQL_BACKEND_H_
