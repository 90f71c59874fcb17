#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (issue 9).
#
#   scripts/pg-cluster.sh start DIR   initdb + pg_ctl start in DIR, on a free loopback port; writes DIR/conninfo
#   scripts/pg-cluster.sh stop DIR    stops the cluster and removes DIR; idempotent (nothing there is not an error)
#   scripts/pg-cluster.sh restart DIR restarts the running cluster of DIR on the same port (fast shutdown: sessions are
#                                     cut, as in a failover), down for $GOVSHARE_PG_DOWN_S seconds (default 0)
#
# Promises: the cluster listens on 127.0.0.1 only (and on a unix socket in DIR/socket), trusts local connections of its
# one superuser `govshare`, and holds an empty database `govshare`. DIR/conninfo is one line, a libpq URI
# (postgresql://govshare@127.0.0.1:PORT/govshare). `start` on a DIR that still holds a cluster (a killed earlier run)
# stops and removes that one first, so every start gets a fresh cluster. Data, socket and log live in DIR unless the
# cluster's owner cannot reach DIR; then they live in a temporary directory that DIR/location names and stop removes.
#
# initdb refuses to run as root (CI runs as root), so under root the cluster belongs to an unprivileged user
# (GOVSHARE_PG_USER, default nobody) and every PostgreSQL program runs through runuser. The cluster is for tests only:
# pg_stat_statements is loaded (tests assert what a statement costs in buffers); extra postmaster settings (e.g.
# `-c auto_explain...` for a benchmark) come from GOVSHARE_PG_OPTIONS. fsync is off (a crash of the machine loses it, which is fine for a throwaway cluster; the store still asks for
# synchronous_commit=on, so its code paths are the production ones).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RUN_USER=${GOVSHARE_PG_USER:-nobody}
START_ATTEMPTS=10

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

usage() { die "usage: $0 start|stop|restart DIR"; }

(($# == 2)) || usage
command=$1
dir=$2
[[ -n "$dir" && "$dir" != "/" ]] || die "refusing DIR '$dir'"

# Runs a command as the cluster's owner: the current user, or RUN_USER when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$RUN_USER" -- "$@"
  else
    "$@"
  fi
}

stop_cluster() {
  local d=$1 home=$1
  [ -f "$d/location" ] && home=$(cat "$d/location")
  if [ -f "$home/data/postmaster.pid" ]; then
    # Immediate: the data is thrown away anyway, and a test that crashed may have left sessions open.
    as_owner "$PGBIN/pg_ctl" -D "$home/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [ "$home" != "$d" ] && rm -rf "$home"
  rm -rf "$d"
}

# True if something already listens on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The postmaster's settings for a cluster in $1 listening on port $2.
server_options() {
  echo "-c listen_addresses=127.0.0.1 -p $2 -c unix_socket_directories=$1/socket -c fsync=off -c full_page_writes=off \
-c max_connections=200 -c shared_preload_libraries=pg_stat_statements ${GOVSHARE_PG_OPTIONS:-}"
}

start_cluster() {
  local d=$1
  [ -x "$PGBIN/initdb" ] || die "no PostgreSQL 15 in $PGBIN: run scripts/setup.sh (it installs postgresql-15)"
  stop_cluster "$d"
  mkdir -p "$d"
  d=$(cd "$d" && pwd)
  # The cluster's home: DIR itself, or, when the cluster's owner cannot reach DIR (a checkout under a closed home
  # directory), a fresh directory under $TMPDIR whose path DIR/location records.
  local home=$d
  if [ "$(id -u)" = 0 ]; then
    chown "$RUN_USER" "$d"
    if ! as_owner test -w "$d"; then
      home=$(mktemp -d "${TMPDIR:-/tmp}/govshare-pg.XXXXXX")
      chown "$RUN_USER" "$home"
      echo "$home" >"$d/location"
    fi
  fi
  as_owner mkdir -p "$home/socket"
  as_owner "$PGBIN/initdb" -D "$home/data" -U govshare --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$d/initdb.log" 2>&1 || die "initdb failed: $(cat "$d/initdb.log")"

  # A free port: pick one at random, and if another process takes it before the postmaster binds, try another one.
  local port="" attempt
  for ((attempt = 1; attempt <= START_ATTEMPTS; attempt++)); do
    local candidate=$((20000 + RANDOM % 40000))
    port_in_use "$candidate" && continue
    if as_owner "$PGBIN/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t 60 \
      -o "$(server_options "$home" "$candidate")" start >/dev/null 2>&1; then
      port=$candidate
      break
    fi
  done
  [ -n "$port" ] || die "postgres did not start after $START_ATTEMPTS attempts: $(tail -n 20 "$home/postgres.log")"

  as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U govshare govshare || die "createdb failed"
  echo "$port" >"$d/port"
  echo "postgresql://govshare@127.0.0.1:$port/govshare" >"$d/conninfo.tmp"
  mv "$d/conninfo.tmp" "$d/conninfo"
  echo "pg-cluster: PostgreSQL 15 on 127.0.0.1:$port, data in $home/data; conninfo in $d/conninfo"
}

restart_cluster() {
  local d=$1 home=$1
  [ -f "$d/location" ] && home=$(cat "$d/location")
  [ -f "$home/data/postmaster.pid" ] || die "no cluster runs in $d"
  as_owner "$PGBIN/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null 2>&1 || die "stop failed"
  sleep "${GOVSHARE_PG_DOWN_S:-0}"
  as_owner "$PGBIN/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t 60 \
    -o "$(server_options "$home" "$(cat "$d/port")")" start >/dev/null 2>&1 ||
    die "start failed: $(tail -n 20 "$home/postgres.log")"
}

case "$command" in
  start) start_cluster "$dir" ;;
  restart) restart_cluster "$dir" ;;
  stop) stop_cluster "$dir" ;;
  *) usage ;;
esac
