#!/bin/sh
# Every `noqa` and `type: ignore` says why on its line: `# noqa: E402 - after the settings above`,
# `# type: ignore[attr-defined]  # a function attribute`. Lists the ones that do not and fails (`make lint`).
set -eu
cd "$(dirname "$0")/.."
# A suppression with nothing after its codes.
pattern='#[[:space:]]*(noqa(:[[:space:]]*[A-Z]+[0-9]+([[:space:]]*,[[:space:]]*[A-Z]+[0-9]+)*)?|type:[[:space:]]*ignore(\[[^]]*\])?)[[:space:]]*$'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    search() { git grep -niE "$pattern" -- '*.py' '*.pyi'; }
else  # an unpacked archive: every Python file but the virtual environments'
    search() { grep -rniE --include='*.py' --include='*.pyi' --exclude-dir='.venv*' "$pattern" .; }
fi
if search; then
    echo "noqa/type: ignore without its reason on the line (above): add the reason, or remove the need" >&2
    exit 1
fi
