#!/usr/bin/env bash
# Installs everything tgc needs on a fresh Debian machine (idempotent).
# Run as root, or with sudo available.
set -euo pipefail
PKGS=(build-essential g++ cmake ninja-build pkg-config python3
      nlohmann-json3-dev libfmt-dev doctest-dev libopenblas-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "tgc: dependencies installed"
