// What each real coordinator says it ran, from its own system.runtime.queries, asked directly (never
// through the gateway): the evidence for every routing, cancel and drain assertion in the suite.
import { runQuery } from '../harness/trino-http.js';
import type { TrinoServer } from '../harness/trino-server.js';

export interface QueryRecord {
  cluster: string;
  queryId: string;
  state: string;
  errorCode: string | null;
  source: string | null;
  user: string;
}

const COLUMNS = 'query_id, state, error_code, source, "user"';

async function records(cluster: TrinoServer, where: string): Promise<QueryRecord[]> {
  const run = await runQuery(cluster.url, `SELECT ${COLUMNS} FROM system.runtime.queries WHERE ${where}`, {
    headers: { 'x-trino-source': 'junction-evidence' },
  });
  if (run.error) throw new Error(`${cluster.name}: system.runtime.queries: ${run.error.message}`);
  return run.rows.map((row) => {
    const [queryId, state, errorCode, source, user] = row as [string, string, string | null, string | null, string];
    return { cluster: cluster.name, queryId, state, errorCode, source, user };
  });
}

/** Every coordinator's record of `queryId` (normally exactly one). */
export async function recordsOfId(clusters: TrinoServer[], queryId: string): Promise<QueryRecord[]> {
  const all = await Promise.all(clusters.map((cluster) => records(cluster, `query_id = '${queryId}'`)));
  return all.flat();
}

/**
 * Every coordinator's records of queries whose text contains `marker`. The lookup's own text holds the
 * marker only split in two ('mark' || 'er'), so it never finds itself.
 */
export async function recordsOfMarker(clusters: TrinoServer[], marker: string): Promise<QueryRecord[]> {
  const half = Math.floor(marker.length / 2);
  const expression = `'${marker.slice(0, half)}' || '${marker.slice(half)}'`;
  const all = await Promise.all(clusters.map((cluster) => records(cluster, `strpos(query, ${expression}) > 0`)));
  return all.flat();
}

/** The names of the clusters that ran `queryId`. */
export async function ranOn(clusters: TrinoServer[], queryId: string): Promise<string[]> {
  return (await recordsOfId(clusters, queryId)).map((record) => record.cluster);
}

/** The names of the clusters that ran a query containing `marker`. */
export async function markerRanOn(clusters: TrinoServer[], marker: string): Promise<string[]> {
  return (await recordsOfMarker(clusters, marker)).map((record) => record.cluster);
}

let counter = 0;
/** A marker unique within this test run, safe inside SQL string literals and comments. */
export function uniqueMarker(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}
