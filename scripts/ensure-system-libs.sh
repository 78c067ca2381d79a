#!/usr/bin/env bash
# Debian packages Komar's Python dependencies need: Pango for WeasyPrint (PDF), ICU with its
# headers and a C++ compiler to build PyICU (Khmer word boundaries), Python's headers.
# Installs the missing ones when it can (root or sudo); otherwise says what to install.
set -euo pipefail
PY=${1:-python3}
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libicu-dev pkg-config g++)
ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
inc=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
[ -f "$inc/Python.h" ] || pkgs+=("python${ver}-dev")
command -v dpkg >/dev/null || exit 0  # not Debian: the README lists what to install
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Missing Debian packages: ${missing[*]} — install them (apt-get install ${missing[*]})." >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
