#!/usr/bin/env bash
# Sets everything up and shows gtest_parallel at work: installs the
# dependencies, builds, runs the demo test suite serially (timed, output
# hidden), then on all CPUs with --gtest_parallel=auto, and checks that both
# runs wrote the same XML report apart from the times.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

build_dir=${BUILD_DIR:-build}
demo="$build_dir/demo/demo_test"
if [[ ! -x "$demo" ]]; then
  echo "demo.sh: $demo was not built" >&2
  exit 1
fi

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
without_times() { sed -E 's/ (time|timestamp)="[^"]*"//g' "$1"; }

echo
echo "=== Serial run (plain GoogleTest, output hidden) ==="
start=$(now)
"$demo" --gtest_parallel=1 --gtest_output="xml:$reports/serial.xml" >/dev/null
serial=$(seconds "$start" "$(now)")
echo "passed in ${serial} s"

echo
echo "=== Parallel run: $demo --gtest_parallel=auto ==="
start=$(now)
"$demo" --gtest_parallel=auto --gtest_output="xml:$reports/parallel.xml"
parallel=$(seconds "$start" "$(now)")

echo
if ! diff <(without_times "$reports/serial.xml") \
          <(without_times "$reports/parallel.xml"); then
  echo "demo.sh: the XML reports of the two runs differ (above)" >&2
  exit 1
fi
echo "Demo passed: ${serial} s serially, ${parallel} s with" \
     "--gtest_parallel=auto on $(nproc) CPUs; same XML report apart from" \
     "the times."
