#!/usr/bin/env bash
# Fetches the real Trino clients the end-to-end suite drives through Junction, into a cache outside the
# repository: the Trino CLI executable jar and the JDBC driver from Maven Central, and a Python venv
# with the `trino` package from PyPI. Idempotent: what is already there (checksum ok) is left alone.
#
#   scripts/trino/ensure-clients.sh              # install if needed, print the clients directory last
#   scripts/trino/ensure-clients.sh --print-env  # same, then TRINO_CLI_JAR=, TRINO_JDBC_JAR=, TRINO_PYTHON=
#
# Also installs Debian's haproxy when it is missing: the suite puts it in front of two Junction replicas
# as a round-robin load balancer.
#
# Layout under ${JUNCTION_CACHE:-$HOME/.cache/junction}/trino-clients/<version>/:
#   trino-cli-<version>-executable.jar   the CLI (run with a JDK, see ensure-trino.sh's java-home)
#   trino-jdbc-<version>.jar             the JDBC driver (self-contained)
#   python/                              venv with `trino` (and its requests dependency)
#   python/.complete                     written last; its presence means the venv is usable
#
# Environment: JUNCTION_CACHE (cache root), MAVEN_REPO (local Maven repository), PYTHON (interpreter for the venv).
set -euo pipefail

# Same release as the servers (scripts/trino/ensure-trino.sh); the Python client is versioned apart.
TRINO_VERSION=476
PYTHON_TRINO_SPEC="trino>=0.330,<1"

MAVEN_REPO="${MAVEN_REPO:-$HOME/.m2/repository}"
CACHE_ROOT="${JUNCTION_CACHE:-$HOME/.cache/junction}"
CLIENTS_DIR="$CACHE_ROOT/trino-clients/$TRINO_VERSION"
VENV_DIR="$CLIENTS_DIR/python"
PYTHON="${PYTHON:-python3}"

print_env=false
for arg in "$@"; do
  case "$arg" in
    --print-env) print_env=true ;;
    -h | --help)
      sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "ensure-clients: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

log() { echo "[ensure-clients] $*" >&2; }
die() {
  echo "[ensure-clients] ERROR: $*" >&2
  exit 1
}

for tool in mvn "$PYTHON"; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required"
done

# Fetches io.trino:<artifact>:<version>[:jar:<classifier>] with Maven (-C: the registry's checksums
# must match) and keeps a copy in the clients folder. Prints the copy's path.
fetch_jar() { # artifactId [classifier]
  local artifact="$1" classifier="${2:-}"
  local name="$artifact-$TRINO_VERSION${classifier:+-$classifier}.jar"
  local file="$CLIENTS_DIR/$name"
  local cached="$MAVEN_REPO/io/trino/$artifact/$TRINO_VERSION/$name"
  if [[ -s "$file" ]]; then
    log "have $name ($(du -h "$file" | cut -f1))"
    echo "$file"
    return
  fi
  if [[ ! -s "$cached" ]]; then
    log "fetching io.trino:$artifact:$TRINO_VERSION${classifier:+:jar:$classifier} with Maven"
    mvn -B -q -C -Dstyle.color=never dependency:get -Dtransitive=false -Dmaven.repo.local="$MAVEN_REPO" \
      -Dartifact="io.trino:$artifact:$TRINO_VERSION${classifier:+:jar:$classifier}" >&2 ||
      die "Maven could not fetch io.trino:$artifact:$TRINO_VERSION"
  fi
  [[ -s "$cached" ]] || die "Maven reported success but $cached is missing"
  cp "$cached" "$file.part" && mv "$file.part" "$file"
  log "got $name ($(du -h "$file" | cut -f1), checksum verified by Maven)"
  echo "$file"
}

ensure_python_venv() {
  if [[ -f "$VENV_DIR/.complete" ]] && "$VENV_DIR/bin/python" -c 'import trino' 2>/dev/null; then
    log "have Python venv with trino $("$VENV_DIR/bin/python" -c 'import trino; print(trino.__version__)')"
    return
  fi
  log "creating Python venv in $VENV_DIR ($("$PYTHON" --version 2>&1))"
  rm -rf "$VENV_DIR"
  "$PYTHON" -m venv "$VENV_DIR" || die "'$PYTHON -m venv' failed (apt-get install python3-venv)"
  log "pip install '$PYTHON_TRINO_SPEC'"
  "$VENV_DIR/bin/python" -m pip install --quiet --progress-bar off "$PYTHON_TRINO_SPEC" ||
    die "pip install '$PYTHON_TRINO_SPEC' failed"
  "$VENV_DIR/bin/python" -c 'import trino' || die "the venv cannot import trino after installing it"
  touch "$VENV_DIR/.complete"
  log "installed trino $("$VENV_DIR/bin/python" -c 'import trino; print(trino.__version__)') into $VENV_DIR"
}

# Debian's haproxy, the round-robin front the replica tests put before two proxies.
ensure_haproxy() {
  if command -v haproxy >/dev/null 2>&1; then
    log "have $(haproxy -v 2>/dev/null | head -n1)"
    return
  fi
  apt_install haproxy
  stop_service haproxy
  command -v haproxy >/dev/null 2>&1 || die "haproxy still missing after apt-get install"
}

# shellcheck source=../lib/debian.sh
source "$(dirname "$0")/../lib/debian.sh"

mkdir -p "$CLIENTS_DIR"
cli_jar="$(fetch_jar trino-cli executable)"
jdbc_jar="$(fetch_jar trino-jdbc)"
ensure_python_venv
ensure_haproxy

if $print_env; then
  echo "TRINO_CLI_JAR=$cli_jar"
  echo "TRINO_JDBC_JAR=$jdbc_jar"
  echo "TRINO_PYTHON=$VENV_DIR/bin/python"
else
  echo "$CLIENTS_DIR"
fi
