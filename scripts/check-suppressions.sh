#!/bin/sh
# Every `noqa` and `type: ignore` says why on its line: `# noqa: E402 - after the settings above`,
# `# type: ignore[attr-defined]  # a function attribute`. Lists the ones that do not and fails.
set -eu
cd "$(dirname "$0")/.."
# A suppression with nothing after its codes.
pattern='#[[:space:]]*(noqa(:[[:space:]]*[A-Z]+[0-9]+([[:space:]]*,[[:space:]]*[A-Z]+[0-9]+)*)?|type:[[:space:]]*ignore(\[[^]]*\])?)[[:space:]]*$'
if git grep -niE "$pattern" -- '*.py' '*.pyi'; then
    echo "noqa/type: ignore without its reason on the line (above): add the reason, or remove the need" >&2
    exit 1
fi
