#!/usr/bin/env bash
# Stops the throwaway PostgreSQL and MariaDB servers started by
# scripts/start-databases.sh and removes their directory
# ($GTEST_PARALLEL_DB_DIR, default /tmp/gtest_parallel_db). Does nothing when
# they are not there. Refuses to delete a directory the start script did not
# make. Exits non-zero when a server does not stop within
# GTEST_PARALLEL_DB_TIMEOUT seconds (default 30) even after SIGKILL.
set -euo pipefail
source "$(dirname "$0")/db/common.sh"

if [[ ! -d "$db_dir" ]]; then
  note "nothing to stop in $db_dir"
  exit 0
fi
[[ -e "$marker_file" ]] ||
  die "$db_dir was not made by start-databases.sh; not touching it"
exec 9>"$db_dir/.lock"
flock -w "$db_timeout" 9 || die "$db_dir is locked by another process"
server_user=$(stat -c %U "$db_dir/pg" 2>/dev/null ||
  stat -c %U "$db_dir/mariadb" 2>/dev/null || id -un)

# Waits up to $db_timeout seconds for process $1 to end.
wait_gone() {
  local deadline=$((SECONDS + db_timeout))
  while process_alive "$1"; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}

# Sends SIGTERM (then SIGKILL) to the server whose pid is in file $2; $1
# names it.
stop_pid_file() {
  local pid
  pid=$(pid_in "$2")
  process_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid"; then
    note "$1 did not stop within ${db_timeout}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" || die "$1 (pid $pid) does not die"
  fi
  note "$1 stopped"
}

pg_bin=$(pg_bin_dir || true)
if process_alive "$(pid_in "$pg_data/postmaster.pid")"; then
  if [[ -n "$pg_bin" ]] &&
      as_db_user "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w \
        -t "$db_timeout" stop >/dev/null 2>&1; then
    note "PostgreSQL stopped"
  else
    stop_pid_file PostgreSQL "$pg_data/postmaster.pid"
  fi
fi
stop_pid_file MariaDB "$mariadb_pid"

rm -rf "$db_dir"
note "removed $db_dir"
