#!/usr/bin/env bash
# What only the tests need: Node.js, the official Windmill clients (windmill-cli,
# windmill-client) and playwright-core pinned in package-lock.json, Debian's Chromium for the
# browser tests, Debian's PostgreSQL for the suite's second backend, and clang with its
# libFuzzer runtime for the fuzz targets. Idempotent: does nothing when they are there.
set -euo pipefail
cd "$(dirname "$0")/.."
# Installs Debian packages as root; otherwise says what is missing and how much that costs, and
# answers false.
apt_install() {
  local consequence=$1
  shift
  if [ "$(id -u)" != 0 ]; then
    echo "$* missing: $consequence (run as root, or apt-get install -y $*)" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@"
}
if ! command -v npm >/dev/null 2>&1; then
  apt_install "the official-client tests will be skipped" nodejs npm || exit 0
fi
if [ ! -x /usr/bin/chromium ]; then
  apt_install "the browser tests cannot run" chromium || exit 1
fi
# The fuzz targets (tests/fuzz) are built with clang and its libFuzzer runtime.
if ! command -v clang++ >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
  apt_install "the fuzz targets cannot be built" clang libclang-rt-dev || exit 1
fi
# The end-to-end suite runs a second time on PostgreSQL (a throwaway cluster, scripts/pg-cluster.sh).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
  apt_install "the PostgreSQL pass of the tests will be skipped" postgresql || true
fi
if [ ! -x node_modules/.bin/wmill ] || [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
