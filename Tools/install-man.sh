#!/usr/bin/env bash
# Generates ledger.1 from the command tree (swift-argument-parser's GenerateManual plugin,
# `swift package generate-manual`) and installs it.
#
#   Tools/install-man.sh [MAN1_DIR]
#
# MAN1_DIR: the directory ledger.1 is copied to; without it, $PREFIX/share/man/man1, and
# $PREFIX defaults to $HOME/.local (so ~/.local/share/man/man1).
# $CONFIGURATION: the build the plugin reads the command tree from, debug (the default: it
# reuses `swift build`'s) or release (the plugin's own default; a long build). The page is the
# same either way. The page's date is the last commit's, so the same tree gives the same page.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="${PREFIX:-$HOME/.local}"
dest="${1:-$prefix/share/man/man1}"
configuration="${CONFIGURATION:-debug}"
date="$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# The plugin writes into its own work directory under .build and prints where.
if ! swift package generate-manual --configuration "$configuration" --date "$date" >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-man: swift package generate-manual failed" >&2
  exit 1
fi
out="$(sed -n "s|^Generated manual in 'file://\(.*\)'$|\1|p" "$log" | tail -n 1)"
page="${out%/}/ledger.1"
if [ -z "$out" ] || [ ! -s "$page" ]; then
  cat "$log" >&2
  echo "install-man: the plugin wrote no ledger.1 (looked for '$page')" >&2
  exit 1
fi

install -d "$dest"
install -m 0644 "$page" "$dest/ledger.1"
echo "installed $dest/ledger.1 (read it with: man -l $dest/ledger.1)"
