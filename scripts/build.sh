#!/usr/bin/env bash
# Configures (once) and builds one build tree.
#   scripts/build.sh <build-dir> [cmake -D options...] [-- <targets...>]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=$1
shift
cmake_args=()
targets=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then
    shift
    targets=("$@")
    break
  fi
  cmake_args+=("$1")
  shift
done

generator=()
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" >/dev/null

jobs=$(nproc 2>/dev/null || echo 2)
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$build_dir" --parallel "$jobs" --target "${targets[@]}"
else
  cmake --build "$build_dir" --parallel "$jobs"
fi
