// What a Trino client says about itself in its request headers — user, source, session catalog and
// schema, client tags — read one way for routing rules, kill_query, discovery and history.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request header as one string, '' when absent. Node joins repeated headers with ", " itself
 * (set-cookie aside), so an array only appears for those and is joined the same way.
 */
export function headerText(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join(', ');
}

/** The user: X-Trino-User, else X-Presto-User, else the user of Basic authentication ('' when none). */
export function clientUser(headers: IncomingHttpHeaders): string {
  return (
    headerText(headers['x-trino-user']) || headerText(headers['x-presto-user']) || basicUser(headers.authorization)
  );
}

export function clientSource(headers: IncomingHttpHeaders): string {
  return headerText(headers['x-trino-source']) || headerText(headers['x-presto-source']);
}

export function sessionCatalog(headers: IncomingHttpHeaders): string {
  return headerText(headers['x-trino-catalog']) || headerText(headers['x-presto-catalog']);
}

export function sessionSchema(headers: IncomingHttpHeaders): string {
  return headerText(headers['x-trino-schema']) || headerText(headers['x-presto-schema']);
}

/** X-Trino-Client-Tags as a list (comma-separated, trimmed, empty entries dropped). */
export function clientTags(headers: IncomingHttpHeaders): string[] {
  const tags = headerText(headers['x-trino-client-tags']) || headerText(headers['x-presto-client-tags']);
  if (tags === '') return [];
  const list: string[] = [];
  for (const tag of tags.split(',')) {
    const trimmed = tag.trim();
    if (trimmed !== '') list.push(trimmed);
  }
  return list;
}

function basicUser(authorization: string | undefined): string {
  if (authorization === undefined || !/^basic /i.test(authorization)) return '';
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : decoded.slice(0, colon);
}
