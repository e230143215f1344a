#!/usr/bin/env bash
# What only the tests need: Node.js and the official Windmill clients (windmill-cli,
# windmill-client) pinned in package-lock.json, for tests/e2e/test_official_clients.py.
# Idempotent: does nothing when they are there.
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
if [ ! -x node_modules/.bin/wmill ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
