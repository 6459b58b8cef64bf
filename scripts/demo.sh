#!/usr/bin/env bash
# Quick start, first command: build resetlens and open the console on the built-in demo tenant.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-deps.sh
exec cargo run --release --quiet -- demo "$@"
