#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Official Node.js builds of the given major lines (default: 22 24), from the npm registry, where the Node.js
# project publishes each release as the package node-linux-<arch>, into build/node/<line>/ (untracked). A line
# already there is used as it is, without the network (`rm -rf build/node` takes newer releases); npm's cache
# serves a tarball fetched once before without the network too. Prints each line's node binary, one per line.
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 22 24

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  ppc64le | s390x) arch=$(uname -m) ;;
  *) echo "node-lines: no Node.js package for $(uname -m)" >&2; exit 1 ;;
esac

mkdir -p build/node
for line in "$@"; do
  case "$line" in *[!0-9]* | '') echo "node-lines: \`$line\` is not a major version" >&2; exit 2 ;; esac
  dir=build/node/$line
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d build/node/.fetch-XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    tarball=$(cd "$tmp" && npm pack --silent --prefer-offline "node-linux-$arch@$line")
    # the binary alone: it needs nothing else of the package (headers, npm, docs)
    tar -xzf "$tmp/$tarball" -C "$tmp" package/bin/node
    version=$("$tmp/package/bin/node" --version)
    case "$version" in v"$line".*) ;; *) echo "node-lines: node-linux-$arch@$line gave node $version" >&2; exit 1 ;; esac
    # moved into place whole, so that an interrupted fetch leaves no line behind
    mkdir -p "$tmp/line/bin"
    mv "$tmp/package/bin/node" "$tmp/line/bin/node"
    echo "$version" >"$tmp/line/VERSION"
    rm -rf "$dir"
    mv "$tmp/line" "$dir"
    rm -rf "$tmp"
    trap - EXIT
    echo "node-lines: node $version from node-linux-$arch@$line in $dir" >&2
  fi
  echo "$PWD/$dir/bin/node"
done
