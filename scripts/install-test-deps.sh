#!/usr/bin/env bash
# What only the tests need: Node.js, the official Windmill clients (windmill-cli,
# windmill-client) and playwright-core pinned in package-lock.json, and Debian's Chromium for
# the browser tests, and Debian's PostgreSQL for the suite's second backend. Idempotent: does
# nothing when they are there.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nodejs npm
  else
    echo "npm is missing: the official-client tests will be skipped" >&2
    exit 0
  fi
fi
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium
  else
    echo "chromium is missing: run as root, or apt-get install chromium" >&2
    exit 1
  fi
fi
# The end-to-end suite runs a second time on PostgreSQL (a throwaway cluster, scripts/pg-cluster.sh).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql
  else
    echo "postgresql is missing: the PostgreSQL pass of the tests will be skipped" >&2
  fi
fi
if [ ! -x node_modules/.bin/wmill ] || [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
