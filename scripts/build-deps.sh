#!/usr/bin/env bash
# Installs the system libraries resetlens links against (OpenSSL for TLS, MIT Kerberos for the
# GSSAPI bind; libclang for the bindgen step of libgssapi-sys). Skips apt when all are present.
set -euo pipefail
need=(libssl-dev libkrb5-dev libclang-dev pkg-config)
missing=()
for p in "${need[@]}" "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
