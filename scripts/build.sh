#!/usr/bin/env bash
# Configures and builds gtest_parallel (library, tests, demo) into ./build,
# RelWithDebInfo, two compile jobs. BUILD_DIR, BUILD_TYPE and JOBS in the
# environment override those defaults; further arguments go to the CMake
# configure step.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-RelWithDebInfo}
jobs=${JOBS:-2}

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" "$@"
cmake --build "$build_dir" --parallel "$jobs"
