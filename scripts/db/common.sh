# Shared by scripts/start-databases.sh and scripts/stop-databases.sh: where
# the throwaway servers live, which unprivileged user runs them, and how to
# run a command as that user. Sourced, not executed.

# The directory holding both servers, their sockets and env.sh.
db_dir=${GTEST_PARALLEL_DB_DIR:-/tmp/gtest_parallel_db}
case "$db_dir" in
  /*) ;;
  *) db_dir="$PWD/$db_dir" ;;
esac
db_dir=${db_dir%/}

pg_dir="$db_dir/pg"
pg_data="$pg_dir/data"
pg_run="$pg_dir/run"
pg_log="$pg_dir/server.log"
pg_port=5432

mariadb_dir="$db_dir/mariadb"
mariadb_data="$mariadb_dir/data"
mariadb_run="$mariadb_dir/run"
mariadb_socket="$mariadb_run/mysqld.sock"
mariadb_pid="$mariadb_run/mysqld.pid"
mariadb_log="$mariadb_dir/server.log"

# A file proving that $db_dir was made by start-databases.sh, so that
# stop-databases.sh never deletes a directory it does not own.
marker_file="$db_dir/.gtest_parallel_db"
secrets_file="$db_dir/secrets"
env_file="$db_dir/env.sh"

# Seconds to wait for a server to start or stop before failing.
db_timeout=${GTEST_PARALLEL_DB_TIMEOUT:-30}

die() {
  echo "${0##*/}: error: $*" >&2
  exit 1
}

note() {
  echo "${0##*/}: $*"
}

# The unprivileged user that owns the data directories and runs the
# servers: the current user when not root, else gtp_db (created as a system
# user when missing), else nobody.
db_user() {
  if [[ "$(id -u)" -ne 0 ]]; then
    id -un
  elif id -u gtp_db >/dev/null 2>&1; then
    echo gtp_db
  elif useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin gtp_db >/dev/null 2>&1; then
    echo gtp_db
  else
    echo nobody
  fi
}

# Sets the array run_as to the command prefix that runs a program as
# $server_user (set by the caller) with a clean HOME, so that no personal
# option file is read.
set_run_as() {
  if [[ "$(id -u)" -ne 0 ]]; then
    run_as=(env HOME="$db_dir")
  else
    run_as=(setpriv --reuid="$server_user" --regid="$server_user"
      --init-groups env HOME="$db_dir")
  fi
}

# Runs "$@" as $server_user, without the lock's descriptor 9 (a server
# inheriting it would hold the lock for its whole life).
as_db_user() {
  set_run_as
  "${run_as[@]}" "$@" 9>&-
}

# True if process $1 runs: it exists and is not a zombie (in a container
# whose init does not reap, a killed server stays a zombie).
process_alive() {
  local state
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  state=$(sed -e 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# The pid in the first line of file $1 ("" if none).
pid_in() {
  head -n 1 "$1" 2>/dev/null || true
}

# The directory holding PostgreSQL's server programs (initdb, pg_ctl,
# postgres), newest version first.
pg_bin_dir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]]; then
      echo "$dir"
      return 0
    fi
  done
  local ctl
  ctl=$(command -v pg_ctl || true)
  [[ -n "$ctl" ]] && dirname "$(readlink -f "$ctl")"
}
