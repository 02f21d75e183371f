"""Drives the Python `trino` DB-API client for test/trino: runs statements, prints one JSON document.

Usage: python run_query.py '<json>' where the JSON names host, port, user and sql (a list), and
optionally source, client_tags (list) and headers (extra HTTP headers, e.g. X-Trino-Routing-Group).
Prints {"queries": [{"id": ..., "rows": [...]}, ...]}; values that JSON cannot hold become strings.
"""

import json
import sys

import trino


def main() -> None:
    spec = json.loads(sys.argv[1])
    connection = trino.dbapi.connect(
        host=spec["host"],
        port=spec["port"],
        user=spec["user"],
        source=spec.get("source", "junction-python"),
        client_tags=spec.get("client_tags"),
        http_headers=spec.get("headers"),
        http_scheme="http",
    )
    queries = []
    try:
        for sql in spec["sql"]:
            cursor = connection.cursor()
            cursor.execute(sql)
            rows = cursor.fetchall()
            queries.append({"id": cursor.query_id, "rows": rows})
    finally:
        connection.close()
    json.dump({"queries": queries}, sys.stdout, default=str)


if __name__ == "__main__":
    main()
