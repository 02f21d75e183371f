#!/usr/bin/env bash
# Makes sure the helm CLI the chart tests use (test/chart/) is on this machine. Helm is not packaged by
# Debian, so it is built from the Go module proxy with `go install helm.sh/helm/v3/cmd/helm@VERSION`
# (its go.mod has no replace directives, so no throwaway module is needed) into
#   ${JUNCTION_CACHE:-~/.cache/junction}/helm/<version>/helm
# The binary is cached, so later runs take a second. Idempotent. Prints `helm: <path>` at the end.
#
# Environment: JUNCTION_CACHE (default ~/.cache/junction) is where builds live; JUNCTION_HELM_VERSION
# overrides HELM_VERSION below (test/chart/helm.ts reads both the same way).
set -euo pipefail

# The Helm release to build. test/chart/helm.ts reads this line to find the binary, so keep its shape.
HELM_VERSION="${JUNCTION_HELM_VERSION:-v3.22.0}"

CACHE_ROOT="${JUNCTION_CACHE:-$HOME/.cache/junction}/helm"
VERSION_DIR="$CACHE_ROOT/$HELM_VERSION"
HELM_BIN="$VERSION_DIR/helm"

log() {
  printf '[helm] %s\n' "$*"
}

die() {
  printf '[helm] error: %s\n' "$*" >&2
  exit 1
}

ensure_go() {
  command -v go >/dev/null 2>&1 || die "go not found on PATH; helm is built with the Go toolchain"
  log "go present: $(go version)"
}

STAMP="$VERSION_DIR/helm.ldflags"

# binary_ok PATH: the cached binary exists, reports HELM_VERSION and was built with today's flags.
binary_ok() {
  [ -x "$1" ] && [ -s "$STAMP" ] &&
    "$1" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"
}

# ldflags: what Helm's own Makefile stamps in. Without the Kubernetes version, `helm template` and
# `helm lint` assume Kubernetes v1.20 (and reject charts needing newer); Helm derives it from the
# k8s.io/client-go it is built with (v0.X.Y → 1.X), and so does this.
ldflags() {
  local mod_file client_go minor
  # Outside any Go module (the cache dir), so a go.mod in the caller's directory plays no part.
  mod_file="$(cd "$VERSION_DIR" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download -json "helm.sh/helm/v3@$HELM_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [ -s "$mod_file" ] || die "could not download helm.sh/helm/v3 $HELM_VERSION's go.mod"
  client_go="$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$mod_file")"
  [[ "$client_go" =~ ^v0\.([0-9]+)\. ]] || die "no k8s.io/client-go v0.X.Y in $mod_file (found '$client_go')"
  minor="${BASH_REMATCH[1]}"
  local flags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  flags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  local pkg
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    flags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$minor"
  done
  echo "$flags"
}

# build: installs into a temporary GOBIN and moves the binary in place, so a failed or interrupted
# build never leaves a half-written helm behind.
build() {
  local tmp_bin="$VERSION_DIR/.gobin" started flags
  rm -rf "$tmp_bin"
  mkdir -p "$tmp_bin"
  started="$(date +%s)"
  flags="$(ldflags)"
  log "building helm $HELM_VERSION from the Go module proxy (first run: a few minutes)…"
  (cd "$VERSION_DIR" && GOBIN="$tmp_bin" GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 nice -n 10 \
    go install -trimpath -ldflags "$flags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION") ||
    die "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed (see the error above)"
  mv "$tmp_bin/helm" "$HELM_BIN"
  echo "$flags" >"$STAMP"
  rm -rf "$tmp_bin"
  log "built helm in $(($(date +%s) - started)) s"
}

main() {
  mkdir -p "$VERSION_DIR"
  # One build at a time per version, also across engineers sharing this machine.
  exec 9>"$VERSION_DIR/.lock"
  if ! flock -n 9; then
    log "another ensure-helm.sh is running for $HELM_VERSION; waiting for it…"
    flock 9
  fi
  if binary_ok "$HELM_BIN"; then
    log "helm $HELM_VERSION cached: $HELM_BIN"
  else
    ensure_go
    build
    binary_ok "$HELM_BIN" || die "$HELM_BIN was built but does not report $HELM_VERSION"
  fi
  log "ready"
  echo "helm: $HELM_BIN"
}

main "$@"
