// What a forwarded response gets before the client sees it: the routing cookie to set (OAuth2
// handshakes) or delete (logout paths), OAuth2 ids of a 401 challenge pinned to the issuing cluster,
// and the upstream latency observed at the first byte.
import type { IncomingMessage } from 'node:http';
import type { RequestKind } from './http/classify.js';
import { appendSetCookie } from './http/headers.js';
import type { ProxyMetrics } from './metrics.js';
import type { RouteTo } from './routing/decision.js';
import type { CookieCodec } from './sticky/cookies.js';
import type { QueryOwners } from './sticky/query-owners.js';
import { pinChallengeIds } from './sticky/statement-answer.js';
import type { ResponseHeaders, ResponseHook } from './upstream/forwarder.js';

export interface ResponseHookDeps {
  readonly cookies: CookieCodec | undefined;
  readonly owners: QueryOwners;
  readonly metrics: ProxyMetrics;
}

export function responseHook(
  deps: ResponseHookDeps,
  req: IncomingMessage,
  destination: RouteTo,
  deleteCookie: boolean,
  kind: RequestKind,
): ResponseHook {
  const sentAt = performance.now();
  const { setCookie } = destination;
  const { cookies, owners, metrics } = deps;
  const cluster = destination.cluster.name;
  return (statusCode: number, headers: ResponseHeaders) => {
    metrics.upstream(kind, (performance.now() - sentAt) / 1000);
    if (setCookie !== undefined) appendSetCookie(headers, setCookie);
    if (deleteCookie && cookies !== undefined) {
      appendSetCookie(headers, cookies.deletion(req.headers['x-forwarded-proto'] === 'https'));
    }
    if (statusCode !== 401) return undefined;
    return pinChallengeIds(owners, headers, cluster);
  };
}
