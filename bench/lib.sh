# Shell functions shared by the benchmark scripts (sourced; run from the repository root).

# The SQL of the baseline's population tables: `raw` (the ten items as text) and `d1`, what the PostgreSQL
# DatasetStore generates for the demo population (the same columns and types, PRIMARY KEY (c1, city), partitioned by
# city as the region tree's cities, the region index).
population_ddl() {
  local cities
  cities=$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["regions"]:
    if r["level"] == "city":
        print(r["division_code"])' data/regions/hebei.json)
  echo 'CREATE TABLE raw (c1 TEXT COLLATE "C" NOT NULL, c2 TEXT COLLATE "C", c3 TEXT COLLATE "C", c4 TEXT COLLATE "C",
    c5 TEXT COLLATE "C", c6 TEXT COLLATE "C", c7 TEXT COLLATE "C", c8 TEXT COLLATE "C", c9 TEXT COLLATE "C",
    c10 TEXT COLLATE "C");'
  echo 'CREATE TABLE d1 (c1 TEXT COLLATE "C" NOT NULL, c2 TEXT COLLATE "C", c3 TEXT COLLATE "C", c4 TEXT COLLATE "C",
    c5 TEXT COLLATE "C", c6 TEXT COLLATE "C", c7 TEXT COLLATE "C", c8 TEXT COLLATE "C", c9 TEXT COLLATE "C",
    c10 TEXT COLLATE "C", city TEXT COLLATE "C" NOT NULL DEFAULT '"''"', PRIMARY KEY (c1, city)) PARTITION BY LIST (city);'
  for c in $cities; do echo "CREATE TABLE d1_p$c PARTITION OF d1 FOR VALUES IN ('$c');"; done
  echo "CREATE TABLE d1_pdefault PARTITION OF d1 DEFAULT;"
  echo "CREATE INDEX d1_region ON d1 (c9);"
}

# The median of the numbers on standard input, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

now() { date +%s.%N; }

# A URI of database $2 on the server of URI $1; fresh_db makes that database anew (empty) and prints its URI.
db_uri() { echo "${1%/*}/$2"; }
fresh_db() {
  PGOPTIONS="-c client_min_messages=warning" psql "$1" -qc "DROP DATABASE IF EXISTS $2" -c "CREATE DATABASE $2" >/dev/null
  db_uri "$1" "$2"
}
