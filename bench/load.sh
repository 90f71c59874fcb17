#!/usr/bin/env bash
# Bulk load benchmark (issue 7): `govshare import` of the 1M-person CSV into the demo's population dataset (validation,
# keyed table, region index, change feed, atomic swap) against `sqlite3 .import` of the same file into an equivalent
# keyed table (the same generated DDL: WITHOUT ROWID primary key on the ID, index on the region code;
# journal_mode=WAL, synchronous=FULL). Alternating rounds, each into an empty dataset / a fresh database file; medians.
# Usage: bench/load.sh [build/govshare] [rows] [rounds]
set -euo pipefail
BIN=${1:-build/govshare}
ROWS=${2:-1000000}
ROUNDS=${3:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BIN" demo-population --out "$TMP/people.csv" --people "$ROWS"
echo "file: $ROWS rows, $(du -m "$TMP/people.csv" | cut -f1) MB"
"$BIN" demo --data "$TMP/pristine" --population 0 >/dev/null
# The population entry's dataset id and its generated DDL.
ID=$(sqlite3 "$TMP/pristine/exchange.db" "SELECT id FROM datasets WHERE name = '常住人口基本信息'")
DDL=$(sqlite3 "$TMP/pristine/exchange.db" "SELECT sql FROM sqlite_master WHERE name = 'd$ID'")
INDEX=$(sqlite3 "$TMP/pristine/exchange.db" "SELECT sql FROM sqlite_master WHERE name = 'd${ID}_region'")
echo "table: $DDL; $INDEX"

now() { date +%s.%N; }
# sqlite3 .import into a fresh file; $1: extra pragmas (the second baseline gets the writer cache govshare uses).
baseline() {
  rm -f "$TMP/base.db" "$TMP/base.db-wal" "$TMP/base.db-shm"
  sqlite3 "$TMP/base.db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
$1
$DDL;
$INDEX;
.mode csv
.import --skip 1 $TMP/people.csv d$ID
SQL
  n=$(sqlite3 "$TMP/base.db" "SELECT count(*) FROM d$ID")
  [ "$n" = "$ROWS" ] || { echo "sqlite3 imported $n rows" >&2; exit 1; }
}
ours=()
base=()
cached=()
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$TMP/work"
  cp -a "$TMP/pristine" "$TMP/work"
  sync
  t0=$(now)
  baseline ""
  t1=$(now)
  sync
  t4=$(now)
  baseline "PRAGMA cache_size=-65536;"
  t5=$(now)
  sync
  t2=$(now)
  "$BIN" import --dataset "$ID" "$TMP/people.csv" --data "$TMP/work" >"$TMP/report.json"
  t3=$(now)
  grep -q "\"row_count\": $ROWS" "$TMP/report.json" || { cat "$TMP/report.json" >&2; exit 1; }
  b=$(echo "$t1 - $t0" | bc)
  o=$(echo "$t3 - $t2" | bc)
  c=$(echo "$t5 - $t4" | bc)
  base+=("$b")
  ours+=("$o")
  cached+=("$c")
  echo "round $round: sqlite3 .import ${b}s, sqlite3 .import with a 64 MiB cache ${c}s, govshare import ${o}s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mb=$(median "${base[@]}")
mo=$(median "${ours[@]}")
echo "median sqlite3 .import: ${mb}s = $(echo "$ROWS / $mb" | bc) rows/s"
echo "median govshare import: ${mo}s = $(echo "$ROWS / $mo" | bc) rows/s"
mc=$(median "${cached[@]}")
echo "median sqlite3 .import with a 64 MiB cache: ${mc}s = $(echo "$ROWS / $mc" | bc) rows/s"
echo "ratio (govshare rows/s ÷ sqlite3 rows/s): $(echo "scale=2; $mb / $mo" | bc)"
echo "ratio against the 64 MiB-cache baseline: $(echo "scale=2; $mc / $mo" | bc)"
