"""Drives the Python `trino` DB-API client for test/trino: runs statements, prints one JSON document.

Usage: python run_query.py '<json>' where the JSON names host, port, user and sql (a list), and
optionally source, client_tags (list), headers (extra HTTP headers, e.g. X-Trino-Routing-Group) and
cancel (true: run the first statement in a thread, print "#started", and call cursor.cancel() when a
line arrives on stdin — the way an application cancels from another thread).
Prints {"queries": [{"id": ..., "rows": [...]}, ...]} (cancel: {"cancelled": {"id": ..., "error": ...}});
values that JSON cannot hold become strings.
"""

import json
import sys
import threading

import trino


def connect(spec):
    return trino.dbapi.connect(
        host=spec["host"],
        port=spec["port"],
        user=spec["user"],
        source=spec.get("source", "junction-python"),
        client_tags=spec.get("client_tags"),
        http_headers=spec.get("headers"),
        http_scheme="http",
    )


def run(spec, connection):
    queries = []
    for sql in spec["sql"]:
        cursor = connection.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        queries.append({"id": cursor.query_id, "rows": rows})
    return {"queries": queries}


def cancel(spec, connection):
    cursor = connection.cursor()
    outcome = {}

    def execute():
        try:
            cursor.execute(spec["sql"][0])
            cursor.fetchall()
            outcome["error"] = None
        except Exception as error:  # the cancelled query ends in an error; report its text
            outcome["error"] = str(error)

    worker = threading.Thread(target=execute)
    worker.start()
    print("#started", flush=True)
    sys.stdin.readline()
    cursor.cancel()
    worker.join(60)
    return {"cancelled": {"id": cursor.query_id, "error": outcome.get("error", "still running")}}


def main() -> None:
    spec = json.loads(sys.argv[1])
    connection = connect(spec)
    try:
        result = cancel(spec, connection) if spec.get("cancel") else run(spec, connection)
    finally:
        connection.close()
    sys.stdout.write("\n" + json.dumps(result, default=str))


if __name__ == "__main__":
    main()
