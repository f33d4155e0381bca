#!/usr/bin/env bash
# Installs what gtest_parallel needs to build and test on Debian 12: the
# compiler and CMake, GoogleTest (library and sources), Boost.Program_options,
# and SQLite, PostgreSQL and MariaDB (client libraries and servers) for the
# database tests. With --tests, also what only the test suite uses: the
# MinGW-w64 cross compiler that builds the Windows programs, Wine, which
# runs them, valgrind, and libpqxx and SOCI (the database client tests use
# them as programs of their own would). Safe to
# run again: does nothing when all is installed. Uses sudo only when not run
# as root.
set -euo pipefail

packages=(
  build-essential
  cmake
  libgtest-dev
  googletest
  libboost-program-options-dev
  libsqlite3-dev
  sqlite3
  libpq-dev
  postgresql
  libmariadb-dev
  mariadb-server
)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(g++-mingw-w64-x86-64-posix wine wine64 valgrind
    libpqxx-dev libsoci-dev)
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all packages already installed"
  exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
