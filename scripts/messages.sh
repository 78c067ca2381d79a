#!/usr/bin/env bash
# Khmer catalogue. `update` refreshes src/komar/locale/km from the code and compiles it;
# `check` fails if the committed catalogue is stale, has untranslated or fuzzy entries,
# or if the compiled .mo does not match it.
set -euo pipefail
cd "$(dirname "$0")/../src/komar"
PO=locale/km/LC_MESSAGES/django.po
MO=locale/km/LC_MESSAGES/django.mo
KOMAR=../../.venv/bin/komar
export KOMAR_ENV=test
extract() {
  "$KOMAR" makemessages -l km --no-location --no-obsolete --no-wrap \
    --ignore 'static/*' -e html,txt,py >/dev/null
}
strip_header() { sed '/^"POT-Creation-Date:/d' "$1"; }
case "${1:-check}" in
  update)
    extract
    msgfmt --check -o "$MO" "$PO"
    msgfmt --statistics -o /dev/null "$PO"
    ;;
  check)
    before=$(mktemp); cp "$PO" "$before"
    trap 'cp "$before" "$PO"; rm -f "$before"' EXIT
    extract
    if ! diff -u <(strip_header "$before") <(strip_header "$PO"); then
      echo "The Khmer catalogue is stale: run 'make messages', translate, and commit." >&2
      exit 1
    fi
    stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$PO" 2>&1)
    echo "Khmer catalogue: $stats"
    case "$stats" in *untranslated*|*fuzzy*) echo "Khmer catalogue incomplete." >&2; exit 1;; esac
    fresh=$(mktemp); msgfmt -o "$fresh" "$PO"
    if ! cmp -s "$fresh" "$MO"; then rm -f "$fresh"; echo "django.mo is out of date: run 'make messages'." >&2; exit 1; fi
    rm -f "$fresh"
    ;;
  *) echo "usage: $0 update|check" >&2; exit 2;;
esac
