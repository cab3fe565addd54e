#!/usr/bin/env bash
# Command 2 of the README (and all that CI runs): install, build, and pass
# every check: formatting, the test suite, clang-tidy, and the test suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer.
#   scripts/test.sh            everything
#   SKIP_SANITIZE=1 scripts/test.sh   skip the sanitizer build (local iteration)
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
jobs="$(nproc)"

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh --test

step "format (clang-format --dry-run)"
mapfile -t sources < <(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')
clang-format --dry-run --Werror "${sources[@]}"

step "build (RelWithDebInfo)"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo

step "tests"
ctest --test-dir build --output-on-failure -j "$jobs"

step "clang-tidy"
scripts/tidy.sh build

if [ -z "${SKIP_SANITIZE:-}" ]; then
  step "build (ASan + UBSan)"
  scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON
  step "tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi
step "all checks passed"
