# shellcheck shell=bash
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

# The data path's benchmark set-up, shared by bench/run.sh and bench/pg_nodes.sh (jq and curl needed).
# bench_login URL CREDENTIALS USER: the session token of a demo user (CREDENTIALS: demo-credentials.json).
bench_login() {
  local pw
  pw="$(jq -r --arg u "$3" '.users[] | select(.username==$u) | .password' "$2")"
  jq -n --arg u "$3" --arg p "$pw" '{username:$u,password:$p}' |
    curl -sS --max-time 30 -H 'Content-Type: application/json' --data-binary @- "$1/api/v1/auth/login" |
    jq -r '.token // empty'
}
# bench_api URL TOKEN METHOD PATH [JSON]
bench_api() {
  curl -sS --max-time 30 -X "$3" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    ${5:+--data-binary "$5"} "$1$4"
}
# bench_lookup_grant URL CREDENTIALS: a grant for the benchmark through the real process (Art. 15): 人社厅 asks 公安厅
# for 常住人口基本信息 with a volume large enough for the run; the authority forwards, the provider says yes, the
# platform provides. Sets ENTRY (the dataset), API_KEY (社保待遇资格认证系统's) and GRANT; returns 1 if refused.
bench_lookup_grant() {
  local url=$1 creds=$2 requester reviewer steward app req req_id case_id version
  requester="$(bench_login "$url" "$creds" requester)"
  reviewer="$(bench_login "$url" "$creds" reviewer)"
  steward="$(bench_login "$url" "$creds" steward)"
  ENTRY="$(bench_api "$url" "$requester" GET \
    "/api/v1/catalog/search?q=%E5%B8%B8%E4%BD%8F%E4%BA%BA%E5%8F%A3%E5%9F%BA%E6%9C%AC%E4%BF%A1%E6%81%AF" |
    jq -r '[.items[] | select(.name=="常住人口基本信息")][0].id')"
  app="$(jq -r '.applications[] | select(.name=="社保待遇资格认证系统") | .application_id' "$creds")"
  API_KEY="$(jq -r '.applications[] | select(.name=="社保待遇资格认证系统") | .api_key' "$creds")"
  req="$(bench_api "$url" "$requester" POST /api/v1/requests "$(jq -nc --argjson e "$ENTRY" --argjson a "$app" \
    '{entry_id:$e, application_id:$a, items:["公民身份号码","姓名","出生日期","户籍地址","行政区划代码"],
    accept_commitments:true, scenario:{purpose:"养老保险待遇资格认证（压力测试）",legal_basis:"《社会保险法》第七十三条",
    scope:"全省", manner:"lookup",volume_per_day:1000000000,validity_days:30}}')")"
  req_id="$(jq -r .id <<<"$req")"
  case_id="$(jq -r .case_id <<<"$req")"
  [[ "$req_id" =~ ^[0-9]+$ ]] || { echo "the benchmark's request was refused: $req" >&2; return 1; }
  version="$(bench_api "$url" "$reviewer" GET "/api/v1/cases/$case_id" | jq -r .case.version)"
  bench_api "$url" "$reviewer" POST "/api/v1/cases/$case_id/transitions" \
    "{\"action\":\"forward\",\"version\":$version}" >/dev/null
  bench_api "$url" "$steward" POST "/api/v1/requests/$req_id/answer" '{"decision":"yes"}' >/dev/null
  GRANT="$(bench_api "$url" "$requester" GET "/api/v1/requests/$req_id" | jq -r '.grant_id // empty')"
  [[ -n "$GRANT" ]] || { echo "no grant for the benchmark" >&2; return 1; }
}
# bench_lookup_lua FILE KEYS_FILE: a wrk script of audited key lookups with API_KEY and GRANT on dataset ENTRY, a
# random key of KEYS_FILE (one per line) for every request.
bench_lookup_lua() {
  cat >"$1" <<LUA
local keys = {}
for line in io.lines("$2") do keys[#keys + 1] = line end
wrk.headers["Authorization"] = "Bearer $API_KEY"
wrk.headers["X-Grant-Id"] = "$GRANT"
wrk.headers["X-Business-Ref"] = "BENCH-0001"
request = function()
  return wrk.format("GET", "/api/v1/data/$ENTRY/records/" .. keys[math.random(#keys)])
end
LUA
}
