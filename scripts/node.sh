#!/usr/bin/env bash
# Makes the Node.js that .node-version pins available and prints the folder its `node` is in, so that
#   export PATH="$(bash scripts/node.sh):$PATH"
# runs the rest of a shell on it. A `node` already on PATH of the same major, at or above the pin, is used as
# it is. Otherwise the binary comes from the npm registry, not nodejs.org: the platform package
# `node-<os>-<arch>` (what the `node` npm package installs underneath) ships bin/node; `npm pack` fetches it
# checked against the registry's integrity hash, without running any install script, and it is unpacked into
# a cache folder ($CROSSWALK_NODE_DIR, default ~/.cache/crosswalk/node-v<version>-<os>-<arch>). Progress on stderr.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
want=$(tr -d ' \n\r' <"$here/.node-version")
want=${want#v}

have=$(node --version 2>/dev/null || true)
have=${have#v}
if [ -n "$have" ] && [ "${have%%.*}" = "${want%%.*}" ] &&
  [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" = "$want" ]; then
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -s)" in
Linux) os=linux ;;
Darwin) os=darwin ;;
*) echo "scripts/node.sh: no registry package for $(uname -s); install Node $want yourself" >&2 && exit 1 ;;
esac
case "$(uname -m)" in
x86_64 | amd64) arch=x64 ;;
aarch64 | arm64) arch=arm64 ;;
*) echo "scripts/node.sh: no registry package for $(uname -m); install Node $want yourself" >&2 && exit 1 ;;
esac

dir=${CROSSWALK_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crosswalk/node-v$want-$os-$arch}
if [ "$("$dir/bin/node" --version 2>/dev/null || true)" != "v$want" ]; then
  echo "installing Node $want (node-$os-$arch from the npm registry) into $dir" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-$os-$arch@$want" >/dev/null)
  rm -rf "$dir" && mkdir -p "$dir"
  tar -xzf "$tmp"/node-"$os"-"$arch"-"$want".tgz -C "$dir" --strip-components=1
  "$dir/bin/node" --version >/dev/null
fi
echo "$dir/bin"
