#!/usr/bin/env bash
# Sets everything up and runs all of gtest_parallel's tests: installs the
# dependencies, builds into ./build and runs ctest. Exits with ctest's status.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --tests

# The GoogleTest version matrix (test/gtest_versions) runs where the release
# archives are: the directory GTEST_PARALLEL_GTEST_ARCHIVES names, else
# ../shared/googletest beside this checkout, else, in a clone of a local
# repository, ../shared/googletest beside that repository. With
# GTEST_PARALLEL_REQUIRE_GTEST_VERSIONS=1 (as CI sets it) missing archives
# fail the run instead.
archives=${GTEST_PARALLEL_GTEST_ARCHIVES:-}
if [[ -z "$archives" ]]; then
  archives=../shared/googletest
  origin=$(git remote get-url origin 2>/dev/null || true)
  if [[ ! -f "$archives/SHA256SUMS" && -d "$origin" &&
        -f "$origin/../shared/googletest/SHA256SUMS" ]]; then
    archives=$origin/../shared/googletest
  fi
fi
matrix_args=("-DGTEST_PARALLEL_GTEST_ARCHIVES=$(realpath -m "$archives")")
if [[ "${GTEST_PARALLEL_REQUIRE_GTEST_VERSIONS:-0}" == 1 ]]; then
  matrix_args+=(-DGTEST_PARALLEL_REQUIRE_GTEST_VERSIONS=ON)
fi
bash scripts/build.sh -DGTEST_PARALLEL_REQUIRE_WINDOWS_CHECK=ON \
  "${matrix_args[@]}"

# The database tests run against throwaway PostgreSQL and MariaDB servers;
# a server that does not start fails the run (it is never skipped). They are
# stopped again however the tests end.
bash scripts/start-databases.sh
trap 'bash scripts/stop-databases.sh >/dev/null 2>&1 || true' EXIT

# The benchmark harness, in its quick mode: it checks that the harness works
# end to end (every contender runs and reports), not the speed.
python3 bench/run --quick

build_dir=${BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure -j2 --no-tests=error
