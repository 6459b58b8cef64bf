#!/usr/bin/env bash
# private-lab.sh COMMAND...: runs COMMAND (one shell string) from the repository root in a private
# network and mount namespace with a fresh Samba lab DC of its own (its own loopback, an empty
# /tmp), as CI has it: a measurement or a lab test that a busy or grown shared lab (other runs'
# users and PSOs) would skew. As root, after `bash .ci/samba-lab.sh start` has installed Samba
# once. The DC goes with the namespace; the build in target/ is shared.
#
#   scripts/private-lab.sh 'cargo bench --features lab --bench diagnose_live -- 60'
set -euo pipefail
cd "$(dirname "$0")/.."
exec unshare --net --mount --fork bash -c '
set -e
ip link set lo up
mount -t tmpfs tmpfs /tmp
mkdir -p /run/samba && mount -t tmpfs tmpfs /run/samba
bash .ci/samba-lab.sh start >/tmp/lab-start.log 2>&1 || { cat /tmp/lab-start.log >&2; exit 1; }
trap "bash .ci/samba-lab.sh stop >/dev/null 2>&1" EXIT
'"$*"
