#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over every source file of ours, in parallel,
# using BUILD_DIR's compile_commands.json. Fails on any finding.
#
# Tests get every check but the static analyzer (clang-analyzer-*), which
# costs most of the time and finds little in assertion code; the code they
# test gets it all.
#
# A file that passed is remembered in CAIRN_TIDY_CACHE (default
# ~/.cache/cairn-tidy) under a hash of everything its result depends on: its
# text, every header of ours, .clang-tidy, the compile commands and the
# clang-tidy version. Any change to one of those checks it again.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
log="$build_dir/clang-tidy.log"
cache="${CAIRN_TIDY_CACHE:-$HOME/.cache/cairn-tidy}"
mkdir -p "$cache"

mapfile -t files < <(git ls-files 'src/*.cc')
common="$( { clang-tidy --version; cat .clang-tidy "$build_dir/compile_commands.json";
             git ls-files -z 'src/*.h' | xargs -0 cat; } | sha256sum | cut -d' ' -f1)"
key_of() { { echo "$common"; cat "$1"; } | sha256sum | cut -d' ' -f1; }

sources=() tests=() keys=()
for file in "${files[@]}"; do
  key="$(key_of "$file")"
  [ -e "$cache/$key" ] && continue
  keys+=("$key")
  if [[ "$file" == *_test.cc || "$file" == *_test_util.cc ]]; then tests+=("$file"); else sources+=("$file"); fi
done
cached=$(( ${#files[@]} - ${#sources[@]} - ${#tests[@]} ))

# run_tidy KIND FILES...: clang-tidy on two files per process, one process per core.
run_tidy() {
  local kind="$1"; shift
  [ $# -eq 0 ] && return 0
  local -a extra=()
  [ "$kind" = tests ] && extra=("--checks=-clang-analyzer-*")
  printf '%s\n' "$@" | xargs -P "$(nproc)" -n 2 clang-tidy -p "$build_dir" --quiet "${extra[@]}"
}
: >"$log"
if run_tidy sources "${sources[@]}" >>"$log" 2>&1 && run_tidy tests "${tests[@]}" >>"$log" 2>&1; then
  for key in "${keys[@]}"; do : >"$cache/$key"; done
  echo "clang-tidy: ${#files[@]} files clean ($cached unchanged since a clean run)"
else
  grep -v -E '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' "$log"
  echo "clang-tidy: findings above (full log: $log)"
  exit 1
fi
