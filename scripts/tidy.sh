#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over every source file of ours, in parallel,
# using BUILD_DIR's compile_commands.json. Fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
log="$build_dir/clang-tidy.log"
mapfile -t files < <(git ls-files 'src/*.cc')
if printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 2 clang-tidy -p "$build_dir" --quiet >"$log" 2>&1; then
  echo "clang-tidy: ${#files[@]} files clean"
else
  grep -v -E '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' "$log"
  echo "clang-tidy: findings above (full log: $log)"
  exit 1
fi
