#!/usr/bin/env bash
# Starts throwaway PostgreSQL and MariaDB servers for the database tests, as
# an unprivileged user, in $GTEST_PARALLEL_DB_DIR (default
# /tmp/gtest_parallel_db), listening on unix sockets only, with non-durable
# settings. Creates a superuser (gtp_test) and a user without the privilege
# to create databases (gtp_nocreate) on each, with random passwords, and
# writes $GTEST_PARALLEL_DB_DIR/env.sh exporting their URLs:
#   GTEST_PARALLEL_TEST_PG_URL, GTEST_PARALLEL_TEST_PG_NOCREATE_URL,
#   GTEST_PARALLEL_TEST_MARIADB_URL, GTEST_PARALLEL_TEST_MARIADB_NOCREATE_URL.
# Safe to run again: servers already running are kept. Waits until both
# accept connections (GTEST_PARALLEL_DB_TIMEOUT seconds, default 30) and
# exits non-zero, with the server's log, when one does not. Stop them with
# scripts/stop-databases.sh.
set -euo pipefail
source "$(dirname "$0")/db/common.sh"

# --- Preconditions --------------------------------------------------------
pg_bin=$(pg_bin_dir || true)
[[ -n "$pg_bin" ]] ||
  die "PostgreSQL server programs not found (apt-get install postgresql)"
for program in mariadbd mariadb-install-db mariadb mariadb-admin psql \
    pg_isready; do
  command -v "$program" >/dev/null ||
    die "$program not found (apt-get install postgresql mariadb-server)"
done
if (( ${#mariadb_socket} > 100 )); then
  die "socket path $mariadb_socket is too long; use a shorter" \
    "GTEST_PARALLEL_DB_DIR"
fi

server_user=$(db_user)

# --- The directory and its lock ------------------------------------------
if [[ -e "$db_dir" && ! -e "$marker_file" ]] &&
    [[ -n "$(ls -A "$db_dir" 2>/dev/null)" ]]; then
  die "$db_dir exists and was not made by ${0##*/}; remove it or set" \
    "GTEST_PARALLEL_DB_DIR"
fi
mkdir -p "$db_dir"
chmod 755 "$db_dir"
touch "$marker_file"
exec 9>"$db_dir/.lock"
flock -w "$db_timeout" 9 || die "$db_dir is locked by another process"
as_db_user test -x "$db_dir" ||
  die "user $server_user cannot reach $db_dir; set GTEST_PARALLEL_DB_DIR" \
    "to a directory under /tmp"

random_password() {
  od -An -N12 -tx1 /dev/urandom | tr -d ' \n'
}

# Passwords are made once per directory; without them the data directories
# are useless, so they are made again from scratch.
if [[ ! -f "$secrets_file" ]]; then
  rm -rf "$pg_dir" "$mariadb_dir"
  umask 077
  cat >"$secrets_file.tmp" <<SECRETS
pg_test_password=$(random_password)
pg_nocreate_password=$(random_password)
mariadb_root_password=$(random_password)
mariadb_test_password=$(random_password)
mariadb_nocreate_password=$(random_password)
SECRETS
  mv "$secrets_file.tmp" "$secrets_file"
  umask 022
fi
source "$secrets_file"

# Polls "$@" until it succeeds; fails after $db_timeout seconds.
wait_for() {
  local deadline=$((SECONDS + db_timeout))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}

# --- PostgreSQL -----------------------------------------------------------
start_postgresql() {
  if [[ ! -f "$pg_data/PG_VERSION" ]]; then
    rm -rf "$pg_dir"
    mkdir -p "$pg_data" "$pg_run"
    printf '%s\n' "$pg_test_password" >"$pg_dir/pwfile"
    chown -R "$server_user": "$pg_dir"
    chmod 700 "$pg_data"
    chmod 600 "$pg_dir/pwfile"
    if ! as_db_user "$pg_bin/initdb" -D "$pg_data" -U gtp_test \
        --pwfile="$pg_dir/pwfile" --auth=scram-sha-256 -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$pg_dir/initdb.log" 2>&1; then
      cat "$pg_dir/initdb.log" >&2
      die "initdb failed"
    fi
    rm -f "$pg_dir/pwfile"
    cat >>"$pg_data/postgresql.conf" <<CONF
# Added by ${0##*/}: a throwaway server, unix socket only, not durable.
listen_addresses = ''
unix_socket_directories = '$pg_run'
port = $pg_port
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
CONF
  fi
  local pid
  pid=$(pid_in "$pg_data/postmaster.pid")
  if pg_isready -q -h "$pg_run" -p "$pg_port"; then
    note "PostgreSQL already running"
  elif process_alive "$pid"; then
    note "PostgreSQL (pid $pid) is starting; waiting"
  else
    # Lock files of a server that died would stop the new one.
    rm -f "$pg_data/postmaster.pid" "$pg_run/.s.PGSQL.$pg_port" \
      "$pg_run/.s.PGSQL.$pg_port.lock"
    if ! as_db_user "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_log" -w \
        -t "$db_timeout" start >/dev/null; then
      tail -n 30 "$pg_log" >&2 || true
      die "PostgreSQL did not start within ${db_timeout}s (log: $pg_log)"
    fi
  fi
  wait_for pg_isready -q -h "$pg_run" -p "$pg_port" ||
    die "PostgreSQL does not accept connections on $pg_run (log: $pg_log)"
  PGPASSWORD=$pg_test_password psql -X -q -v ON_ERROR_STOP=1 \
    -h "$pg_run" -p "$pg_port" -U gtp_test -d postgres >/dev/null <<SQL ||
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gtp_nocreate') THEN
    CREATE ROLE gtp_nocreate;
  END IF;
END \$\$;
ALTER ROLE gtp_nocreate LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
  PASSWORD '$pg_nocreate_password';
ALTER ROLE gtp_test PASSWORD '$pg_test_password';
SQL
    die "could not create the PostgreSQL test roles"
  note "PostgreSQL ready on $pg_run"
}

# --- MariaDB --------------------------------------------------------------
mariadb_alive() {
  mariadb-admin --no-defaults --socket="$mariadb_socket" --connect-timeout=2 \
    ping >/dev/null 2>&1
}

mariadb_as_root() {
  MYSQL_PWD=$mariadb_root_password mariadb --no-defaults \
      --socket="$mariadb_socket" -u root "$@" 2>/dev/null ||
    mariadb --no-defaults --socket="$mariadb_socket" -u root "$@"
}

start_mariadb() {
  if [[ ! -d "$mariadb_data/mysql" ]]; then
    rm -rf "$mariadb_dir"
    mkdir -p "$mariadb_data" "$mariadb_run" "$mariadb_dir/tmp"
    chown -R "$server_user": "$mariadb_dir"
    chmod 700 "$mariadb_data"
    if ! as_db_user mariadb-install-db --no-defaults \
        --datadir="$mariadb_data" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve >"$mariadb_dir/install.log" 2>&1
    then
      cat "$mariadb_dir/install.log" >&2
      die "mariadb-install-db failed"
    fi
  fi
  local pid
  pid=$(pid_in "$mariadb_pid")
  if mariadb_alive; then
    note "MariaDB already running"
  elif process_alive "$pid"; then
    note "MariaDB (pid $pid) is starting; waiting"
    wait_for mariadb_alive ||
      die "MariaDB (pid $pid) does not answer (log: $mariadb_log)"
  else
    rm -f "$mariadb_socket" "$mariadb_pid"
    set_run_as
    "${run_as[@]}" setsid mariadbd --no-defaults \
      --datadir="$mariadb_data" \
      --socket="$mariadb_socket" \
      --pid-file="$mariadb_pid" \
      --log-error="$mariadb_log" \
      --tmpdir="$mariadb_dir/tmp" \
      --skip-networking \
      --skip-name-resolve \
      --skip-log-bin \
      --innodb-flush-log-at-trx-commit=0 \
      --innodb-doublewrite=0 \
      --innodb-buffer-pool-size=64M \
      --innodb-log-file-size=32M \
      --max-connections=300 \
      --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_general_ci \
      </dev/null >>"$mariadb_dir/stdout.log" 2>&1 9>&- &
    local server=$!
    local deadline=$((SECONDS + db_timeout))
    until mariadb_alive; do
      if ! kill -0 "$server" 2>/dev/null; then
        tail -n 30 "$mariadb_log" >&2 || true
        die "MariaDB exited during start-up (log: $mariadb_log)"
      fi
      if (( SECONDS >= deadline )); then
        tail -n 30 "$mariadb_log" >&2 || true
        die "MariaDB did not start within ${db_timeout}s (log: $mariadb_log)"
      fi
      sleep 0.2
    done
  fi
  mariadb_as_root <<SQL ||
ALTER USER 'root'@'localhost' IDENTIFIED BY '$mariadb_root_password';
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
CREATE USER IF NOT EXISTS 'gtp_test'@'localhost';
ALTER USER 'gtp_test'@'localhost' IDENTIFIED BY '$mariadb_test_password';
GRANT ALL PRIVILEGES ON *.* TO 'gtp_test'@'localhost' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'gtp_nocreate'@'localhost';
ALTER USER 'gtp_nocreate'@'localhost'
  IDENTIFIED BY '$mariadb_nocreate_password';
FLUSH PRIVILEGES;
SQL
    die "could not create the MariaDB test users"
  note "MariaDB ready on $mariadb_socket"
}

start_postgresql
start_mariadb

# --- The environment file -------------------------------------------------
pg_url() {
  echo "postgresql://$1:$2@/postgres?host=$pg_run&port=$pg_port"
}
mariadb_url() {
  echo "mariadb://$1:$2@localhost/?socket=$mariadb_socket"
}
umask 077
cat >"$env_file.tmp" <<ENV
# Written by scripts/start-databases.sh: the throwaway database servers of
# the database tests. Source it; it holds passwords, keep it private.
export GTEST_PARALLEL_DB_DIR='$db_dir'
export GTEST_PARALLEL_TEST_PG_URL='$(pg_url gtp_test "$pg_test_password")'
export GTEST_PARALLEL_TEST_PG_NOCREATE_URL='$(pg_url gtp_nocreate "$pg_nocreate_password")'
export GTEST_PARALLEL_TEST_MARIADB_URL='$(mariadb_url gtp_test "$mariadb_test_password")'
export GTEST_PARALLEL_TEST_MARIADB_NOCREATE_URL='$(mariadb_url gtp_nocreate "$mariadb_nocreate_password")'
ENV
mv "$env_file.tmp" "$env_file"
note "environment: source $env_file"
