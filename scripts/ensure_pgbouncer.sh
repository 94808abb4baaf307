#!/usr/bin/env bash
# PgBouncer in transaction mode in front of the local PostgreSQL, on 127.0.0.1:6432
# (`make test-postgres` runs the suite through it; docs/operations.md). Usage:
#   scripts/ensure_pgbouncer.sh [FOLDER]   (config and log; default var/pgbouncer)
# Installs Debian's pgbouncer when missing (as root), writes the config, starts it in the
# background unless the one it started before still runs, and waits until it answers.
# Never through the Debian service: the process is the project's, with this config.
set -euo pipefail
folder=${1:-$(dirname "$0")/../var/pgbouncer}
port=${LIFELINE_PGBOUNCER_PORT:-6432}

pidfile=$folder/pgbouncer.pid

answers() { pg_isready -q -h 127.0.0.1 -p "$port" -U postgres -d postgres 2>/dev/null; }
ours() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
# A PgBouncer in transaction mode in front of the local server: this script's, or one
# another checkout of the project started (CI clones run one after another on a machine).
transaction_pooler() {
  psql -h 127.0.0.1 -p "$port" -U postgres -d pgbouncer -Atc "SHOW CONFIG" 2>/dev/null |
    grep -q '^pool_mode|transaction|'
}
if answers; then
  if ours || transaction_pooler; then exit 0; fi
  # Debian's own service (session mode, its own users) also listens on 6432 by default.
  echo "Another server answers on 127.0.0.1:$port, not a PgBouncer in transaction mode" >&2
  exit 1
fi

bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
if [ ! -x "$bin" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PgBouncer is missing: run 'apt-get install -y pgbouncer' as root" >&2
    exit 1
  fi
  echo "Installing Debian's pgbouncer"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
fi

mkdir -p "$folder"
folder=$(cd "$folder" && pwd)
# The suite's race tests run up to 32 threads at once, each holding a server connection
# for its transaction; PostgreSQL allows 100 connections in all (its own default), shared with
# whatever else uses the server. Idle server connections close after 30 s.
cat >"$folder/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $folder/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 60
max_db_connections = 70
max_client_conn = 500
server_idle_timeout = 30
ignore_startup_parameters = extra_float_digits
EOF
printf '"postgres" ""\n' >"$folder/userlist.txt"

# PgBouncer refuses to run as root: it reads the config first, then becomes postgres. It
# writes no log file or pid file of its own (the folder may be closed to postgres); its
# output goes to the log this shell opens.
as_user=()
if [ "$(id -u)" -eq 0 ]; then as_user=(-u postgres); fi
setsid "$bin" "${as_user[@]}" "$folder/pgbouncer.ini" >>"$folder/pgbouncer.log" 2>&1 </dev/null &
echo $! >"$pidfile"
for _ in $(seq 1 30); do
  if answers; then exit 0; fi
  if ! ours; then break; fi
  sleep 1
done
echo "PgBouncer did not start (see $folder/pgbouncer.log):" >&2
tail -5 "$folder/pgbouncer.log" >&2
exit 1
