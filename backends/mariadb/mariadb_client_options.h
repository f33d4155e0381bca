// How programs outside the backend reach a MariaDB database: the
// "key=value;" connection string MariaDB Connector/C parses (mariadb_connect,
// or mysql_real_connect with the string as the host) and the option file
// the mariadb command-line programs read from $MARIADB_HOME.
#ifndef GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CLIENT_OPTIONS_H_
#define GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CLIENT_OPTIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "gtest_parallel/status.h"

namespace gtest_parallel::internal {

// Ordered (key, value) pairs; pairs with an empty value are left out.
using OptionPairs = std::vector<std::pair<std::string, std::string>>;

// "key=value;key=value" as Connector/C parses it: a value holding ';', '=',
// braces or white space is enclosed in braces, '}' doubled.
std::string ConnectorConnectionString(const OptionPairs& pairs);

// An option file: `client` under [client] (read by every MariaDB client
// program) and `cli` under [mariadb-client] (the mariadb program only),
// each value double-quoted.
std::string OptionFileText(const OptionPairs& client, const OptionPairs& cli);

// Writes text to <directory>/my.cnf (mode 0600), making the directory
// (mode 0700) when needed; the file is replaced at once, never seen half
// written.
Status WriteOptionFile(const std::string& directory, const std::string& text);

// Removes <directory>/my.cnf and the directory if empty; best effort.
void RemoveOptionFile(const std::string& directory);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_BACKENDS_MARIADB_MARIADB_CLIENT_OPTIONS_H_
