// The MariaDB backend of gtest_parallel (target gtest_parallel::mariadb,
// links libmariadb).
//
// URL: mariadb://user:password@host:port/ or, on a unix socket,
// mariadb://user:password@localhost/?socket=/path/mysqld.sock (mysql:// is
// an alias). The user needs the CREATE, DROP, INSERT, SELECT, CREATE VIEW,
// CREATE ROUTINE, TRIGGER (and EVENT) privileges on the databases it makes.
//
// ConnectionString(clone) is MariaDB Connector/C's "key=value;" form
// ("host=localhost;socket=...;user=...;password=...;database=<clone>;
// connect_timeout=5"), which mariadb_connect(mysql, string) takes. Attach()
// writes an option file for the client programs a test starts (see
// EnvironmentFor: MARIADB_HOME).
//
// Clones are made inside the server, faster than dump | load: the
// template's tables are re-created from SHOW CREATE TABLE (keeping foreign
// keys and AUTO_INCREMENT positions) and filled with INSERT ... SELECT
// (foreign_key_checks=0, generated columns skipped, invisible ones kept);
// then routines, views, triggers and events are re-created from their
// definitions as captured with the template as the default database.
// Sequences get the template's next value. Each clone is verified against
// the template (tables, views, foreign keys, triggers, routines, events,
// AUTO_INCREMENT positions and row counts) and only then marked complete in
// its database comment; Verify() checks the mark and compares again. Not
// cloned: system-versioned history, objects that name the template
// database explicitly.
//
// PrepareReset adds triggers and gtest_parallel_* tables to the template;
// Reset copies changed rows back from the template (see
// backends/README.md). Noticing TRUNCATE needs the PROCESS privilege.
#ifndef GTEST_PARALLEL_MARIADB_BACKEND_H_
#define GTEST_PARALLEL_MARIADB_BACKEND_H_

#include <memory>

#include "gtest_parallel/backend.h"

namespace gtest_parallel {

// Makes the MariaDB backend for a mariadb: URL (connecting lazily); also
// what CreateBackend("mariadb://...") uses once this target is linked.
Status NewMariadbBackend(const DatabaseUrl& url, const BackendOptions& options,
                         std::unique_ptr<Backend>* backend);

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_MARIADB_BACKEND_H_
