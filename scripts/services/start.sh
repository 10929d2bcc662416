#!/usr/bin/env bash
# Starts the services the integration tests talk to and prints their variables on stdout, so that
#   eval "$(bash scripts/services/start.sh)"
# configures the current shell. Progress goes to stderr. Sequential on purpose: both may run apt-get.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

bash "$here/redis.sh" start
bash "$here/ceph-rgw.sh" start
bash "$here/redis.sh" env
bash "$here/ceph-rgw.sh" env
