#!/usr/bin/env bash
# HTTP load benchmark: govshare against nginx serving a static JSON file of the same size, with the same wrk
# settings, alternating the two so that machine noise hits both alike. Two modes:
#   MODE=me      (default) authenticated GET /api/v1/me;
#   MODE=lookup  the data path (issue 7): GET /api/v1/data/{dataset}/records/{key} over the demo's population of
#                POPULATION people (default 1,000,000) with an API key, a grant, masking and a durably committed audit
#                record per call; random keys from KEYS (default 20,000) sampled IDs. Also reports the server's RSS.
#
#   bash bench/run.sh                 # uses build/govshare
#   GOVSHARE_BINARY=/tmp/gs FLOOR=0.5 ROUNDS=5 DURATION=10s bash bench/run.sh
#   MODE=lookup FLOOR=0.35 bash bench/run.sh
#
# Exits non-zero if median(govshare req/s) / median(nginx req/s) < FLOOR (default 0.6), if a server fails to start,
# or if govshare dies or answers anything but 2xx under load. Only 127.0.0.1 is targeted; every loop is bounded.
# See docs/BENCHMARKS.md for the results and how to read them.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${GOVSHARE_BINARY:-build/govshare}"
case "$BIN" in /*) ;; *) BIN="$REPO_ROOT/$BIN" ;; esac
MODE="${MODE:-me}"
FLOOR="${FLOOR:-$([[ "$MODE" == lookup ]] && echo 0.35 || echo 0.6)}"
POPULATION="${POPULATION:-1000000}"
KEYS="${KEYS:-20000}"
ROUNDS="${ROUNDS:-5}"          # rounds per server
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"         # one untimed wrk run per server before round 1
NGINX="${NGINX:-nginx}"
WRK="${WRK:-wrk}"

die() { echo "bench: $*" >&2; exit 2; }
[[ -x "$BIN" ]] || die "govshare binary not found or not executable: $BIN (set GOVSHARE_BINARY)"
command -v "$WRK" >/dev/null || die "wrk not found (apt-get install -y wrk)"
command -v "$NGINX" >/dev/null || die "nginx not found (apt-get install -y nginx-light)"
command -v curl >/dev/null || die "curl not found"
command -v jq >/dev/null || die "jq not found"
[[ "$MODE" == me || "$MODE" == lookup ]] || die "MODE is me or lookup"
[[ "$MODE" == me ]] || command -v sqlite3 >/dev/null || die "sqlite3 not found"
[[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || die "ROUNDS must be 1..99"

WORK="$(mktemp -d /tmp/govshare-bench.XXXXXX)"
DATA="$WORK/data"
NGX="$WORK/nginx"
mkdir -p "$DATA" "$NGX/html" "$NGX/logs"
GS_PID=""
NGX_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$NGX_PID" ]] && kill -0 "$NGX_PID" 2>/dev/null; then
    kill -QUIT "$NGX_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$NGX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NGX_PID" 2>/dev/null || true
  fi
  if [[ -n "$GS_PID" ]] && kill -0 "$GS_PID" 2>/dev/null; then
    kill -TERM "$GS_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$GS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$GS_PID" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then echo "bench: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Polls URL until it answers 200; bounded to ~10 s. $2 = pid that must stay alive.
wait_ready() {
  local url=$1 pid=$2
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)" == 200 ]]; then return 0; fi
    sleep 0.1
  done
  return 1
}

gs_log_tail() {
  echo "---- govshare stdout/stderr (tail) ----" >&2
  tail -n 40 "$WORK/govshare.out" >&2 || true
  echo "---- access.log (tail) ----" >&2
  tail -n 5 "$DATA/logs/access.log" >&2 2>/dev/null || true
}

# ---------------------------------------------------------------- govshare
DEMO_ARGS=()
[[ "$MODE" == lookup ]] && DEMO_ARGS=(--population "$POPULATION")
"$BIN" demo --data "$DATA" "${DEMO_ARGS[@]}" >"$WORK/demo.out" 2>&1 ||
  { cat "$WORK/demo.out" >&2; die "govshare demo failed"; }
GS_PORT="$(free_port)"
GOVSHARE_LOG_ACCESS_LOG="logs/access.log" GOVSHARE_HTTP_IO_THREADS=2 \
  "$BIN" serve --data "$DATA" --listen "127.0.0.1:$GS_PORT" >"$WORK/govshare.out" 2>&1 &
GS_PID=$!
wait_ready "http://127.0.0.1:$GS_PORT/healthz" "$GS_PID" || { gs_log_tail; die "govshare did not become healthy"; }

PASSWORD="$(jq -r '.users[] | select(.username=="requester") | .password' "$DATA/demo-credentials.json")"
[[ -n "$PASSWORD" && "$PASSWORD" != null ]] || die "no 'requester' user in demo-credentials.json"
TOKEN="$(jq -n --arg u requester --arg p "$PASSWORD" '{username:$u,password:$p}' |
  curl -sS --max-time 30 -H 'Content-Type: application/json' --data-binary @- \
    "http://127.0.0.1:$GS_PORT/api/v1/auth/login" | jq -r '.token // empty')"
[[ -n "$TOKEN" ]] || { gs_log_tail; die "login as requester failed"; }

GS_PATH=/api/v1/me
AUTH_HEADERS=(-H "Authorization: Bearer $TOKEN")
if [[ "$MODE" == lookup ]]; then
  # A grant for the benchmark through the real process (Art. 15), bench/lib.sh.
  bench_lookup_grant "http://127.0.0.1:$GS_PORT" "$DATA/demo-credentials.json" || die "no grant for the benchmark"
  ROWS="$(sqlite3 "$DATA/exchange.db" "SELECT count(*) FROM d$ENTRY")"
  sqlite3 "$DATA/exchange.db" "SELECT c1 FROM d$ENTRY ORDER BY random() LIMIT $KEYS" >"$WORK/keys.txt"
  FIRST_KEY="$(head -n 1 "$WORK/keys.txt")"
  GS_PATH="/api/v1/data/$ENTRY/records/$FIRST_KEY"
  AUTH_HEADERS=(-H "Authorization: Bearer $API_KEY" -H "X-Grant-Id: $GRANT" -H "X-Business-Ref: BENCH-0001")
  bench_lookup_lua "$WORK/lookup.lua" "$WORK/keys.txt"  # wrk picks a random key for every request
fi
ME_CODE="$(curl -sS --max-time 10 -o "$WORK/me.json" -w '%{http_code}' \
  "${AUTH_HEADERS[@]}" "http://127.0.0.1:$GS_PORT$GS_PATH")"
[[ "$ME_CODE" == 200 ]] || { cat "$WORK/me.json" >&2; die "GET $GS_PATH answered $ME_CODE"; }
ME_SIZE="$(stat -c %s "$WORK/me.json")"

# ---------------------------------------------------------------- nginx
# A JSON object padded to exactly ME_SIZE bytes: {"pad":"xxx..."} is 10 bytes plus the padding.
PAD=$((ME_SIZE - 10)); ((PAD >= 0)) || PAD=0
{ printf '{"pad":"'; head -c "$PAD" /dev/zero | tr '\0' 'x'; printf '"}'; } >"$NGX/html/me.json"
STATIC_SIZE="$(stat -c %s "$NGX/html/me.json")"
chmod 755 "$WORK" "$NGX" "$NGX/html"; chmod 644 "$NGX/html/me.json"   # readable by an unprivileged worker
NGX_PORT="$(free_port)"
while [[ "$NGX_PORT" == "$GS_PORT" ]]; do NGX_PORT="$(free_port)"; done
cat >"$NGX/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 1024; }
http {
  types { application/json json; }
  default_type application/json;
  # Access log ON, buffered (govshare's is on too, written by an async spdlog thread).
  access_log $NGX/logs/access.log combined buffer=64k flush=1s;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 60s;
  keepalive_requests 1000000;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  server {
    listen 127.0.0.1:$NGX_PORT;
    root $NGX/html;
    location / { try_files /me.json =404; }
  }
}
EOF
mkdir -p "$NGX/tmp"
"$NGINX" -t -q -c "$NGX/nginx.conf" -p "$NGX/" -e "$NGX/logs/error.log" || die "nginx config test failed"
"$NGINX" -c "$NGX/nginx.conf" -p "$NGX/" -e "$NGX/logs/error.log" >"$WORK/nginx.out" 2>&1 &
NGX_PID=$!
wait_ready "http://127.0.0.1:$NGX_PORT/api/v1/me" "$NGX_PID" ||
  { cat "$WORK/nginx.out" "$NGX/logs/error.log" >&2 || true; die "nginx did not start"; }

GS_URL="http://127.0.0.1:$GS_PORT$GS_PATH"
NGX_URL="http://127.0.0.1:$NGX_PORT$GS_PATH"

echo "govshare: $BIN (pid $GS_PID, 127.0.0.1:$GS_PORT, 2 io threads, access log on)"
echo "nginx:    $($NGINX -v 2>&1 | sed 's/^nginx version: //') (pid $NGX_PID, 127.0.0.1:$NGX_PORT, 2 workers, static file)"
echo "body:     GET $GS_PATH = $ME_SIZE bytes; static file = $STATIC_SIZE bytes"
[[ "$MODE" == lookup ]] && echo "data:     dataset $ENTRY with $ROWS rows; grant $GRANT; $KEYS random keys per run"

echo "wrk:      $WRK -t$THREADS -c$CONNECTIONS -d$DURATION --latency  ($ROUNDS rounds each, alternating; warm-up $WARMUP)"
echo

# ---------------------------------------------------------------- wrk
# to_ms "1.23ms" -> 1.23 ; "850.00us" -> 0.85 ; "1.02s" -> 1020
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}

DUR_S="$(awk -v d="$DURATION" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; printf "%d", n }')"
WRK_TIMEOUT=$((DUR_S + 30))

# run_wrk NAME URL DURATION OUTFILE [header]
run_wrk() {
  local name=$1 url=$2 dur=$3 out=$4
  shift 4
  local rc=0
  timeout -k 5 "$WRK_TIMEOUT" "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"$dur" --latency "$@" "$url" >"$out" 2>&1 || rc=$?
  if ((rc != 0)); then
    echo "bench: wrk against $name exited $rc:" >&2
    cat "$out" >&2
    return 1
  fi
}

check_gs_alive() {
  if ! kill -0 "$GS_PID" 2>/dev/null; then
    local st=0
    wait "$GS_PID" || st=$?
    GS_PID=""
    echo "bench: govshare DIED during the benchmark (exit status $st) after: $1" >&2
    gs_log_tail
    exit 3
  fi
}

AUTH=("${AUTH_HEADERS[@]}")
[[ "$MODE" == lookup ]] && AUTH=(-s "$WORK/lookup.lua")
run_wrk warmup-govshare "$GS_URL" "$WARMUP" "$WORK/warm-gs.txt" "${AUTH[@]}" ||
  { check_gs_alive "warm-up"; gs_log_tail; exit 3; }
check_gs_alive "warm-up"
run_wrk warmup-nginx "$NGX_URL" "$WARMUP" "$WORK/warm-ngx.txt" || exit 3

RESULTS="$WORK/results.tsv"   # server round rps p50ms p99ms non2xx sockerr cpu_us_per_request
: >"$RESULTS"
CLK_TCK="$(getconf CLK_TCK)"
# cpu_ticks PID... -> user+system clock ticks of those processes (all their threads), 0 for a vanished one.
cpu_ticks() {
  local p t=0 v
  for p in "$@"; do
    v="$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)"
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
# shellcheck disable=SC2046  # PID lists are split on purpose
ngx_pids() { echo "$NGX_PID" $(pgrep -P "$NGX_PID" || true); }
parse() {
  local server=$1 round=$2 f=$3 ticks=$4
  local rps p50 p99 non2xx errs reqs cpu
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$f")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")"
  errs="$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$f")"
  reqs="$(awk '/ requests in / { print $1 }' "$f")"
  [[ -n "$rps" ]] || { echo "bench: cannot parse wrk output for $server round $round:" >&2; cat "$f" >&2; exit 3; }
  cpu="$(awk -v t="$ticks" -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$round" "$rps" "$p50" "$p99" "${non2xx:-0}" "${errs:-0}" "$cpu" >>"$RESULTS"
}

for round in $(seq 1 "$ROUNDS"); do
  f="$WORK/gs-$round.txt"
  t0="$(cpu_ticks "$GS_PID")"
  if ! run_wrk govshare "$GS_URL" "$DURATION" "$f" "${AUTH[@]}"; then
    check_gs_alive "round $round"; gs_log_tail; exit 3
  fi
  check_gs_alive "round $round"
  parse govshare "$round" "$f" $(($(cpu_ticks "$GS_PID") - t0))
  tail -n 1 "$RESULTS" | awk -F'\t' '{ printf "round %d  %-8s %10.2f req/s  p50 %7.3f ms  p99 %7.3f ms\n", $2, $1, $3, $4, $5 }'
  f="$WORK/ngx-$round.txt"
  # shellcheck disable=SC2046
  t0="$(cpu_ticks $(ngx_pids))"
  run_wrk nginx "$NGX_URL" "$DURATION" "$f" || exit 3
  # shellcheck disable=SC2046
  parse nginx "$round" "$f" $(($(cpu_ticks $(ngx_pids)) - t0))
  tail -n 1 "$RESULTS" | awk -F'\t' '{ printf "round %d  %-8s %10.2f req/s  p50 %7.3f ms  p99 %7.3f ms\n", $2, $1, $3, $4, $5 }'
done

# ---------------------------------------------------------------- report
median() {  # median of stdin numbers
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
col() { awk -F'\t' -v s="$1" -v c="$2" '$1 == s { print $c }' "$RESULTS"; }

echo
echo "| round | server   |    req/s | p50 (ms) | p99 (ms) | non-2xx | socket errors | server CPU µs/req |"
echo "|------:|----------|---------:|---------:|---------:|--------:|--------------:|------------------:|"
awk -F'\t' '{ printf "| %5d | %-8s | %8.0f | %8.3f | %8.3f | %7d | %13d | %17.1f |\n", $2, $1, $3, $4, $5, $6, $7, $8 }' "$RESULTS"

GS_RPS="$(col govshare 3 | median)";  NGX_RPS="$(col nginx 3 | median)"
GS_P50="$(col govshare 4 | median)";  NGX_P50="$(col nginx 4 | median)"
GS_P99="$(col govshare 5 | median)";  NGX_P99="$(col nginx 5 | median)"
GS_CPU="$(col govshare 8 | median)";  NGX_CPU="$(col nginx 8 | median)"
RATIO="$(awk -v a="$GS_RPS" -v b="$NGX_RPS" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }')"
GS_NON2XX="$(col govshare 6 | awk '{ s += $1 } END { print s + 0 }')"
GS_ERRS="$(col govshare 7 | awk '{ s += $1 } END { print s + 0 }')"
ACCESS_LINES="$(wc -l <"$DATA/logs/access.log" 2>/dev/null || echo 0)"

echo
echo "| median   |    req/s | p50 (ms) | p99 (ms) | server CPU µs/req |"
echo "|----------|---------:|---------:|---------:|------------------:|"
printf '| govshare | %8.0f | %8.3f | %8.3f | %17.1f |\n' "$GS_RPS" "$GS_P50" "$GS_P99" "$GS_CPU"
printf '| nginx    | %8.0f | %8.3f | %8.3f | %17.1f |\n' "$NGX_RPS" "$NGX_P50" "$NGX_P99" "$NGX_CPU"
PAIRED="$(awk -F'\t' '$1 == "govshare" { g[$2] = $3 } $1 == "nginx" { n[$2] = $3 }
  END { for (r = 1; r in g; r++) printf "%s%.3f", (r > 1 ? " " : ""), (n[r] > 0 ? g[r] / n[r] : 0) }' "$RESULTS")"
echo
echo "per-round ratios govshare/nginx: $PAIRED (median $(tr ' ' '\n' <<<"$PAIRED" | median))"
echo "ratio govshare/nginx (median req/s): $RATIO   (floor $FLOOR)"
echo "govshare access.log lines written: $ACCESS_LINES"
echo "govshare RSS after the rounds: $(awk '/^VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/$GS_PID/status")"
if [[ "$MODE" == lookup ]]; then
  echo "audit records: $(sqlite3 "$DATA/audit.db" 'SELECT count(*) FROM records' 2>/dev/null || echo '?')"
fi

status=0
if ((GS_NON2XX > 0 || GS_ERRS > 0)); then
  echo "bench: FAIL: govshare had $GS_NON2XX non-2xx responses and $GS_ERRS socket errors under load" >&2
  gs_log_tail
  status=1
fi
if ! awk -v r="$RATIO" -v f="$FLOOR" 'BEGIN { exit !(r + 0 >= f + 0 && r != "nan") }'; then
  echo "bench: FAIL: ratio $RATIO is below the floor $FLOOR" >&2
  status=1
fi
((status == 0)) && echo "bench: OK"
exit "$status"
