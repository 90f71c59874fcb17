#!/usr/bin/env bash
# Builds the web portal into web/dist. Idempotent: installs only what is missing, rebuilds only what changed.
#   scripts/build-web.sh            (works as root on a fresh Debian 12 machine)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/web"

# 1. Node.js: Debian's nodejs/npm only if there is no node at all. (Vite 8 needs node >= 20.19.)
if ! command -v node >/dev/null 2>&1; then
  echo "build-web: node missing, installing Debian nodejs/npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20 || (a===20 && b<19)) { console.error("build-web: node "+process.versions.node+" is too old: Vite needs node >= 20.19 (or >= 22.12)"); process.exit(1); }'

cd "$WEB"

# 2. Dependencies: npm ci when node_modules is missing or older than package-lock.json.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "build-web: npm ci" >&2
  npm ci --no-audit --no-fund
  touch node_modules/.package-lock.json
else
  echo "build-web: node_modules up to date" >&2
fi

# 3. Build: only if a source is newer than dist/index.html.
needs_build=0
if [ ! -f dist/index.html ]; then
  needs_build=1
else
  for f in index.html package-lock.json vite.config.*; do
    [ -e "$f" ] && [ "$f" -nt dist/index.html ] && needs_build=1
  done
  if [ "$needs_build" -eq 0 ] && [ -n "$(find src public -newer dist/index.html -print -quit 2>/dev/null)" ]; then
    needs_build=1
  fi
fi
if [ "$needs_build" -eq 1 ]; then
  echo "build-web: npm run build" >&2
  npm run build
  touch dist/index.html
else
  echo "build-web: web/dist up to date" >&2
fi
