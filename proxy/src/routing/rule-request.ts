// The `request` a CEL routing rule sees, built from the HTTP request only when a rule is evaluated.
import type { IncomingMessage } from 'node:http';
import type { RuleRequest } from '@junction/shared';
import { clientSource, clientTags, clientUser, sessionCatalog, sessionSchema } from '../http/trino-headers.js';

export function ruleRequest(req: IncomingMessage, path: string, query: string): RuleRequest {
  const headers = req.headers;
  return {
    method: req.method ?? 'GET',
    path,
    query: query === '' ? {} : Object.fromEntries(new URLSearchParams(query)),
    headers: headers as Record<string, string>,
    user: clientUser(headers),
    source: clientSource(headers),
    clientTags: clientTags(headers),
    catalog: sessionCatalog(headers),
    schema: sessionSchema(headers),
  };
}
