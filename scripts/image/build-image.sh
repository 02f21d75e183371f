#!/usr/bin/env bash
# Builds the Junction image from the repository's Dockerfile without a Docker daemon: Debian's
# buildah (vfs storage, chroot isolation) for the build, podman (runc) for the smoke test. Public
# registries are out of reach here, so the Dockerfile's base images are assembled locally and passed
# as its build arguments:
#   NODE_IMAGE     localhost/junction-node-build:<node>    a Debian bookworm minbase from mmdebstrap
#                                                          (Debian's packages) plus this machine's
#                                                          node and npm, for the compile stages
#   RUNTIME_IMAGE  localhost/junction-node-runtime:<node>  distroless-shaped: /nodejs/bin/node, the
#                                                          shared libraries it links, CA certificates,
#                                                          passwd/group with nonroot (65532), /tmp;
#                                                          no shell, no package manager
# Everything (the minbase tarball, image storage) lives under ${JUNCTION_CACHE:-~/.cache/junction}/image,
# never in the repository. Base images are reused while the node version is the same.
#
# Usage: scripts/image/build-image.sh [TAG]   (default localhost/junction:dev); prints `image: TAG` last.
# Environment: JUNCTION_CACHE; JUNCTION_IMAGE_REBUILD_BASES=1 rebuilds the base images.
set -euo pipefail

log() {
  printf '[image] %s\n' "$*" >&2
}

die() {
  printf '[image] error: %s\n' "$*" >&2
  exit 1
}

# shellcheck source=../lib/debian.sh
source "$(dirname "$0")/../lib/debian.sh"

REPO_ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TAG="${1:-localhost/junction:dev}"
CACHE="${JUNCTION_CACHE:-$HOME/.cache/junction}/image"
STORAGE=(--root "$CACHE/storage" --runroot "$CACHE/run" --storage-driver vfs)
SUITE=bookworm

ensure_tools() {
  local missing=()
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
  log "buildah $(buildah --version | cut -d' ' -f3), podman $(podman --version | cut -d' ' -f3), mmdebstrap $(mmdebstrap --version | cut -d' ' -f2)"
}

has_image() {
  buildah "${STORAGE[@]}" inspect --type image "$1" >/dev/null 2>&1
}

# The compile stages' base: Debian minbase (sh, coreutils, CA certificates) with node and npm.
build_base() {
  local ref="$1" node_version="$2" tarball="$CACHE/$SUITE-minbase.tar"
  if [ ! -s "$tarball" ]; then
    log "mmdebstrap $SUITE minbase → $tarball"
    as_root mmdebstrap --variant=minbase --include=ca-certificates --mode=root --format=tar "$SUITE" "$tarball.part" >&2
    mv "$tarball.part" "$tarball"
  fi
  local node npm_dir ctr
  node="$(command -v node)"
  npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
  ctr="$(buildah "${STORAGE[@]}" from scratch)"
  buildah "${STORAGE[@]}" add "$ctr" "$tarball" / >/dev/null
  buildah "${STORAGE[@]}" copy "$ctr" "$node" /usr/local/bin/node >/dev/null
  buildah "${STORAGE[@]}" copy "$ctr" "$npm_dir" /usr/local/lib/node_modules/npm >/dev/null
  buildah "${STORAGE[@]}" run --isolation chroot "$ctr" -- sh -c \
    'ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx'
  buildah "${STORAGE[@]}" config --env PATH=/usr/local/bin:/usr/bin:/bin --workingdir / "$ctr"
  buildah "${STORAGE[@]}" commit --quiet --rm "$ctr" "$ref" >/dev/null
  log "built $ref (node $node_version, npm $(npm --version))"
}

# The runtime base, shaped like gcr.io/distroless/nodejs*: node, the libraries ldd lists, nothing else.
build_runtime() {
  local ref="$1" node_version="$2" root ctr lib
  root="$(mktemp -d)"
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root/nodejs/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/nonroot"
  cp "$(command -v node)" "$root/nodejs/bin/node"
  for lib in $(ldd "$(command -v node)" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  chmod 1777 "$root/tmp"
  chown 65532:65532 "$root/home/nonroot"
  ctr="$(buildah "${STORAGE[@]}" from scratch)"
  buildah "${STORAGE[@]}" copy "$ctr" "$root" / >/dev/null
  buildah "${STORAGE[@]}" config --user 65532:65532 --env PATH=/nodejs/bin --entrypoint '["/nodejs/bin/node"]' "$ctr"
  buildah "${STORAGE[@]}" commit --quiet --rm "$ctr" "$ref" >/dev/null
  log "built $ref (node $node_version, $(du -sh "$root" | cut -f1))"
}

main() {
  ensure_tools
  mkdir -p "$CACHE"
  local node_version build_ref runtime_ref
  node_version="$(node --version | tr -d v)"
  build_ref="localhost/junction-node-build:$node_version"
  runtime_ref="localhost/junction-node-runtime:$node_version"
  if [ "${JUNCTION_IMAGE_REBUILD_BASES:-0}" = 1 ] || ! has_image "$build_ref"; then build_base "$build_ref" "$node_version"; fi
  if [ "${JUNCTION_IMAGE_REBUILD_BASES:-0}" = 1 ] || ! has_image "$runtime_ref"; then build_runtime "$runtime_ref" "$node_version"; fi
  # npm in the compile stages trusts this host's CA bundle (a TLS-inspecting proxy's CA may be in it)
  # through a mounted npmrc; RUN-time volumes are not part of any layer, so none of it is in the image.
  local ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
  NPMRC="$(mktemp)"
  trap 'rm -f "$NPMRC"' EXIT
  printf 'cafile=/run/build-ca.crt\n' >"$NPMRC"
  log "buildah build $TAG"
  buildah "${STORAGE[@]}" build --isolation chroot --pull=never --layers \
    --volume "$ca:/run/build-ca.crt:ro" --volume "$NPMRC:/root/.npmrc:ro" \
    --build-arg "NODE_IMAGE=$build_ref" --build-arg "RUNTIME_IMAGE=$runtime_ref" \
    -t "$TAG" -f "$REPO_ROOT/Dockerfile" "$REPO_ROOT" >&2
  printf 'image: %s\n' "$TAG"
}

main "$@"
