#!/usr/bin/env bash
# The desktop app's responsiveness figures (issue 9's targets), each over N runs of the real app
# with a fresh data folder, printed as median / min / max:
#   start-up:   ms from start until the window is interactive with the demo model (target 1.5 s);
#   generating: worst GUI-thread stall while a reply streams in (tern --type-message), on the demo
#               model (short replies) and on a tiny synthetic model made to write 1500 tokens
#               (a long reply: what the view does as the text grows);
#   loading:    worst stall while a 2B4T-shaped model (synthetic weights) loads (tern --then-load);
#   download:   worst stall while a ~50 MB checkpoint downloads from a mock Hugging Face hub on
#               127.0.0.1 and is converted (tern --download; the hub is tests/app/bench_hub.cpp).
# A stall is measured by a 10 ms timer on the GUI thread (GuiStallProbe): how late it fired, worst
# case. The target for all three is 50 ms.
#
#   scripts/bench-gui.sh [build-dir] [runs]      (defaults: build 5)
# Needs the targets tern, tern-cli and tern-bench-hub in build-dir (scripts/build.sh build --
# tern tern-cli tern-bench-hub). Runs offscreen unless QT_QPA_PLATFORM is set. The synthetic model
# models (~700 MB and a tiny one) are written once to <build-dir>/bench-gui/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
runs=${2:-5}
case $runs in '' | *[!0-9]* | 0) echo "bench-gui: runs must be a positive number, not '$runs'" >&2; exit 2 ;; esac
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

tern=$build/app/tern
cli=$build/app/tern-cli
hub_exe=$build/tests/app/tern-bench-hub
for exe in "$tern" "$cli" "$hub_exe"; do
  if [ ! -x "$exe" ]; then
    echo "bench-gui: $exe is missing; build it: scripts/build.sh $build -- tern tern-cli tern-bench-hub" >&2
    exit 2
  fi
done
vocab=${TERN_SHARED_DATA_DIR:-../shared/data}/vocab/ggml-vocab-llama-spm.gguf
if [ ! -f "$vocab" ]; then
  echo "bench-gui: $vocab is missing (set TERN_SHARED_DATA_DIR to the shared test data)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tern-bench-gui.XXXXXX")
hub_pid=
cleanup() {
  if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

model=$build/bench-gui/2b4t.gguf
if [ ! -f "$model" ]; then
  mkdir -p "$build/bench-gui"
  echo "bench-gui: writing the synthetic 2B4T-shaped model $model (once)..."
  "$cli" synth --shape 2b4t --vocab "$vocab" -o "$model.tmp" >/dev/null
  mv "$model.tmp" "$model"
fi

long_model=$build/bench-gui/tiny-long.gguf
if [ ! -f "$long_model" ]; then
  mkdir -p "$build/bench-gui"
  "$cli" synth --shape tiny --ctx 2048 --vocab "$vocab" -o "$long_model.tmp" >/dev/null
  mv "$long_model.tmp" "$long_model"
fi
printf '[sampling]\nmaxTokens=1500\n' >"$work/long-reply.settings.ini"

"$hub_exe" --catalog-out "$work/catalog.json" --lifetime 3600 >"$work/hub.out" 2>&1 &
hub_pid=$!
for _ in $(seq 100); do grep -q '^endpoint ' "$work/hub.out" && break; sleep 0.1; done
endpoint=$(awk '/^endpoint /{print $2}' "$work/hub.out")
repo=$(awk '/^repo /{print $2}' "$work/hub.out")
if [ -z "$endpoint" ]; then echo "bench-gui: the mock hub did not start:" >&2; cat "$work/hub.out" >&2; exit 1; fi

# run <name> <regex with one capture> <tern args...>: runs the app, prints and keeps the figure.
run() {
  local name=$1 pattern=$2 i=$3 log value
  shift 3
  log=$work/$name-$i.log
  mkdir -p "$work/data-$name-$i"
  if [ -f "$work/$name.settings.ini" ]; then cp "$work/$name.settings.ini" "$work/data-$name-$i/settings.ini"; fi
  if ! "$tern" --data-dir "$work/data-$name-$i" --measure "$@" >"$log" 2>&1; then
    echo "bench-gui: $name run $i failed:" >&2
    cat "$log" >&2
    exit 1
  fi
  value=$(sed -n -E "s/.*$pattern.*/\1/p" "$log" | head -n 1)
  if [ -z "$value" ]; then echo "bench-gui: no '$pattern' in the output of $name run $i:" >&2; cat "$log" >&2; exit 1; fi
  echo "$value" >>"$work/$name.values"
  rm -rf "$work/data-$name-$i"
}

summary() { # name label unit
  sort -n "$work/$1.values" | awk -v label="$2" -v unit="$3" '
    { v[NR] = $1 }
    END {
      median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%-46s median %8.1f %s   min %8.1f   max %8.1f   (%d runs)\n", label, median, unit, v[1], v[NR], NR
    }'
  printf '%-46s   runs in order: %s\n' "" "$(tr '\n' ' ' <"$work/$1.values")"
}

echo "bench-gui: $runs runs each, $QT_QPA_PLATFORM platform, $(nproc) logical CPUs"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
for i in $(seq "$runs"); do
  run startup 'interactive ([0-9.]+) ms after start' "$i" --screenshot "$work/startup.png"
  run generating 'stall while generating ([0-9.]+) ms' "$i" --type-message "Hello! Tell me about terns."
  run long-reply 'stall while generating ([0-9.]+) ms' "$i" --model "$long_model" --type-message "Hello"
  run loading 'stall while loading the model ([0-9.]+) ms' "$i" --then-load "$model"
  run download 'stall while downloading ([0-9.]+) ms' "$i" --catalog "$work/catalog.json" \
      --hub-endpoint "$endpoint" --download "$repo"
  echo "  run $i done"
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
summary startup "interactive after start (demo model)" ms
summary generating "worst GUI stall while generating" ms
summary long-reply "worst GUI stall, 1500-token reply" ms
summary loading "worst GUI stall while loading 2B4T-shaped" ms
summary download "worst GUI stall, download + conversion" ms
