#!/bin/sh
# Apply ruff's formatter and its safe fixes to the whole tree (`make format` runs this).
# Usage: sh scripts/lint-fix.sh [RUFF]   (default: .venv/bin/ruff)
# Fixes run first and the formatter last, so the result is formatted; `make lint` then lists what is left.
set -eu
cd "$(dirname "$0")/.."
RUFF="${1:-.venv/bin/ruff}"
"$RUFF" check --fix-only --quiet .
"$RUFF" format .
"$RUFF" check --statistics . || true  # what is left to fix by hand
