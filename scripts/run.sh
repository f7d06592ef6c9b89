#!/usr/bin/env bash
# Installs what is missing, builds Tern, and starts the app (on the built-in demo model).
# Extra arguments are passed to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh run
bash scripts/build.sh build -DTERN_BUILD_TESTS=OFF -DTERN_BUILD_BENCHMARKS=OFF -- tern tern-cli
exec build/app/tern "$@"
