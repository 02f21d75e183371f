# Debian package helpers shared by the scripts/ensure-* installers. Source it after defining
# `log MESSAGE` and `die MESSAGE` (each script prefixes its own output).

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' and sudo is not installed"
  fi
}

APT_UPDATED=0

# apt_install PACKAGE...: installs Debian packages, refreshing the package lists once per run.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these packages by hand: $*"
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

# stop_service NAME: stops and disables a system service a package may have started on install;
# the tests always start their own servers on random loopback ports.
stop_service() {
  local name="$1"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now "$name" >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    as_root service "$name" stop >/dev/null 2>&1 || true
  fi
}
