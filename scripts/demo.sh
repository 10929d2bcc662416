#!/usr/bin/env bash
# The quick start's first command: installs what is missing and runs `crosswalk demo` (see README.md).
# Needs only a Node with npm (any version, 20 included) and bash: the pinned Node comes from scripts/node.sh, the
# pinned pnpm is installed into a cache folder (no root, nothing global) when the one on PATH is not it, and the
# dependencies from the lockfile. Arguments are passed to `crosswalk demo` (e.g. --no-serve). Progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

node_bin=$(bash scripts/node.sh)
export PATH="$node_bin:$PATH"

pnpm_version=$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '').split('+')[0]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  prefix=${XDG_CACHE_HOME:-$HOME/.cache}/crosswalk/pnpm-$pnpm_version
  if [ "$("$prefix/bin/pnpm" --version 2>/dev/null || true)" != "$pnpm_version" ]; then
    echo "installing pnpm $pnpm_version into $prefix" >&2
    npm install --silent --global --prefix "$prefix" "pnpm@$pnpm_version" >&2
  fi
  export PATH="$prefix/bin:$PATH"
fi

pnpm install --frozen-lockfile >&2

# The web console the demo serves at /console/: built when missing or older than its sources.
console=services/console
if [ ! -f "$console/dist/index.html" ] ||
  [ -n "$(find "$console/src" "$console/public" "$console/index.html" "$console/vite.config.ts" "$console/package.json" \
    -newer "$console/dist/index.html" -print -quit)" ]; then
  pnpm --filter @crosswalk/console build >&2
fi
exec pnpm -s crosswalk demo "$@"
