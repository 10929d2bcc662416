#!/usr/bin/env bash
# Redis for tests on 127.0.0.1:6379. The project's machines normally run one already (started by the
# machine, keeping nothing on disk); use it if it answers, else install and start one the same way.
#
#   redis.sh start   ensure Redis answers PING (progress on stderr)
#   redis.sh env     print REDIS_URL for `eval` (a REDIS_URL already set, e.g. naming another database of
#                    this Redis so two runs on one machine do not take each other's jobs, is kept)
set -euo pipefail

LOGFILE=/var/log/redis/ci.log

log() { echo "redis: $*" >&2; }
answers() { command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

start() {
  if answers; then
    log "already running on 127.0.0.1:6379"
    return
  fi
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    log "installing redis-server (apt)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >&2
    # The package's own init script may have started one already.
    answers && { log "started by the package"; return; }
  fi
  mkdir -p /var/lib/redis /var/log/redis
  # Same flags as the machine's own Redis: loopback only, no persistence (tests own every key they write).
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile "$LOGFILE" </dev/null >/dev/null 2>&1
  for _ in $(seq 20); do
    answers && { log "started on 127.0.0.1:6379"; return; }
    sleep 0.5
  done
  log "ERROR: Redis did not answer PING within 10s; last lines of $LOGFILE:"
  tail -n 30 "$LOGFILE" >&2 || true
  exit 1
}

case "${1:-}" in
  start) start ;;
  env) echo "export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}" ;;
  *) echo "usage: $0 start|env" >&2; exit 2 ;;
esac
