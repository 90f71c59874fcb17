#!/usr/bin/env bash
# The move from SQLite to PostgreSQL as an operator makes it (docs/OPERATIONS.md §6), through the binary: a demo
# platform serves audited lookups and a login on SQLite; it stops; `govshare convert` moves it into an empty database of
# the test cluster; served from PostgreSQL it gives the same answer to the same lookup, the same passwords and the
# sessions work, the audit log goes on from the same root and verifies; a second conversion into it is refused.
# Usage: convert_smoke.sh path/to/govshare CLUSTER_DIR (the `postgres` CTest fixture's scripts/pg-cluster.sh cluster)
set -euo pipefail
BIN=${1:?usage: convert_smoke.sh path/to/govshare CLUSTER_DIR}
BASE=$(cat "${2:?usage: convert_smoke.sh path/to/govshare CLUSTER_DIR}/conninfo")
TMP=$(mktemp -d)
DB=govshare_convert_smoke_$$
URI="${BASE%/*}/$DB"
export PGOPTIONS="-c client_min_messages=warning"
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  psql "$BASE" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
B="http://127.0.0.1:$PORT"
start() {
  "$BIN" serve --data "$TMP/node" --listen "127.0.0.1:$PORT" >>"$TMP/serve.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do curl -sf "$B/readyz" >/dev/null && return; sleep 0.1; done
  fail "serve did not get ready: $(tail -5 "$TMP/serve.log")"
}
stop() {
  kill -TERM "$PID"
  wait "$PID" || fail "serve did not stop cleanly"
  PID=""
}
cred() { python3 -c "import json,sys; c=json.load(open('$TMP/node/demo-credentials.json')); $1"; }
lookup() {
  curl -s "$B/api/v1/data/1/records/$ID" -H "Authorization: Bearer $KEY" -H "X-Grant-Id: $GRANT" \
    -H "X-Business-Ref: SMOKE-$1"
}
login() {
  curl -s -X POST "$B/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"requester\",\"password\":\"$PW\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
root() { sed -n 's/^root: //p'; }

"$BIN" demo --data "$TMP/node" --population 500 >/dev/null
KEY=$(cred "print([a for a in c['applications'] if a['grants']][0]['api_key'])")
GRANT=$(cred "print([a for a in c['applications'] if a['grants']][0]['grants'][0])")
PW=$(cred "print([u['password'] for u in c['users'] if u['username'] == 'requester'][0])")
ID=$("$BIN" demo-population --out /dev/stdout --people 500 | sed -n '2p' | cut -d, -f1)

start
before=$(lookup 1)
grep -q '"record"' <<<"$before" || fail "lookup on SQLite: $before"
TOKEN=$(login)
stop
"$BIN" audit verify --data "$TMP/node" >"$TMP/verify.txt" || fail "audit verify on SQLite: $(cat "$TMP/verify.txt")"
root_before=$(root <"$TMP/verify.txt")
records_before=$(sed -n 's/^records: //p' "$TMP/verify.txt")

psql "$BASE" -qc "CREATE DATABASE $DB" >/dev/null
"$BIN" convert --data "$TMP/node" --to "$URI" >"$TMP/convert.txt" 2>&1 || fail "convert: $(tail -5 "$TMP/convert.txt")"
[ "$(root <"$TMP/convert.txt")" = "$root_before" ] || fail "the audit root changed: $(grep root "$TMP/convert.txt")"

export GOVSHARE_STORAGE=$URI
start
after=$(lookup 2)
[ "$after" = "$before" ] || fail "the same lookup answers otherwise on PostgreSQL: $after vs $before"
code=$(curl -s -o /dev/null -w '%{http_code}' "$B/api/v1/me" -H "Authorization: Bearer $TOKEN")
[ "$code" = 200 ] || fail "a session from before the move got $code"
[ -n "$(login)" ] || fail "the requester's password does not work on PostgreSQL"
stop
"$BIN" audit verify --data "$TMP/node" >"$TMP/verify.txt" || fail "audit verify on PostgreSQL: $(cat "$TMP/verify.txt")"
records=$(sed -n 's/^records: //p' "$TMP/verify.txt")
[ "$records" -gt "$records_before" ] || fail "the log did not go on on PostgreSQL: $records_before → $records records"

"$BIN" convert --data "$TMP/node" --to "$URI" >"$TMP/again.txt" 2>&1 && fail "a second conversion into the database ran"
grep -q target_not_empty "$TMP/again.txt" || fail "a second conversion: $(cat "$TMP/again.txt")"
echo "convert smoke: 1 passed, 0 failed"
