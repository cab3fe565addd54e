#!/usr/bin/env bash
# Installs everything Cairn needs to build, run and test on Debian 12, as root:
# Debian packages, then the web UI's npm packages (web/package-lock.json).
# Safe to run again: when everything is already there it does nothing.
#   scripts/install-deps.sh           build and run
#   scripts/install-deps.sh --test    also what the tests use (Chromium for the browser tests)
#   scripts/install-deps.sh --bench   also what the benchmarks use (wrk, nginx, Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache clang-format clang-tidy git pkg-config python3
  # libraries (DESIGN.md, "Chosen dependencies")
  libboost1.81-dev libsimdjson-dev nlohmann-json3-dev libvalijson-dev libyaml-cpp-dev
  libsqlite3-dev libcurl4-openssl-dev libssl-dev libre2-dev libcli11-dev libspdlog-dev libpq-dev
  libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev libjwt-dev
  # tools the tests and the main command use
  sqlite3 openssl curl python3-requests
)
# The web UI is built with Node.js (18 or newer) and npm. A machine that has
# them already (e.g. from NodeSource) keeps its own; otherwise Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi
case "${1:-}" in
  # PostgreSQL's server for the tests of the postgres connector (started as
  # the postgres user in a temporary directory, never as a service).
  --test) PACKAGES+=(chromium fonts-dejavu-core postgresql) ;;
  --bench) PACKAGES+=(wrk nginx-light chromium fonts-dejavu-core) ;;
  "") ;;
  *) echo "usage: scripts/install-deps.sh [--test|--bench]" >&2; exit 2 ;;
esac

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The web UI's packages, exactly as locked. npm ci starts from scratch, so it
# runs only when the lock file changed since the last install.
stamp=web/node_modules/.cairn-lock.sha256
want="$(sha256sum web/package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "install-deps: npm ci in web/"
  npm ci --prefix web --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
else
  echo "install-deps: web/node_modules matches web/package-lock.json"
fi
