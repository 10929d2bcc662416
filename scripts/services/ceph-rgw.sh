#!/usr/bin/env bash
# A one-node Ceph cluster (1 mon + 1 memstore OSD, cephx, loopback only) with radosgw on 127.0.0.1:7480,
# so tests talk to a real S3 server without Docker. Recipe and pitfalls: shared/reference/s3-local.md.
#
#   ceph-rgw.sh start    start (no-op when already up; a dead cluster's state is wiped and rebuilt)
#   ceph-rgw.sh stop     stop the daemons and keep the state dir (memstore data is gone anyway)
#   ceph-rgw.sh status   exit 0 when all daemons run and the S3 endpoint answers
#   ceph-rgw.sh env      print the S3_* variables for `eval`
#
# Progress goes to stderr; only `env` writes to stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
D=${CEPH_STATE_DIR:-$ROOT/.services/ceph}
export CEPH_CONF=$D/ceph.conf

ENDPOINT=http://127.0.0.1:7480
REGION=us-east-1
ACCESS_KEY=crosswalk-test
SECRET_KEY=crosswalk-test-secret
WARMUP_BUCKET=crosswalk-warmup
DAEMONS=(mon.a osd.0 client.rgw.a)
PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)

log() { echo "ceph-rgw: $*" >&2; }

# Print the tail of a daemon's log and exit: a service that doesn't come up must say why.
die() {
  log "ERROR: $1"
  if [ -n "${2:-}" ] && [ -f "$D/log/$2.log" ]; then
    log "--- last lines of $D/log/$2.log ---"
    tail -n 40 "$D/log/$2.log" >&2
  fi
  # Don't leave a half-started cluster holding the fixed ports; its logs stay for reading.
  [ -d "$D/run" ] && stop_daemons
  exit 1
}

# Poll a command once a second until it succeeds or the deadline passes.
wait_for() {
  local what=$1 seconds=$2 logname=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what did not come up within ${seconds}s" "$logname"
    sleep 1
  done
}

# A pid file can outlive its daemon and its pid be reused: only a Ceph process counts.
is_ceph_pid() { [[ "$(cat "/proc/$1/comm" 2>/dev/null)" =~ ^(ceph-mon|ceph-osd|radosgw)$ ]]; }
pid_alive() { [ -f "$D/run/$1.pid" ] && is_ceph_pid "$(cat "$D/run/$1.pid")"; }
all_alive() { for d in "${DAEMONS[@]}"; do pid_alive "$d" || return 1; done; }
# Any HTTP answer counts: an anonymous GET / on radosgw returns an empty bucket list.
rgw_answers() {
  node -e "fetch('$ENDPOINT/', { signal: AbortSignal.timeout(5000) }).then(() => process.exit(0), () => process.exit(1))"
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The ceph CLI waits forever for an absent monitor; bound every call.
ceph_cli() { timeout 30 ceph --connect-timeout 20 "$@"; }

ensure_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return
  log "installing ${missing[*]} (apt)"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

stop_daemons() {
  local pid pids=()
  for f in "$D"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if is_ceph_pid "$pid" && kill "$pid" 2>/dev/null; then pids+=("$pid"); fi
  done
  # Give them 10 s to exit cleanly, then force: a lingering OSD keeps ports 6800+ busy for the next start.
  for _ in $(seq 10); do
    local alive=0
    for pid in "${pids[@]}"; do is_ceph_pid "$pid" && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 1
  done
  for pid in "${pids[@]}"; do is_ceph_pid "$pid" && kill -9 "$pid" 2>/dev/null; done
  rm -f "$D"/run/*.pid
}

write_conf() {
  cat >"$CEPH_CONF" <<EOF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:3300
public network = 127.0.0.0/8
keyring = $D/keyring
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000

[mon]
mon data = $D/mon/\$cluster-\$id

[osd]
osd data = $D/osd/\$cluster-\$id
osd objectstore = memstore
# RAM-backed: the tests' objects vanish with the process, so COMPLIANCE-locked objects never pile up.
memstore device bytes = 4294967296

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:7480
rgw data = $D/rgw
EOF
}

start() {
  trap 'log "ERROR: command failed at line $LINENO; logs are in $D/log"' ERR
  if all_alive && rgw_answers; then
    log "already running at $ENDPOINT"
    return
  fi
  # One cluster per machine (fixed ports): one started from another checkout serves us just as well.
  if ! all_alive && rgw_answers && ensure_warmup_bucket 2>/dev/null; then
    log "reusing the cluster already serving $ENDPOINT (not started from $D)"
    return
  fi
  ensure_packages
  # Whatever is left is a dead or half-started cluster: memstore kept nothing worth saving.
  [ -d "$D" ] && { log "wiping stale state in $D"; stop_daemons; rm -rf "$D"; }
  for port in 3300 7480; do
    port_in_use "$port" && die "port $port is taken by something else (another cluster? only one per machine)"
  done
  mkdir -p "$D"/{run,log,mon,osd/ceph-0,rgw}
  local started=$SECONDS

  FSID=$(cat /proc/sys/kernel/random/uuid)
  write_conf
  log "creating monitor (fsid $FSID)"
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.rgw.a \
    --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
  monmaptool --create --addv a '[v2:127.0.0.1:3300]' --fsid "$FSID" "$D/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring" >>"$D/log/mkfs.log" 2>&1 ||
    die "ceph-mon --mkfs failed" mkfs
  # Daemons fork; their inherited stdio must not hold the caller's pipe open (eval "$(start.sh)" would hang).
  ceph-mon -i a </dev/null >>"$D/log/daemons.out" 2>&1
  wait_for "ceph-mon" 60 mon.a ceph_cli health
  ceph_cli auth import -i "$D/keyring" 2>>"$D/log/mkfs.log" || die "ceph auth import failed" mkfs

  log "creating OSD (memstore)"
  local osd_uuid osd_key osd_id
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_key=$(ceph-authtool --gen-print-key)
  osd_id=$(echo "{\"cephx_secret\": \"$osd_key\"}" | ceph_cli osd new "$osd_uuid" -i -)
  [ "$osd_id" = 0 ] || die "expected osd.0, got osd.$osd_id"
  ceph-authtool "$D/keyring" --name osd.0 --add-key "$osd_key" >/dev/null
  ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$D/log/mkfs.log" 2>&1 || die "ceph-osd --mkfs failed" mkfs
  ceph-osd -i 0 </dev/null >>"$D/log/daemons.out" 2>&1
  wait_for "ceph-osd" 60 osd.0 osd_up

  log "starting radosgw (first start creates its pools)"
  radosgw -n client.rgw.a </dev/null >>"$D/log/daemons.out" 2>&1
  wait_for "radosgw on $ENDPOINT" 120 client.rgw.a rgw_answers

  radosgw-admin user create --uid=crosswalk-test --display-name='Crosswalk tests' \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null 2>>"$D/log/radosgw-admin.log" ||
    die "radosgw-admin user create failed" radosgw-admin
  # The first CreateBucket takes seconds while radosgw creates its data pools: pay that here, not in a test.
  log "warming up: bucket $WARMUP_BUCKET (Object Lock enabled)"
  ensure_warmup_bucket >&2 || die "warm-up bucket could not be created" client.rgw.a
  log "up at $ENDPOINT in $((SECONDS - started))s"
}

# Needs `pnpm install` (the S3 client comes from packages/testing).
ensure_warmup_bucket() {
  (eval "$(env_lines)" && timeout 120 node --no-warnings "$ROOT/packages/testing/bin/ensure-bucket.mjs" "$WARMUP_BUCKET")
}

osd_up() { ceph_cli osd dump 2>/dev/null | grep -q '^osd.0 up'; }

status() {
  local ok=0
  for d in "${DAEMONS[@]}"; do
    if pid_alive "$d"; then log "$d running (pid $(cat "$D/run/$d.pid"))"; else log "$d not running"; ok=1; fi
  done
  if rgw_answers; then log "$ENDPOINT answers"; else log "$ENDPOINT does not answer"; ok=1; fi
  return "$ok"
}

env_lines() {
  echo "export S3_ENDPOINT=$ENDPOINT S3_REGION=$REGION S3_ACCESS_KEY_ID=$ACCESS_KEY" \
    "S3_SECRET_ACCESS_KEY=$SECRET_KEY S3_FORCE_PATH_STYLE=true"
}

case "${1:-}" in
  start) start ;;
  stop) stop_daemons; log "stopped" ;;
  status) status ;;
  env) env_lines ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
