#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 45, as CI does), one after the other, from its
# committed seeds (fuzz/seeds/TARGET) and the corpus earlier runs grew (fuzz/corpus/TARGET). The
# EVTX targets' seeds are cut from the shipped samples and the tests' files (file header and first
# chunk) rather than committed twice. A crash stops the script; libFuzzer leaves the input in
# fuzz/artifacts/TARGET, which becomes a regression test named for it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-45}
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz --version 0.13.2
# cargo-fuzz asks for sanitizer flags only nightly takes; the stable toolchain accepts them so.
export RUSTC_BOOTSTRAP=1

mkdir -p fuzz/corpus/evtx_differential
for f in sample-logs/*.evtx tests/data/evtx/*.evtx; do
  head -c $((4096 + 65536)) "$f" >"fuzz/corpus/evtx_differential/seed-$(basename "$f")"
done

for target in $(cd fuzz && cargo fuzz list); do
  mkdir -p "fuzz/corpus/$target"
  seeds=()
  [ -d "fuzz/seeds/$target" ] && seeds=("seeds/$target")
  echo "==> fuzz $target (${SECONDS_PER_TARGET}s)"
  (cd fuzz && cargo fuzz run "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1)
done
