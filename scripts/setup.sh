#!/usr/bin/env bash
# Installs the Debian 12 packages govshare needs to build, test and run. Idempotent: does nothing when all are present.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git ca-certificates curl
  libboost1.74-dev libsimdjson-dev rapidjson-dev libsqlite3-dev sqlite3 libsodium-dev libssl-dev
  libjemalloc-dev
  libpq-dev postgresql-15
  libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  wrk nginx-light prometheus ccache
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
