#!/usr/bin/env bash
# Tests the web portal: build, unit tests (vitest), OpenAPI document check, end-to-end browser test.
#   GOVSHARE_BINARY=/abs/path/to/govshare scripts/test-web.sh   (default: build/govshare)
# Exits non-zero on any failure; every step runs and the failures are listed at the end.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/web"

bash "$ROOT/scripts/build-web.sh" || { echo "test-web: build failed" >&2; exit 1; }

if [ ! -x /usr/bin/chromium ]; then
  echo "test-web: installing Debian chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
    || { echo "test-web: could not install chromium" >&2; exit 1; }
fi

cd "$WEB"
failed=()
npm run --silent test:unit || failed+=("unit tests")
npm run --silent check:openapi || failed+=("check:openapi")
export GOVSHARE_BINARY="${GOVSHARE_BINARY:-$ROOT/build/govshare}"
node --test --test-concurrency=1 e2e/run.mjs || failed+=("e2e")

if [ "${#failed[@]}" -gt 0 ]; then
  echo "test-web: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test-web: all web checks passed"
