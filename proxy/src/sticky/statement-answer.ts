// What the answer to a statement POST pins, before the client (or a poll) can see it: the new
// query's id to its cluster, or the OAuth2 ids a 401 challenge names. Used for submissions sent at
// once and for queued ones sent later.
import type { ResponseHeaders, SubmitResult } from '../upstream/forwarder.js';
import { oauthIdsFromChallenge } from './oauth-ids.js';
import type { QueryOwners } from './query-owners.js';

// Trino writes `id` first in QueryResults; reading it from the first bytes avoids parsing whole pages.
const LEADING_ID = /^\s*\{\s*"id"\s*:\s*"([0-9A-Za-z_]+)"/;

export function queryIdOf(body: Buffer): string | undefined {
  const leading = LEADING_ID.exec(body.toString('latin1', 0, Math.min(body.length, 128)));
  if (leading !== null) return leading[1];
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { id?: unknown };
    return typeof parsed.id === 'string' && parsed.id.length > 0 ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

/** Pins the OAuth2 ids a 401 challenge names to the cluster that issued it; undefined when none. */
export function pinChallengeIds(
  owners: QueryOwners,
  headers: ResponseHeaders,
  cluster: string,
): Promise<void> | undefined {
  const ids = oauthIdsFromChallenge(headers['www-authenticate']);
  if (ids.length === 0) return undefined;
  return Promise.all(ids.map((id) => owners.pinOAuth(id, cluster))).then(() => undefined);
}

/** Records what `result` (the cluster's answer to a statement POST) pins; resolves the new query id, if any. */
export async function recordStatementAnswer(
  owners: QueryOwners,
  cluster: string,
  result: SubmitResult,
): Promise<string | undefined> {
  if (result.statusCode === 200) {
    const queryId = queryIdOf(result.body);
    if (queryId !== undefined) await owners.record(queryId, cluster);
    return queryId;
  }
  if (result.statusCode === 401) await pinChallengeIds(owners, result.headers, cluster);
  return undefined;
}
