#!/usr/bin/env bash
# Installs the external programs the test suites start themselves (redis-server, …). Idempotent:
# anything already on PATH is left alone. Add one ensure_<tool> function per tool and call it from main.
set -euo pipefail

log() {
  printf 'ensure-test-deps: %s\n' "$*"
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root to run '$*' and sudo is not installed"
    exit 1
  fi
}

APT_UPDATED=0

# apt_install PACKAGE...: installs Debian packages, refreshing the package lists once per run.
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found; install these packages by hand: $*"
    exit 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# stop_service NAME: stops and disables a system service a package may have started on install.
stop_service() {
  local name="$1"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    log "stopping and disabling the $name service (tests start their own server)"
    as_root systemctl disable --now "$name" >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    log "stopping the $name service (tests start their own server)"
    as_root service "$name" stop >/dev/null 2>&1 || true
  fi
}

# Tests spawn redis-server themselves on a random loopback port (test/harness/redis.ts), so the
# service the Debian package may auto-start on 6379 is never used; we stop it to keep the machine quiet.
ensure_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    log "redis-server present: $(command -v redis-server) ($(redis-server --version | cut -d' ' -f3))"
    return
  fi
  apt_install redis-server
  stop_service redis-server
  log "redis-server installed: $(command -v redis-server)"
}

main() {
  ensure_redis
  log "done"
}

main "$@"
