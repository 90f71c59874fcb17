#!/usr/bin/env bash
# SQLite → PostgreSQL conversion (issue 9): `govshare convert` of a demo platform whose population dataset has ROWS
# people (and a tenth as many legal persons), against the standard tools moving just the population: sqlite3's CSV
# export of d1 piped into psql's \copy, then INSERT into the equivalent city-partitioned table and VACUUM ANALYZE (what
# convert also ends with). Each round into a fresh database; medians of the rounds.
# Usage: bench/pg_convert.sh CONNINFO [build-dir] [rows] [rounds]
#   CONNINFO: a server where the user may create databases (e.g. $(cat /tmp/pg-x/conninfo) of scripts/pg-cluster.sh).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
BASE=${1:?usage: bench/pg_convert.sh CONNINFO [build-dir] [rows] [rounds]}
BUILD=${2:-build}
ROWS=${3:-1000000}
ROUNDS=${4:-3}
TMP=$(mktemp -d)
export PGOPTIONS="-c client_min_messages=warning"
trap 'rm -rf "$TMP"' EXIT
command -v sqlite3 >/dev/null || apt-get install -y sqlite3 >/dev/null

"$BUILD/govshare" demo --data "$TMP/node" --population "$ROWS" >/dev/null 2>&1
echo "source: demo platform, $ROWS people, $(du -sm "$TMP/node" | cut -f1) MB in $TMP/node"

baseline() {
  local uri t0 t1
  uri=$(fresh_db "$BASE" govshare_bench_export)
  population_ddl | psql "$uri" -q >/dev/null
  t0=$(now)
  sqlite3 -csv "$TMP/node/exchange.db" "SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9, c10 FROM d1" |
    psql "$uri" -q -c "BEGIN" -c "\\copy raw FROM STDIN WITH (FORMAT csv)" \
      -c "INSERT INTO d1 SELECT *, COALESCE(left(c9, 4) || '00', '') FROM raw" -c "COMMIT" -c "VACUUM ANALYZE d1" \
      >/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc
}

ours() {
  local uri t0 t1
  uri=$(fresh_db "$BASE" govshare_bench_convert)
  t0=$(now)
  "$BUILD/govshare" convert --data "$TMP/node" --to "$uri" >"$TMP/convert.log" 2>&1 || {
    cat "$TMP/convert.log" >&2
    exit 1
  }
  t1=$(now)
  echo "$t1 - $t0" | bc
}

o=()
b=()
for round in $(seq 1 "$ROUNDS"); do
  b+=("$(baseline)")
  o+=("$(ours)")
  echo "round $round: sqlite3 export | psql \\copy + INSERT + VACUUM ANALYZE (population only) ${b[-1]} s," \
    "govshare convert (everything) ${o[-1]} s"
done
grep -E "^  d1 |audit_records|^root" "$TMP/convert.log"
mo=$(printf '%s\n' "${o[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
echo "median: convert $mo s ($(echo "$ROWS / $mo" | bc) population rows/s), export + \\copy $mb s" \
  "($(echo "$ROWS / $mb" | bc) rows/s), ratio $(echo "scale=2; $mb / $mo" | bc)"
psql "$BASE" -qc "DROP DATABASE IF EXISTS govshare_bench_export" -c "DROP DATABASE IF EXISTS govshare_bench_convert" \
  >/dev/null
