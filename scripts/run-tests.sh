#!/usr/bin/env bash
# Sets everything up and runs all of gtest_parallel's tests: installs the
# dependencies, builds into ./build and runs ctest. Exits with ctest's status.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

# ---------------------------------------------------------------------------
# DATABASE SERVERS: the database tests will need PostgreSQL and MariaDB
# servers running. scripts/start-databases.sh (not written yet) will start
# them; it is called here, before ctest, as soon as it exists.
if [[ -f scripts/start-databases.sh ]]; then
  bash scripts/start-databases.sh
fi
# ---------------------------------------------------------------------------

build_dir=${BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure -j2 --no-tests=error
