#!/bin/sh
# Install the system programs the project needs, by name: graphviz (the `dot`
# program behind every drawing), chromium (the browser tests) and node (Node.js
# and npm: the playground's packages and its tests). Debian/Ubuntu
# as root or with sudo, macOS with Homebrew; anywhere else, or without the
# rights, stop with one line naming the command to run.
set -eu
missing=""
for tool in "$@"; do
  case "$tool" in
    graphviz) command -v dot >/dev/null 2>&1 || missing="$missing graphviz" ;;
    chromium) command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
                || missing="$missing chromium" ;;
    node) { command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } || missing="$missing nodejs npm" ;;
    *) echo "system-deps.sh: unknown tool '$tool'" >&2; exit 2 ;;
  esac
done
[ -z "$missing" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"
  else echo "autograd-core needs$missing: run 'sudo apt-get install -y$missing', then try again." >&2; exit 1
  fi
  echo "installing$missing with apt-get ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq$missing >/dev/null
elif command -v brew >/dev/null 2>&1; then
  for pkg in $missing; do
    if [ "$pkg" = chromium ]; then brew install --cask chromium
    elif [ "$pkg" = nodejs ]; then brew install node
    elif [ "$pkg" != npm ]; then brew install "$pkg"  # Homebrew's node brings npm
    fi
  done
else
  echo "autograd-core needs$missing: install it with your package manager (conda: 'conda install -c conda-forge$missing'), then try again." >&2
  exit 1
fi
