// What a request path is to the gateway: which Trino endpoint family, or not proxied at all.
// Runs on every proxied request: prefix scans on segment boundaries, no splitting.

export type RequestKind = 'statement' | 'query' | 'spooled' | 'info' | 'node' | 'ui' | 'oauth2' | 'cookie' | 'extra';

export interface PathRules {
  /** '/v1/statement' first, then the configured ones (trailing slashes removed). */
  readonly statementPaths: readonly string[];
  /** Full-match regexes from `routing.extraPaths`. */
  readonly extraPaths: readonly RegExp[];
  readonly cookieRoutingPaths: readonly string[];
  readonly cookieDeletePaths: readonly string[];
}

const DEFAULT_STATEMENT_PATH = '/v1/statement';
export const QUERY_PATH = '/v1/query';
export const UI_PATH = '/ui';

// Prefixes match on a segment boundary, unlike the reference's raw `startsWith` (which also proxies
// `/uifoo` or `/v1/queryX`): no Trino endpoint needs that, and it would let unrelated paths through.
const FIXED_PREFIXES: readonly (readonly [string, RequestKind])[] = [
  [QUERY_PATH, 'query'],
  ['/v1/spooled', 'spooled'],
  ['/v1/info', 'info'],
  ['/v1/node', 'node'],
  [UI_PATH, 'ui'],
  ['/oauth2', 'oauth2'],
];

function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length ? path : path.slice(0, end);
}

export function compilePathRules(
  routing: { statementPaths: string[]; extraPaths: string[] },
  cookies?: { routingPaths: string[]; deletePaths: string[] },
): PathRules {
  const statementPaths = [DEFAULT_STATEMENT_PATH];
  for (const configured of routing.statementPaths) {
    const path = withoutTrailingSlashes(configured);
    if (!statementPaths.includes(path)) statementPaths.push(path);
  }
  return Object.freeze({
    statementPaths: Object.freeze(statementPaths),
    // Java's `matches()` semantics: the whole path must match, whatever anchors the pattern has.
    extraPaths: Object.freeze(routing.extraPaths.map((source) => new RegExp(`^(?:${source})$`))),
    cookieRoutingPaths: Object.freeze([...(cookies?.routingPaths ?? [])]),
    cookieDeletePaths: Object.freeze([...(cookies?.deletePaths ?? [])]),
  });
}

export function firstPrefix(path: string, prefixes: readonly string[]): string | undefined {
  for (const prefix of prefixes) if (hasPathPrefix(path, prefix)) return prefix;
  return undefined;
}

/** The endpoint family of a (raw, validated) path; undefined means it is not proxied (404). */
export function classifyPath(path: string, rules: PathRules): RequestKind | undefined {
  if (firstPrefix(path, rules.statementPaths) !== undefined) return 'statement';
  for (const [prefix, kind] of FIXED_PREFIXES) if (hasPathPrefix(path, prefix)) return kind;
  if (firstPrefix(path, rules.cookieRoutingPaths) !== undefined) return 'cookie';
  if (firstPrefix(path, rules.cookieDeletePaths) !== undefined) return 'cookie';
  for (const pattern of rules.extraPaths) if (pattern.test(path)) return 'extra';
  return undefined;
}

/**
 * A new query: POST to a statement path (the reference also counts POSTs below it). The classifier
 * already decided the path is under a statement path, so `kind` is enough.
 */
export function isStatementSubmit(method: string, kind: RequestKind): boolean {
  return kind === 'statement' && method === 'POST';
}

/**
 * True when `path` is `prefix` or continues it with a new segment: `/ui` matches `/ui` and `/ui/x`
 * but not `/uifoo`. A prefix that ends in `/` matches anything below it.
 */
export function hasPathPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return (
    path.length === prefix.length ||
    path.charCodeAt(prefix.length) === 0x2f ||
    prefix.charCodeAt(prefix.length - 1) === 0x2f
  );
}
