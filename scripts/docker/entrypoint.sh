#!/bin/sh
# The image's entrypoint: `docker run crosswalk <command>` runs `crosswalk <command>` in this process (no
# package manager in between, so SIGTERM reaches the CLI, which stops the API or worker cleanly).
# Secrets can come as files (Docker secrets, the compose file's keys volume): VAR_FILE names the file whose
# content becomes VAR, unless VAR is set. Only for the variables that hold a secret itself;
# CROSSWALK_SIGNING_KEY_FILE is read by Crosswalk as a path already.
set -eu
for name in CROSSWALK_SECRET_KEY CROSSWALK_S3_ACCESS_KEY_ID CROSSWALK_S3_SECRET_ACCESS_KEY; do
  eval "file=\${${name}_FILE:-} value=\${${name}:-}"
  if [ -n "$file" ] && [ -z "$value" ]; then
    if [ ! -r "$file" ]; then
      echo "error CW_CONFIG_INVALID: ${name}_FILE names $file, which cannot be read" >&2
      exit 1
    fi
    value=$(cat "$file")
    export "$name=$value"
  fi
  unset "${name}_FILE"
done
exec node --import tsx "$(dirname "$0")/../../services/cli/src/main.ts" "$@"
