// Validates the raw HTTP request target before anything routes on it: only targets whose path
// means the same to Junction and to Trino (no dot segments, no bad escapes) get through.

/** `target` is the origin-form to send upstream (`path` plus `?query` when present). */
export type RequestTarget = { path: string; query: string; target: string } | { error: string };

// Shared, frozen error values: a rejected request allocates nothing here.
const NOT_ORIGIN_FORM = Object.freeze({ error: 'request target must be origin-form (start with "/")' });
const BAD_ABSOLUTE = Object.freeze({ error: 'absolute-form request target without a host' });
const AUTHORITY_LIKE = Object.freeze({ error: 'request target must not start with "//"' });
const DOT_SEGMENT = Object.freeze({ error: 'path must not contain "." or ".." segments' });
const BAD_ESCAPE = Object.freeze({ error: 'path contains invalid percent-encoding' });
const CONTROL_CHAR = Object.freeze({ error: 'request target contains control characters' });
const BACKSLASH = Object.freeze({ error: 'path must not contain "\\"' });
const FRAGMENT = Object.freeze({ error: 'request target must not contain a fragment ("#")' });

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const QUESTION = 0x3f;
const HASH = 0x23;
const BACKSLASH_CODE = 0x5c;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Splits a raw request target (Node's `req.url`) into the still-encoded path and the query string
 * (without `?`, '' when absent), or names why it is refused. `//host/…` is refused although RFC 9112
 * allows an empty first segment: URL resolvers read it as an authority, and no Trino path has one.
 * Backslashes are refused because some servers treat them as separators; for the same reason an
 * encoded `/` or backslash ends a segment for the dot-segment check. Encoded control characters are
 * refused like raw ones. The query string is passed on as sent: only control characters and `#`
 * are refused there, escapes are Trino's business.
 */
export function parseRequestTarget(rawUrl: string): RequestTarget {
  const length = rawUrl.length;
  if (length === 0 || rawUrl.charCodeAt(0) !== SLASH) return parseAbsoluteForm(rawUrl);
  if (length > 1 && rawUrl.charCodeAt(1) === SLASH) return AUTHORITY_LIKE;

  // One pass over the path. Per segment: how many dots (literal or %2e) and whether anything else.
  let dots = 0;
  let other = false;
  let i = 1;
  for (; i < length; i++) {
    const code = rawUrl.charCodeAt(i);
    if (code === SLASH) {
      if (!other && dots > 0 && dots < 3) return DOT_SEGMENT;
      dots = 0;
      other = false;
    } else if (code === QUESTION) {
      break;
    } else if (code === DOT) {
      dots++;
    } else if (code === PERCENT) {
      if (i + 2 >= length) return BAD_ESCAPE;
      const high = hexValue(rawUrl.charCodeAt(i + 1));
      const low = hexValue(rawUrl.charCodeAt(i + 2));
      if (high < 0 || low < 0) return BAD_ESCAPE;
      i += 2;
      if (high === 2 && low === 0xe) {
        dots++;
      } else if ((high === 2 && low === 0xf) || (high === 5 && low === 0xc)) {
        // An encoded separator ends a segment for the dot check: a backend that decodes it
        // must not see `..` where Junction saw a name.
        if (!other && dots > 0 && dots < 3) return DOT_SEGMENT;
        dots = 0;
        other = false;
      } else if (high < 2 || (high === 7 && low === 0xf)) {
        return CONTROL_CHAR;
      } else {
        other = true;
      }
    } else if (code < 0x20 || code === 0x7f) {
      return CONTROL_CHAR;
    } else if (code === BACKSLASH_CODE) {
      return BACKSLASH;
    } else if (code === HASH) {
      return FRAGMENT;
    } else {
      other = true;
    }
  }
  if (!other && dots > 0 && dots < 3) return DOT_SEGMENT;
  if (i === length) return { path: rawUrl, query: '', target: rawUrl };

  for (let j = i + 1; j < length; j++) {
    const code = rawUrl.charCodeAt(j);
    if (code < 0x20 || code === 0x7f) return CONTROL_CHAR;
    if (code === HASH) return FRAGMENT;
  }
  return { path: rawUrl.slice(0, i), query: rawUrl.slice(i + 1), target: rawUrl };
}

/**
 * RFC 9112 §3.2.2: a server must accept the absolute-form (`GET http://host/path`), and real
 * clients send it — presto-client cancels queries with `DELETE http://gateway/v1/statement/…`.
 * Its authority is ignored like the Host header: the registry alone chooses where a request goes,
 * so accepting this form never makes the gateway an open proxy. The rest is checked as origin-form.
 */
function parseAbsoluteForm(rawUrl: string): RequestTarget {
  const lower = rawUrl.slice(0, 8).toLowerCase();
  const schemeEnd = lower.startsWith('http://') ? 7 : lower.startsWith('https://') ? 8 : -1;
  if (schemeEnd < 0) return NOT_ORIGIN_FORM;
  let end = schemeEnd;
  while (end < rawUrl.length) {
    const code = rawUrl.charCodeAt(end);
    if (code === SLASH || code === QUESTION) break;
    end++;
  }
  if (end === schemeEnd) return BAD_ABSOLUTE;
  const rest = rawUrl.slice(end);
  return parseRequestTarget(rest.charCodeAt(0) === SLASH ? rest : `/${rest}`);
}

/**
 * With prefix routing (`routing.clusterPrefix`), `/<prefix>/<cluster>/v1/...` names its cluster in
 * the path. Returns the cluster and the target without that part, or undefined when the path is not
 * under the prefix (or names no cluster and no rest).
 */
export function splitClusterPrefix(
  target: { path: string; query: string },
  prefix: string,
): { cluster: string; path: string; query: string; target: string } | undefined {
  const { path, query } = target;
  if (!path.startsWith(prefix) || path.charCodeAt(prefix.length) !== SLASH) return undefined;
  const nameStart = prefix.length + 1;
  const nameEnd = path.indexOf('/', nameStart);
  if (nameEnd <= nameStart) return undefined;
  const rest = path.slice(nameEnd);
  return {
    cluster: decodeURIComponent(path.slice(nameStart, nameEnd)),
    path: rest,
    query,
    target: query === '' ? rest : `${rest}?${query}`,
  };
}
