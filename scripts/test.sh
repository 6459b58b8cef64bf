#!/usr/bin/env bash
# Quick start, second command: the whole test suite on a fresh Debian/Ubuntu machine.
# Installs what it needs, starts a throw-away Samba AD DC on loopback (and stops only that one),
# then runs lints, every test (unit, integration against the DC, console end-to-end in tmux),
# the python-evtx cross-check of the shipped sample logs and a short fuzz run of each parser.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
FUZZ_SECONDS=${FUZZ_SECONDS:-45}

step() { printf '\n==> %s\n' "$*"; }

step "system packages"
bash scripts/build-deps.sh tmux python3-pip zsh fish man-db

step "Samba AD DC on loopback"
bash .ci/samba-lab.sh start
trap 'bash .ci/samba-lab.sh stop' EXIT

step "format and lints"
cargo fmt --check
# Both ways: the offline suite a laptop builds, and the lab suite CI builds.
cargo clippy --all-targets --locked -- -D warnings
cargo clippy --all-targets --locked --features lab -- -D warnings
# The fuzz targets build against the library's API too (their own workspace; cargo-fuzz builds
# them again with sanitizers below).
(cd fuzz && cargo check --locked --bins)

step "python-evtx (the independent parser the tests check every shipped EVTX file with)"
python3 -m pip install --quiet --disable-pip-version-check python-evtx==0.8.1

step "tests (offline and against the lab: --features lab)"
cargo test --locked --features lab

step "fuzzing (${FUZZ_SECONDS}s per target)"
bash scripts/fuzz.sh "$FUZZ_SECONDS"

step "all passed"
