#!/usr/bin/env bash
# Installs everything Cairn needs to build, run and test on Debian 12, as root.
# Safe to run again: when every package is already there it does nothing.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache clang-format clang-tidy git pkg-config python3
  # libraries (DESIGN.md, "Chosen dependencies")
  libboost1.81-dev libsimdjson-dev nlohmann-json3-dev libvalijson-dev libyaml-cpp-dev
  libsqlite3-dev libcurl4-openssl-dev libssl-dev libre2-dev libcli11-dev libspdlog-dev
  libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  # tools the tests and the main command use
  sqlite3 openssl curl python3-requests
)
# `--bench`: also what bench/server_bench.py measures against.
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(wrk nginx-light)
fi

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
