#!/usr/bin/env bash
# Two govshare nodes on one PostgreSQL (issue 9, deliverable 6): audited key lookups (GET /api/v1/data/{dataset}/
# records/{key}, the demo population, one grant through the real process) with wrk against both nodes at once, beside
# `pgbench -S` (its select-only TPC-B-like load: one primary-key read per transaction) on the same server and machine.
# Each round: the two nodes (half the connections each, summed), then pgbench with as many clients. Medians; ratio =
# govshare's audited lookups per second / pgbench's transactions per second.
#
# Usage: bench/pg_nodes.sh [build-dir]
#   POPULATION (200000) ROUNDS (3) DURATION (8) seconds, CONNECTIONS (32, in all) KEYS (10000) PGBENCH_SCALE (10)
#   PG_LOG=FILE: the PostgreSQL server's log is copied there at the end
#   STATEMENTS=1: after each round, the statements of the nodes' database that took the most server time in it
#   (pg_stat_statements, which scripts/pg-cluster.sh loads): calls, total and mean ms, rows.
#   The nodes inherit the environment: e.g. GOVSHARE_AUDIT_COMMIT_WAIT_US=500 sets their audit commit wait.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
BUILD=${1:-build}
BIN=$BUILD/govshare
POPULATION=${POPULATION:-200000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-32}
KEYS=${KEYS:-10000}
PGBENCH_SCALE=${PGBENCH_SCALE:-10}
WORK=$(mktemp -d)
CLUSTER=$WORK/pg
PIDS=()

die() {
  echo "pg_nodes: $*" >&2
  exit 1
}
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${PG_LOG:-}" ]]; then  # keep the server's log (e.g. with GOVSHARE_PG_OPTIONS="-c log_checkpoints=on")
    local home=$CLUSTER
    [[ -f "$CLUSTER/location" ]] && home=$(cat "$CLUSTER/location")
    cp "$home/postgres.log" "$PG_LOG" 2>/dev/null || true
  fi
  scripts/pg-cluster.sh stop "$CLUSTER" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for tool in wrk jq psql pgbench; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -x "$BIN" ]] || die "no $BIN: run make build"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() {
  for _ in $(seq 1 200); do
    curl -fsS --max-time 1 "$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

scripts/pg-cluster.sh start "$CLUSTER" >/dev/null
URI=$(cat "$CLUSTER/conninfo")
echo "postgresql: $URI (throwaway cluster, fsync off)"
GOVSHARE_STORAGE=$URI "$BIN" demo --data "$WORK/n1" --population "$POPULATION" >"$WORK/demo.out" 2>&1 ||
  { cat "$WORK/demo.out" >&2; die "govshare demo failed"; }
mkdir -p "$WORK/n2"
cp "$WORK/n1/mask.key" "$WORK/n1/audit.key" "$WORK/n2/"
PORTS=()
for n in n1 n2; do
  port=$(free_port)
  GOVSHARE_STORAGE=$URI GOVSHARE_LOG_ACCESS_LOG="" GOVSHARE_LOG_LEVEL=warn \
    "$BIN" serve --data "$WORK/$n" --listen "127.0.0.1:$port" >"$WORK/$n.out" 2>&1 &
  PIDS+=($!)
  PORTS+=("$port")
  wait_ready "http://127.0.0.1:$port" || { cat "$WORK/$n.out" >&2; die "node $n did not become ready"; }
done
BASE="http://127.0.0.1:${PORTS[0]}"

# A grant through the real process (Art. 15), as bench/run.sh makes it (bench/lib.sh).
bench_lookup_grant "$BASE" "$WORK/n1/demo-credentials.json" || die "no grant for the benchmark"
psql "$URI" -Atc "SELECT c1 FROM d$ENTRY ORDER BY random() LIMIT $KEYS" >"$WORK/keys.txt"
[[ -s "$WORK/keys.txt" ]] || die "no keys in dataset $ENTRY"
bench_lookup_lua "$WORK/lookup.lua" "$WORK/keys.txt"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $API_KEY" -H "X-Grant-Id: $GRANT" \
  -H "X-Business-Ref: BENCH-0001" "http://127.0.0.1:${PORTS[1]}/api/v1/data/$ENTRY/records/$(head -n1 "$WORK/keys.txt")")
[[ "$code" == 200 ]] || die "a lookup through the second node answered $code"

PGBENCH_DB=${URI%/*}/pgbench
psql "$URI" -qc "CREATE DATABASE pgbench" >/dev/null
pgbench -q -i -s "$PGBENCH_SCALE" "$PGBENCH_DB" >/dev/null 2>&1

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v p="$1%" '$1 == p {print $2; exit}' "$2"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
HALF=$((CONNECTIONS / 2))
GS=()
PG=()
echo "rounds: $ROUNDS × ${DURATION}s; govshare: wrk -t1 -c$HALF on each node; pgbench -S -c$CONNECTIONS -j2"
STATEMENTS=${STATEMENTS:-0}
[[ "$STATEMENTS" == 1 ]] && psql "$URI" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
for round in $(seq 1 "$ROUNDS"); do
  [[ "$STATEMENTS" == 1 ]] && psql "$URI" -qAtc "SELECT pg_stat_statements_reset()" >/dev/null
  wrk --latency -t1 -c"$HALF" -d"${DURATION}s" -s "$WORK/lookup.lua" "http://127.0.0.1:${PORTS[0]}" >"$WORK/w1.txt" &
  w1=$!
  wrk --latency -t1 -c"$HALF" -d"${DURATION}s" -s "$WORK/lookup.lua" "http://127.0.0.1:${PORTS[1]}" >"$WORK/w2.txt"
  wait "$w1"
  [[ -z "$(non2xx "$WORK/w1.txt")$(non2xx "$WORK/w2.txt")" ]] ||
    die "non-2xx answers: $(non2xx "$WORK/w1.txt") $(non2xx "$WORK/w2.txt")"
  sum=$(awk -v a="$(rps "$WORK/w1.txt")" -v b="$(rps "$WORK/w2.txt")" 'BEGIN {printf "%.0f", a + b}')
  if [[ "$STATEMENTS" == 1 ]]; then
    psql "$URI" -c "SELECT calls, round(total_exec_time::numeric) AS ms, round(mean_exec_time::numeric, 3) AS mean_ms,
      rows, left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS statement FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 8"
  fi
  tps=$(pgbench -S -n -c "$CONNECTIONS" -j 2 -T "$DURATION" "$PGBENCH_DB" 2>/dev/null |
    awk '/^tps/ {printf "%.0f", $3; exit}')
  GS+=("$sum")
  PG+=("$tps")
  echo "round $round: govshare (2 nodes) $sum req/s (node 1 $(rps "$WORK/w1.txt"), node 2 $(rps "$WORK/w2.txt");" \
    "node 1 p50 $(pct 50 "$WORK/w1.txt") p99 $(pct 99 "$WORK/w1.txt")); pgbench -S $tps tps"
done
gs=$(printf '%s\n' "${GS[@]}" | median)
pg=$(printf '%s\n' "${PG[@]}" | median)
records=$(psql "$URI" -Atc "SELECT count(*) FROM audit_records")
echo "median: govshare $gs audited lookups/s, pgbench -S $pg tps, ratio $(awk -v a="$gs" -v b="$pg" 'BEGIN {printf "%.3f", a / b}')"
echo "audit records in the one tree: $records"
