#!/bin/sh
# Install the system programs the project needs, by name: graphviz (the `dot`
# program behind every drawing), chromium (the browser tests), latex (pdflatex
# with TikZ and Beamer: the tests compile viz's .tex exports), poppler
# (pdftotext and pdftoppm: the tests read the PDFs) and node (Node.js and npm:
# the playground's packages and its tests). Debian/Ubuntu as root or with sudo,
# macOS with Homebrew; anywhere else, or without the rights, stop with one line
# naming the command to run. TeX Live and Node.js are installed without the
# packages they only recommend.
set -eu
missing=""  # Debian packages, installed with what they recommend
lean=""  # Debian packages, installed without
for tool in "$@"; do
  case "$tool" in
    graphviz) command -v dot >/dev/null 2>&1 || missing="$missing graphviz" ;;
    chromium) command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
                || missing="$missing chromium" ;;
    latex) { command -v pdflatex >/dev/null 2>&1 && kpsewhich tikz.sty beamer.cls geometry.sty fix-cm.sty >/dev/null 2>&1; } \
             || lean="$lean texlive-latex-base texlive-latex-recommended texlive-pictures" ;;
    poppler) { command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; } \
               || lean="$lean poppler-utils" ;;
    node) { command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } || lean="$lean nodejs npm" ;;
    *) echo "system-deps.sh: unknown tool '$tool'" >&2; exit 2 ;;
  esac
done
[ -z "$missing$lean" ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"
  else echo "autograd-core needs$missing$lean: run 'sudo apt-get install -y$missing$lean', then try again." >&2; exit 1
  fi
  echo "installing$missing$lean with apt-get ..."
  $sudo apt-get update -qq
  if [ -n "$missing" ]; then DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq$missing >/dev/null; fi
  if [ -n "$lean" ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends$lean >/dev/null
  fi
elif command -v brew >/dev/null 2>&1; then
  for pkg in $missing $lean; do
    case "$pkg" in
      chromium) brew install --cask chromium ;;
      texlive-latex-base) brew install --cask basictex ;;  # pdflatex with TikZ and Beamer
      texlive-*) ;;
      poppler-utils) brew install poppler ;;
      nodejs) brew install node ;;  # Homebrew's node brings npm
      npm) ;;
      *) brew install "$pkg" ;;
    esac
  done
else
  echo "autograd-core needs$missing$lean: install it with your package manager (conda: 'conda install -c conda-forge$missing$lean'), then try again." >&2
  exit 1
fi
