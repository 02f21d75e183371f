#!/usr/bin/env bash
# `make demo`: two simulated Trino clusters and the proxy on the embedded default config.
set -euo pipefail
cd "$(dirname "$0")/.."

node test/dist/fixtures/sim-trino-main.js --name blue --port 18081 --name green --port 18082 &
SIM=$!
node proxy/dist/main.js --config examples/gateway.yaml &
PROXY=$!
trap 'kill $PROXY $SIM 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

for _ in $(seq 1 50); do
  curl -fsS http://127.0.0.1:8081/readyz >/dev/null 2>&1 && break
  sleep 0.2
done

cat <<'TXT'

Junction is running: Trino clients use http://127.0.0.1:8080 (admin: http://127.0.0.1:8081).

  Send a query (ad-hoc group → cluster "blue"):
    curl -s -X POST -H 'X-Trino-User: me' --data 'SELECT 1' http://127.0.0.1:8080/v1/statement
    then GET the "nextUri" it returns until it has none.

  Route by rule (source "airflow" → group "etl" → cluster "green"):
    curl -s -X POST -H 'X-Trino-User: me' -H 'X-Trino-Source: airflow' --data 'SELECT 1' http://127.0.0.1:8080/v1/statement

  See the live registry and health:
    curl -s http://127.0.0.1:8081/api/v1/clusters
    curl -s http://127.0.0.1:8081/metrics

  Edit examples/resources.yaml (e.g. relabel green to pool: adhoc); the proxy picks it up live.
  Ctrl-C stops everything.
TXT
wait $PROXY
