#!/usr/bin/env bash
# PostgreSQL bulk load (issue 9): the PostgreSQL DatasetStore's snapshot load of the demo's 1M-person CSV (validation,
# COPY into a staging table, the net effect into the city-partitioned table with its change feed, one transaction)
# against psql's \copy of the same file into an equivalent table (the same columns and types, PRIMARY KEY (ID, city),
# partitioned by city alike, the region index), each into a fresh database. Alternating rounds; medians.
# Usage: bench/pg_load.sh CONNINFO [build-dir] [rows] [rounds]
#   CONNINFO: a server where the user may create databases (e.g. $(cat /tmp/pg-x/conninfo) of scripts/pg-cluster.sh).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
BASE=${1:?usage: bench/pg_load.sh CONNINFO [build-dir] [rows] [rounds]}
BUILD=${2:-build}
ROWS=${3:-1000000}
ROUNDS=${4:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BUILD/govshare" demo-population --out "$TMP/people.csv" --people "$ROWS"
echo "file: $ROWS rows, $(du -m "$TMP/people.csv" | cut -f1) MB"

# The baseline table: what the store generates for the population dataset (d1 of the benchmark), filled by \copy.
baseline() {
  local uri
  uri=$(fresh_db "$BASE" govshare_bench_copy)
  population_ddl | psql "$uri" -q >/dev/null
  local t0 t1
  t0=$(now)
  psql "$uri" -q -c "BEGIN" -c "\\copy raw FROM '$TMP/people.csv' WITH (FORMAT csv, HEADER true)" \
    -c "INSERT INTO d1 SELECT *, COALESCE(left(c9, 4) || '00', '') FROM raw" -c "COMMIT" >/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc
}

ours() {
  local uri
  uri=$(fresh_db "$BASE" govshare_bench_store)
  GOVSHARE_PG_CONNINFO=$uri GOVSHARE_BENCH_CSV=$TMP/people.csv "$BUILD/govshare_bench" \
    --benchmark_filter=BM_PgSnapshotLoad --benchmark_out="$TMP/bench.json" --benchmark_out_format=json >/dev/null 2>&1
  python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["benchmarks"][0]; print(b.get("error_message") or b["real_time"])' "$TMP/bench.json"
}

o=()
b=()
for round in $(seq 1 "$ROUNDS"); do
  b+=("$(baseline)")
  o+=("$(ours)")
  echo "round $round: psql \\copy + INSERT ${b[-1]} s, store ${o[-1]} s"
done
mo=$(printf '%s\n' "${o[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
echo "median: store $mo s ($(echo "$ROWS / $mo" | bc) rows/s), psql \\copy $mb s ($(echo "$ROWS / $mb" | bc) rows/s), ratio $(echo "scale=2; $mb / $mo" | bc)"
psql "$BASE" -qc "DROP DATABASE IF EXISTS govshare_bench_copy" -c "DROP DATABASE IF EXISTS govshare_bench_store" >/dev/null
