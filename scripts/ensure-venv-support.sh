#!/usr/bin/env bash
# A fresh Debian has python3 without venv support (package python3-venv). Install it when we can.
set -euo pipefail
PY=${1:-python3}
if "$PY" -c 'import ensurepip, venv' 2>/dev/null; then exit 0; fi
pkg="python3-venv"
ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
if apt-cache show "python${ver}-venv" >/dev/null 2>&1; then pkg="python${ver}-venv"; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing $pkg (needed to create .venv)…"
  DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg"
elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
  echo "Installing $pkg with sudo (needed to create .venv)…"
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg"
else
  echo "Python's venv module is missing. Install it: apt-get install $pkg" >&2
  exit 1
fi
