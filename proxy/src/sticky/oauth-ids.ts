// The ids a Trino OAuth2 handshake is polled by. The CLI polls /oauth2/token/… without cookies, so the
// proxy pins these ids to the cluster whose 401 challenge announced them, and routes the polls by them.

const TOKEN_PATH = '/oauth2/token/';
const INITIATE = 'initiate/';
// Trino's challenge parameters carrying the two URLs (RFC 7235: parameter names are case-insensitive).
const CHALLENGE_URL = /\bx_(?:redirect|token)_server\s*=\s*"([^"]*)"/gi;

/** An id segment: URL-unreserved characters only, and never a dot segment. */
function idSegmentEnd(text: string, start: number, limit: number): number {
  let i = start;
  while (i < limit) {
    const code = text.charCodeAt(i);
    const lower = code | 0x20;
    if (
      (lower >= 0x61 && lower <= 0x7a) ||
      (code >= 0x30 && code <= 0x39) ||
      code === 0x2d ||
      code === 0x2e ||
      code === 0x5f ||
      code === 0x7e
    ) {
      i++;
    } else {
      break;
    }
  }
  if (i === start) return -1;
  const length = i - start;
  if (length <= 2 && text.startsWith(length === 1 ? '.' : '..', start)) return -1;
  return i;
}

/**
 * The key for what follows `/oauth2/token/` at `start`: `initiate/<hash>` or `<id>`, when the id is
 * the last path segment (a query or fragment may follow in a URL); else undefined.
 */
function keyAt(text: string, start: number, limit: number): string | undefined {
  let idStart = start;
  if (text.startsWith(INITIATE, start)) idStart += INITIATE.length;
  const end = idSegmentEnd(text, idStart, limit);
  if (end < 0) return undefined;
  if (end < limit) {
    const code = text.charCodeAt(end);
    if (code !== 0x3f && code !== 0x23) return undefined;
  }
  const key = text.slice(start, end);
  // `/oauth2/token/initiate` alone is not a token id.
  return key === 'initiate' ? undefined : key;
}

/**
 * Pinning keys announced by `WWW-Authenticate` challenges (one header value or several; several
 * challenges per value): `initiate/<hash>` from `x_redirect_server`, `<id>` from `x_token_server`.
 */
export function oauthIdsFromChallenge(header: string | string[] | undefined): string[] {
  const ids: string[] = [];
  if (header === undefined) return ids;
  const values = typeof header === 'string' ? [header] : header;
  for (const value of values) {
    if (!value.includes(TOKEN_PATH)) continue;
    for (const match of value.matchAll(CHALLENGE_URL)) {
      const url = match[1] as string;
      // The last occurrence: a gateway or Trino behind a path prefix still ends in /oauth2/token/….
      const at = url.lastIndexOf(TOKEN_PATH);
      if (at < 0) continue;
      const key = keyAt(url, at + TOKEN_PATH.length, url.length);
      if (key !== undefined && !ids.includes(key)) ids.push(key);
    }
  }
  return ids;
}

/** The pinning key of an `/oauth2/token/initiate/<hash>` or `/oauth2/token/<id>` request path. */
export function oauthIdFromPath(path: string): string | undefined {
  if (!path.startsWith(TOKEN_PATH)) return undefined;
  return keyAt(path, TOKEN_PATH.length, path.length);
}
