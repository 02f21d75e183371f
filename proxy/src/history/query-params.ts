// The history API's query string → a HistoryQuery, or the first malformed parameter named (the admin
// API answers it with 400). Times are ISO 8601 or epoch milliseconds.
import type { HistoryQuery } from '@junction/shared';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export class HistoryParameterError extends Error {
  constructor(
    readonly parameter: string,
    problem: string,
  ) {
    super(`parameter "${parameter}": ${problem}`);
  }
}

const NAMES = ['user', 'source', 'group', 'cluster', 'state', 'since', 'until', 'q', 'limit', 'cursor'] as const;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Throws HistoryParameterError naming the parameter. */
export function parseHistoryQuery(params: URLSearchParams): HistoryQuery {
  for (const name of new Set(params.keys())) {
    if (!(NAMES as readonly string[]).includes(name)) {
      throw new HistoryParameterError(name, `unknown; expected one of ${NAMES.join(', ')}`);
    }
    if (params.getAll(name).length > 1) throw new HistoryParameterError(name, 'given more than once');
  }
  const text = (name: string, max: number): string | undefined => {
    const value = params.get(name);
    if (value === null) return undefined;
    if (value.length === 0 || value.length > max)
      throw new HistoryParameterError(name, `must be 1 to ${max} characters`);
    return value;
  };
  const state = text('state', 40);
  if (state !== undefined && !/^[A-Za-z_]+$/.test(state)) {
    throw new HistoryParameterError('state', 'must be a query state such as FINISHED or FAILED');
  }
  const since = time(params, 'since');
  const until = time(params, 'until');
  if (since !== undefined && until !== undefined && since > until) {
    throw new HistoryParameterError('since', 'must not be later than until');
  }
  const limitText = params.get('limit');
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!/^\d{1,5}$/.test(limitText ?? '1') || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new HistoryParameterError('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  const query: Record<string, unknown> = {
    user: text('user', 256),
    source: text('source', 256),
    group: text('group', 256),
    cluster: text('cluster', 256),
    state: state?.toUpperCase(),
    since,
    until,
    text: text('q', 1000),
    limit,
    cursor: text('cursor', 100),
  };
  for (const key of Object.keys(query)) if (query[key] === undefined) delete query[key];
  return query as unknown as HistoryQuery;
}

function time(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const parsed = ISO.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(parsed)) {
    throw new HistoryParameterError(name, 'must be an ISO 8601 time (2026-12-04T10:00:00Z) or epoch milliseconds');
  }
  return parsed;
}
