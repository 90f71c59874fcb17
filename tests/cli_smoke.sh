#!/usr/bin/env bash
# End-to-end check of the binary as an operator uses it: init prints a working admin login, migrate is idempotent,
# serve answers /healthz, /readyz, /metrics (valid for promtool), a requester gets 403 on an admin route, and SIGTERM
# shuts down gracefully with exit code 0; demo loads the population dataset and import loads a file (or refuses one).
set -euo pipefail
BIN=${1:?usage: cli_smoke.sh path/to/govshare}
TMP=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$BIN" init --data "$TMP/init")
pw=$(sed -n 's/^administrator: admin \/ \([^ ]*\).*/\1/p' <<<"$out")
[ -n "$pw" ] || fail "init did not print the admin password: $out"
"$BIN" init --data "$TMP/init" >/dev/null 2>&1 && fail "init ran twice on the same directory"
"$BIN" migrate --data "$TMP/init" | grep -q "schema version 9" || fail "migrate"

demo_out=$("$BIN" demo --data "$TMP/demo" --population 2000)
pop_id=$(sed -n 's/^dataset \([0-9]*\) (常住人口基本信息): 2000 rows loaded.*/\1/p' <<<"$demo_out")
[ -n "$pop_id" ] || fail "demo did not load the population dataset: $demo_out"
# import: a snapshot from a file, printed as a report; a file with a bad row changes nothing (exit 2).
"$BIN" demo-population --out "$TMP/pop.csv" --people 300
"$BIN" import --dataset "$pop_id" "$TMP/pop.csv" --data "$TMP/demo" | grep -q '"row_count": 300' || fail "import"
{ head -1 "$TMP/pop.csv"; echo "130102199001010016,王五,1,1990-01-01,01,地址,地址,13800001999,130102,"; } >"$TMP/bad.csv"
set +e
"$BIN" import --dataset "$pop_id" "$TMP/bad.csv" --data "$TMP/demo" >"$TMP/bad.txt"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q resident_id_checksum "$TMP/bad.txt" || fail "import of a bad row: $rc $(cat "$TMP/bad.txt")"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --data "$TMP/init" --listen "127.0.0.1:$PORT" >"$TMP/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" | grep -q '"ok"' || fail "healthz"
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || fail "readyz"
login=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$pw\"}")
grep -q '"token"' <<<"$login" || fail "the printed admin login does not work: $login"
grep -q '"must_change_password":true' <<<"$login" || fail "the initial admin password must be changed at first login"
curl -sf "http://127.0.0.1:$PORT/metrics" >"$TMP/metrics.txt" || fail "metrics"
promtool check metrics <"$TMP/metrics.txt" || fail "promtool rejects /metrics"
kill -TERM "$PID"
wait "$PID" || fail "serve did not exit 0 on SIGTERM"
PID=""
grep -q "govshare stopped" "$TMP/serve.log" || fail "no graceful stop"
"$BIN" audit verify --data "$TMP/init" >"$TMP/verify.txt" || fail "audit verify: $(cat "$TMP/verify.txt")"
grep -q "^OK" "$TMP/verify.txt" || fail "audit verify did not report OK"
test -s "$TMP/init/logs/access.log" || fail "no access log"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/init/logs/access.log" || fail "access log is not JSON lines"

# The demo directory: a requester is refused an administration route.
"$BIN" serve --data "$TMP/demo" --listen "127.0.0.1:$PORT" >"$TMP/serve2.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
rpw=$(python3 -c 'import json,sys; print([u["password"] for u in json.load(open(sys.argv[1]))["users"] if u["username"]=="requester"][0])' "$TMP/demo/demo-credentials.json")
tok=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"requester\",\"password\":\"$rpw\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/api/v1/users" \
  -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -d '{}')
[ "$code" = 403 ] || fail "requester on an admin route got $code, want 403"

# An inspector checks the requester's login offline: signed head + inclusion proof + public key (tools/).
sleep 2  # serve signs a new tree head every second
curl -sf "http://127.0.0.1:$PORT/api/v1/audit/key" -H "Authorization: Bearer $tok" >"$TMP/key.json" || fail "audit key"
curl -sf "http://127.0.0.1:$PORT/api/v1/audit/sth" -H "Authorization: Bearer $tok" >"$TMP/sth.json" || fail "audit sth"
size=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tree_size"])' "$TMP/sth.json")
curl -sf "http://127.0.0.1:$PORT/api/v1/audit/proof/inclusion?leaf_index=0&tree_size=$size" -H "Authorization: Bearer $tok" \
  >"$TMP/proof.json" || fail "audit proof"
verdict=$(python3 "$(dirname "$0")/../tools/audit_verify_inclusion.py" "$TMP/key.json" "$TMP/sth.json" "$TMP/proof.json")
[ "$verdict" = yes ] || fail "the offline verifier said: $verdict"
python3 - "$TMP/sth.json" <<'PY'
import json, sys
sth = json.load(open(sys.argv[1]))
sth["root_hash"] = "00" * 32
json.dump(sth, open(sys.argv[1], "w"))
PY
python3 "$(dirname "$0")/../tools/audit_verify_inclusion.py" "$TMP/key.json" "$TMP/sth.json" "$TMP/proof.json" >/dev/null \
  && fail "the offline verifier accepted a forged tree head"
echo "cli smoke: 1 passed, 0 failed"
