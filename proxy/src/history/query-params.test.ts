// The history API's parameters: what each accepts, the defaults, and the parameter a 400 names.
import { DEFAULT_LIMIT, HistoryParameterError, MAX_LIMIT, parseHistoryQuery } from './query-params.js';

const parse = (query: string) => parseHistoryQuery(new URLSearchParams(query));

function refused(query: string): string | undefined {
  try {
    parse(query);
    return undefined;
  } catch (error) {
    return error instanceof HistoryParameterError ? error.parameter : `not a parameter error: ${String(error)}`;
  }
}

test('nothing given: the newest page of the default size', () => {
  expect(parse('')).toEqual({ limit: DEFAULT_LIMIT });
});

test('every filter, with times as ISO 8601 or epoch milliseconds and states in any case', () => {
  expect(
    parse(
      'user=alice&source=trino-cli&group=etl&cluster=blue&state=finished&since=2026-12-04T10:00:00Z&until=1900000000000&q=orders&limit=5&cursor=42',
    ),
  ).toEqual({
    user: 'alice',
    source: 'trino-cli',
    group: 'etl',
    cluster: 'blue',
    state: 'FINISHED',
    since: Date.parse('2026-12-04T10:00:00Z'),
    until: 1_900_000_000_000,
    text: 'orders',
    limit: 5,
    cursor: '42',
  });
  expect(parse('since=2026-12-04').since).toBe(Date.parse('2026-12-04'));
  expect(parse('since=2026-12-04T10:00:00.250%2B01:00').since).toBe(Date.parse('2026-12-04T09:00:00.250Z'));
  expect(parse(`limit=${MAX_LIMIT}`).limit).toBe(MAX_LIMIT);
});

test.each([
  ['limit=abc', 'limit'],
  ['limit=1.5', 'limit'],
  ['limit=-1', 'limit'],
  [`limit=${MAX_LIMIT + 1}`, 'limit'],
  ['since=next%20week', 'since'],
  ['until=2026-13-45T99:00:00Z', 'until'],
  ['since=2026-12-05&until=2026-12-04', 'since'],
  ['state=RUN%20NING', 'state'],
  ['user=', 'user'],
  [`q=${'x'.repeat(1001)}`, 'q'],
  ['user=a&user=b', 'user'],
  ['limits=5', 'limits'],
])('%s → names %s', (query, parameter) => {
  expect(refused(query)).toBe(parameter);
});
