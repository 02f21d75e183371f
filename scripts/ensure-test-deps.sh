#!/usr/bin/env bash
# Installs the external programs the test suites start themselves (redis-server, …). Idempotent:
# anything already on PATH is left alone. Add one ensure_<tool> function per tool and call it from main.
set -euo pipefail

log() {
  printf 'ensure-test-deps: %s\n' "$*"
}

die() {
  log "$*"
  exit 1
}

# shellcheck source=lib/debian.sh
source "$(dirname "$0")/lib/debian.sh"


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

# The history tests start their own PostgreSQL (test/harness/postgres.ts): initdb into a temp dir and
# `postgres` on a random loopback port, as the `postgres` OS user when run as root. Debian installs the
# binaries under /usr/lib/postgresql/<version>/bin (off PATH) and starts a system cluster, which we stop.
postgres_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

ensure_postgres() {
  local bin
  bin="$(postgres_bin || true)"
  if [ -n "$bin" ]; then
    log "postgresql present: $bin ($("$bin/postgres" --version))"
    return
  fi
  apt_install postgresql
  stop_service postgresql
  bin="$(postgres_bin || true)"
  [ -n "$bin" ] || die "postgresql installed but no initdb/postgres found under /usr/lib/postgresql"
  log "postgresql installed: $bin"
}

# The Sentinel tests (test/harness/redis-ha.ts) start three sentinels of their own the same way. On Debian
# the sentinel mode of redis-server comes as its own package, which also starts a service on 26379.
ensure_redis_sentinel() {
  if command -v redis-sentinel >/dev/null 2>&1; then
    log "redis-sentinel present: $(command -v redis-sentinel)"
    return
  fi
  apt_install redis-sentinel
  stop_service redis-sentinel
  log "redis-sentinel installed: $(command -v redis-sentinel)"
}

main() {
  ensure_redis
  ensure_postgres
  ensure_redis_sentinel
  log "done"
}

main "$@"
