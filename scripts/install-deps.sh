#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. Idempotent: does nothing when all are there.
set -euo pipefail
packages=(build-essential cmake pkg-config ccache clang-format libboost-dev libsqlite3-dev
  libpq-dev nlohmann-json3-dev libsodium-dev libssl-dev libgtest-dev python3 wrk
  python3-venv python3-setuptools python3-pip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# TypeScript jobs and flow expressions run on Node.js: any node on the machine will do, else
# Debian's; npm installs esbuild (package.json), which strips TypeScript's types.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
cd "$(dirname "$0")/.."
# The build bundles the app's code editor (CodeMirror) with esbuild from node_modules.
if [ ! -d node_modules/esbuild ] || [ ! -d node_modules/@codemirror/view ]; then
  npm ci --omit=dev --no-audit --no-fund --loglevel=error
fi
