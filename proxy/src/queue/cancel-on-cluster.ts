// Kills a query the gateway started but can no longer hand to its client (a sweep gave up on its send
// meanwhile), as the client itself would: Trino's DELETE /v1/query/{id} with the client's identity.
import type { ClusterEntry } from '@junction/shared';
import { request } from 'undici';
import type { StoredRequest } from './stored.js';

export async function cancelOnCluster(cluster: ClusterEntry, queryId: string, stored: StoredRequest): Promise<void> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < stored.rawHeaders.length; i += 2) {
    const name = (stored.rawHeaders[i] as string).toLowerCase();
    if (name === 'x-trino-user' || name === 'authorization') headers[name] = stored.rawHeaders[i + 1] as string;
  }
  try {
    const response = await request(`${cluster.url}/v1/query/${encodeURIComponent(queryId)}`, {
      method: 'DELETE',
      headers,
    });
    await response.body.dump();
  } catch {
    // The cluster is unreachable: the query will be abandoned there after query.client.timeout.
  }
}
