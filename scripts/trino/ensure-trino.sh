#!/usr/bin/env bash
# Fetches a real Trino server (plus the tpch and memory connector plugins) from Maven Central into a
# cache outside the repository, and finds a JDK new enough to run it. Idempotent: a finished install
# is detected by its marker file and left alone.
#
#   scripts/trino/ensure-trino.sh              # install if needed, print the server path last
#   scripts/trino/ensure-trino.sh --print-env  # same, then print TRINO_HOME=... and TRINO_JAVA_HOME=...
#
# Layout under ${JUNCTION_CACHE:-$HOME/.cache/junction}/trino/<version>/:
#   downloads/          notes kept between runs (artifacts live in the local Maven repository)
#   server/             the unpacked server, with plugin/tpch and plugin/memory added
#   server/.complete    written last; its presence means the install is usable
#   java-home           one line: the JDK home to run this server with (read by test/harness/trino-server.ts)
#
# Environment: JUNCTION_CACHE (cache root), TRINO_JAVA_HOME (force a JDK), MAVEN_REPO (local Maven repository).
set -euo pipefail

# The one pin. 476 is the newest release whose server tarball and plugin zips are all on the Maven
# Central this machine reaches; it needs Java 24+ and runs on Temurin 25.
TRINO_VERSION=476

MAVEN_REPO="${MAVEN_REPO:-$HOME/.m2/repository}"
CACHE_ROOT="${JUNCTION_CACHE:-$HOME/.cache/junction}"
INSTALL_DIR="$CACHE_ROOT/trino/$TRINO_VERSION"
DOWNLOADS="$INSTALL_DIR/downloads"
SERVER_DIR="$INSTALL_DIR/server"
GROUP_PATH="io/trino"

print_env=false
for arg in "$@"; do
  case "$arg" in
    --print-env) print_env=true ;;
    -h | --help)
      sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "ensure-trino: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

log() { echo "[ensure-trino] $*" >&2; }
die() {
  echo "[ensure-trino] ERROR: $*" >&2
  exit 1
}

for tool in mvn tar unzip; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required (apt-get install $tool)"
done

# Fetches one io.trino artifact with Maven (which verifies the registry's checksums: -C fails on a
# mismatch) into the local Maven repository, and prints its path there. Fails when it does not exist.
fetch_artifact() { # artifactId extension
  local artifact="$1" ext="$2"
  local file="$MAVEN_REPO/$GROUP_PATH/$artifact/$TRINO_VERSION/$artifact-$TRINO_VERSION.$ext"
  if [[ -s "$file" ]]; then
    log "have $(basename "$file") ($(du -h "$file" | cut -f1))"
    echo "$file"
    return
  fi
  log "fetching io.trino:$artifact:$TRINO_VERSION:$ext with Maven"
  mvn -B -q -C -Dstyle.color=never dependency:get -Dtransitive=false -Dmaven.repo.local="$MAVEN_REPO" \
    -Dartifact="io.trino:$artifact:$TRINO_VERSION:$ext" >&2 || return 1
  [[ -s "$file" ]] || die "Maven reported success but $file is missing"
  log "got $(basename "$file") ($(du -h "$file" | cut -f1), checksum verified by Maven)"
  echo "$file"
}

# The JDK feature version this release is built for, from the release's parent POM
# (air.java.version, e.g. 24.0.1 -> 24). Falls back to 24 if the POM cannot be read.
required_java_major() {
  local pom version=""
  pom="$(fetch_artifact trino-root pom 2>/dev/null)" || pom=""
  [[ -s "$pom" ]] && version="$(sed -n 's:.*<air.java.version>\([0-9][0-9]*\).*</air.java.version>.*:\1:p' "$pom" | head -n1)"
  echo "${version:-24}"
}

java_major() { # java home
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java.specification.version = \([0-9][0-9]*\).*/\1/p' | head -n1
}

# Picks the newest JDK that satisfies the requirement, preferring Temurin; TRINO_JAVA_HOME wins if set.
find_java_home() { # required major
  local required="$1" candidate major best="" best_major=0
  if [[ -n "${TRINO_JAVA_HOME:-}" ]]; then
    [[ -x "$TRINO_JAVA_HOME/bin/java" ]] || die "TRINO_JAVA_HOME=$TRINO_JAVA_HOME has no bin/java"
    major="$(java_major "$TRINO_JAVA_HOME")"
    ((${major:-0} >= required)) || die "TRINO_JAVA_HOME=$TRINO_JAVA_HOME is Java $major; Trino $TRINO_VERSION needs $required+"
    echo "$TRINO_JAVA_HOME"
    return
  fi
  for candidate in /usr/lib/jvm/temurin-*-jdk* /usr/lib/jvm/*; do
    [[ -x "$candidate/bin/java" ]] || continue
    major="$(java_major "$candidate")"
    [[ -n "$major" ]] || continue
    if ((major >= required && major > best_major)); then
      best="$candidate"
      best_major="$major"
    fi
  done
  [[ -n "$best" ]] || die "no JDK $required+ under /usr/lib/jvm (Trino $TRINO_VERSION needs Java $required+); set TRINO_JAVA_HOME"
  echo "$best"
}

# Unpacks an archive into $2, dropping a single top-level directory if the archive has one.
unpack_into() { # archive destination
  local archive="$1" dest="$2" staging entries
  staging="$(mktemp -d "$INSTALL_DIR/.unpack.XXXXXX")"
  case "$archive" in
    *.tar.gz) tar -xzf "$archive" -C "$staging" ;;
    *.zip) unzip -q "$archive" -d "$staging" ;;
    *) die "cannot unpack $archive" ;;
  esac
  mapfile -t entries < <(find "$staging" -mindepth 1 -maxdepth 1)
  if ((${#entries[@]} == 1)) && [[ -d "${entries[0]}" ]]; then
    mv "${entries[0]}" "$dest"
    rmdir "$staging"
  else
    mv "$staging" "$dest"
  fi
}

mkdir -p "$DOWNLOADS"

required="$(required_java_major)"
java_home="$(find_java_home "$required")"
log "Trino $TRINO_VERSION needs Java $required+; using $java_home (Java $(java_major "$java_home"))"

if [[ -f "$SERVER_DIR/.complete" ]]; then
  log "already installed: $SERVER_DIR"
else
  log "installing Trino $TRINO_VERSION into $INSTALL_DIR"
  # The server without most plugins is trino-server-core; releases without it only have the
  # full trino-server tarball with every plugin bundled (about 1 GB).
  if ! server_tar="$(fetch_artifact trino-server-core tar.gz)"; then
    log "trino-server-core $TRINO_VERSION not found; falling back to the full trino-server tarball"
    server_tar="$(fetch_artifact trino-server tar.gz)" || die "no Trino $TRINO_VERSION server tarball"
  fi
  tpch_zip="$(fetch_artifact trino-tpch zip)" || die "no trino-tpch $TRINO_VERSION zip"
  memory_zip="$(fetch_artifact trino-memory zip)" || die "no trino-memory $TRINO_VERSION zip"

  # Build in a fresh directory and move it into place at the end, so an interrupted run never leaves
  # a half-built server that looks finished.
  rm -rf "$INSTALL_DIR"/.unpack.* "$INSTALL_DIR/server.new" "$SERVER_DIR"
  log "unpacking $(basename "$server_tar")"
  unpack_into "$server_tar" "$INSTALL_DIR/server.new"
  mkdir -p "$INSTALL_DIR/server.new/plugin"
  for plugin in tpch:"$tpch_zip" memory:"$memory_zip"; do
    name="${plugin%%:*}"
    rm -rf "$INSTALL_DIR/server.new/plugin/$name" # the full tarball already bundles them
    log "unpacking plugin $name"
    unpack_into "${plugin#*:}" "$INSTALL_DIR/server.new/plugin/$name"
    ls "$INSTALL_DIR/server.new/plugin/$name"/*.jar >/dev/null 2>&1 || die "plugin $name has no jars after unpacking"
  done
  [[ -x "$INSTALL_DIR/server.new/bin/launcher" ]] || die "unpacked server has no bin/launcher"
  echo "$TRINO_VERSION" >"$INSTALL_DIR/server.new/.complete"
  mv "$INSTALL_DIR/server.new" "$SERVER_DIR"
  log "installed $(du -sh "$SERVER_DIR" | cut -f1) in $SERVER_DIR"
fi

echo "$java_home" >"$INSTALL_DIR/java-home"
log "java home recorded in $INSTALL_DIR/java-home"

if $print_env; then
  echo "TRINO_HOME=$SERVER_DIR"
  echo "TRINO_JAVA_HOME=$java_home"
else
  echo "$SERVER_DIR"
fi
