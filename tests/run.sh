#!/usr/bin/env bash
# Set up everything the test suite needs and run it: the README's test command.
#   bash tests/run.sh [pytest arguments]
# Creates .venv (Python 3.11+), installs the project with its dev tools, makes sure
# Debian's PostgreSQL server binaries are present (the tests start their own throwaway
# server on loopback), then runs pytest, which also runs ruff, mypy and import-linter.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  missing+=(postgresql)
fi
if ! command -v pdftotext >/dev/null || ! command -v pdfimages >/dev/null; then
  missing+=(poppler-utils)  # the receipt tests read the printed PDF back
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} from Debian's packages for the tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Not found: ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]}); those tests are skipped." >&2
  fi
fi

export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
