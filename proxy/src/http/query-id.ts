// Which query a follow-up request belongs to: a Trino-shaped id in the query string or the path,
// found as the reference gateway finds it. Runs on every follow-up: index scans, no regex per id.
import { firstPrefix, hasPathPrefix, type PathRules, QUERY_PATH, UI_PATH } from './classify.js';

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isWordChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x5f || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
}

/**
 * Where a Trino-shaped id (`\d+_\d+_\d+_\w+`, greedy like the reference's regex) starting at `start`
 * ends, or -1. Digits and `_` are disjoint, so the greedy match never needs to backtrack.
 */
function idEnd(text: string, start: number, limit: number): number {
  let i = start;
  for (let part = 0; part < 3; part++) {
    const digits = i;
    while (i < limit && isDigit(text.charCodeAt(i))) i++;
    if (i === digits || i >= limit || text.charCodeAt(i) !== 0x5f) return -1;
    i++;
  }
  const word = i;
  while (i < limit && isWordChar(text.charCodeAt(i))) i++;
  return i === word ? -1 : i;
}

/** The text at `start` is `query_id=` or `queryid=`, letters in any case; returns where the value starts. */
function queryIdParamEnd(text: string, start: number): number {
  const QUERY = 'query';
  if (start + 8 > text.length) return -1;
  for (let k = 0; k < 5; k++) if ((text.charCodeAt(start + k) | 0x20) !== QUERY.charCodeAt(k)) return -1;
  let i = start + 5;
  if (text.charCodeAt(i) === 0x5f) i++;
  if ((text.charCodeAt(i) | 0x20) !== 0x69 || (text.charCodeAt(i + 1) | 0x20) !== 0x64) return -1;
  return text.charCodeAt(i + 2) === 0x3d ? i + 3 : -1;
}

/**
 * The reference's `^.*(?:%2F|query_?id=|^)(\d+_\d+_\d+_\w+).*$` (`%2F` case-sensitive, the parameter
 * name not): its greedy `.*` picks the last place an id follows `%2F` or `queryId=`, else an id at 0.
 */
function idFromQueryString(query: string): string | undefined {
  const length = query.length;
  for (let p = length - 1; p >= 0; p--) {
    const code = query.charCodeAt(p);
    let value = -1;
    if (code === 0x25 && query.charCodeAt(p + 1) === 0x32 && query.charCodeAt(p + 2) === 0x46) value = p + 3;
    else if ((code | 0x20) === 0x71) value = queryIdParamEnd(query, p);
    if (value < 0) continue;
    const end = idEnd(query, value, length);
    if (end >= 0) return query.slice(value, end);
  }
  const end = idEnd(query, 0, length);
  return end >= 0 ? query.slice(0, end) : undefined;
}

function segmentEnd(path: string, start: number): number {
  const slash = path.indexOf('/', start);
  return slash < 0 ? path.length : slash;
}

function segmentIs(path: string, start: number, end: number, word: string): boolean {
  return end - start === word.length && path.startsWith(word, start);
}

/**
 * After a statement path or `/v1/query`: `/{id}/…`, `/{queued|scheduled|executing}/{id}/…` or
 * `/executing/partialCancel/{id}/…`. The token must be a whole id-shaped segment; the reference takes
 * any token (so `/v1/query/foo` would look up `foo`).
 */
function idAfterPrefix(path: string, prefixLength: number): string | undefined {
  if (path.charCodeAt(prefixLength) !== 0x2f) return undefined;
  let start = prefixLength + 1;
  let end = segmentEnd(path, start);
  if (
    end < path.length &&
    (segmentIs(path, start, end, 'queued') ||
      segmentIs(path, start, end, 'scheduled') ||
      segmentIs(path, start, end, 'executing'))
  ) {
    start = end + 1;
    end = segmentEnd(path, start);
    if (end < path.length && segmentIs(path, start, end, 'partialCancel')) {
      start = end + 1;
      end = segmentEnd(path, start);
    }
  }
  return end > start && idEnd(path, start, end) === end ? path.slice(start, end) : undefined;
}

// The reference's `^.*\/(\d+_\d+_\d+_\w+).*$` on `/ui…` paths: the last `/` an id follows.
function idFromUiPath(path: string): string | undefined {
  let slash = path.lastIndexOf('/');
  while (slash >= 0) {
    const end = idEnd(path, slash + 1, path.length);
    if (end >= 0) return path.slice(slash + 1, end);
    if (slash === 0) break;
    slash = path.lastIndexOf('/', slash - 1);
  }
  return undefined;
}

/**
 * The query a follow-up request belongs to, in the reference's order: query string, statement path,
 * `/v1/query`, `/ui…`. A path source that matches but holds no id ends the search, as in the reference.
 * The reference takes nothing from a POST's path or query (only a kill_query body, see below); callers
 * apply that rule by method.
 */
export function extractQueryId(path: string, query: string, rules: PathRules): string | undefined {
  if (query.length > 0) {
    const id = idFromQueryString(query);
    if (id !== undefined) return id;
  }
  const statementPath = firstPrefix(path, rules.statementPaths);
  if (statementPath !== undefined) return idAfterPrefix(path, statementPath.length);
  if (hasPathPrefix(path, QUERY_PATH)) return idAfterPrefix(path, QUERY_PATH.length);
  if (hasPathPrefix(path, UI_PATH)) return idFromUiPath(path);
  return undefined;
}

/** True when the whole text is shaped like a Trino query id. */
export function isTrinoId(text: string): boolean {
  return idEnd(text, 0, text.length) === text.length;
}
