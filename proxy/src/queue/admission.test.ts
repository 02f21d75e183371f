// Where a new query stands in its group: priority class, fair-share key and admission buckets.
import {
  API_VERSION,
  buildRegistry,
  type GroupEntry,
  RoutingGroup,
  type RuleRequest,
  TrinoCluster,
} from '@junction/shared';
import { isManaged, placement } from './admission.js';

const group = (spec: Record<string, unknown>): GroupEntry =>
  buildRegistry({
    clusters: [
      TrinoCluster.parse({
        apiVersion: API_VERSION,
        kind: 'TrinoCluster',
        metadata: { name: 'blue', labels: { pool: 'adhoc' } },
        spec: { url: 'http://blue:8080' },
      }),
    ],
    groups: [
      RoutingGroup.parse({
        apiVersion: API_VERSION,
        kind: 'RoutingGroup',
        metadata: { name: 'adhoc' },
        spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, ...spec },
      }),
    ],
    defaultRoutingGroup: 'adhoc',
    generation: 1,
  }).groups.get('adhoc') as GroupEntry;

const request = (user: string, source: string): RuleRequest => ({
  method: 'POST',
  path: '/v1/statement',
  query: {},
  headers: {},
  user,
  source,
  clientTags: [],
  catalog: '',
  schema: '',
});

describe('placement', () => {
  test('the first matching class; the implicit default class last; turns by user by default', () => {
    const adhoc = group({
      queue: {
        priorityClasses: [
          { name: 'interactive', condition: 'request.source == "cli"' },
          { name: 'bi', condition: 'request.source.startsWith("superset")' },
        ],
      },
    });
    expect(placement(adhoc, request('alice', 'cli'))).toMatchObject({
      priority: 0,
      className: 'interactive',
      shareKey: 'alice',
    });
    expect(placement(adhoc, request('bob', 'superset-1'))).toMatchObject({ priority: 1, className: 'bi' });
    expect(placement(adhoc, request('bob', 'airflow'))).toMatchObject({ priority: 2, className: 'default' });
  });

  test('fair share by source, or none', () => {
    expect(placement(group({ queue: { fairShare: 'Source' } }), request('alice', 'cli')).shareKey).toBe('cli');
    expect(placement(group({ queue: { fairShare: 'None' } }), request('alice', 'cli')).shareKey).toBe('');
  });

  test('every matching admission limit becomes a bucket per key value', () => {
    const adhoc = group({
      admission: [
        { name: 'per-user', key: 'User', maxConcurrent: 5 },
        {
          name: 'airflow',
          condition: 'request.source == "airflow"',
          key: 'Source',
          maxPerSecond: 2,
          onExceed: 'Queue',
        },
      ],
    });
    expect(placement(adhoc, request('alice', 'cli')).admission).toEqual([
      { bucket: 'adhoc/per-user/alice', maxConcurrent: 5, maxPerSecond: undefined, burst: 1, onExceed: 'Reject' },
    ]);
    expect(placement(adhoc, request('etl', 'airflow')).admission.map((check) => check.bucket)).toEqual([
      'adhoc/per-user/etl',
      'adhoc/airflow/airflow',
    ]);
  });
});

describe('isManaged', () => {
  test('admission limits, or a member (or fallback member) with a limit', () => {
    const plain = group({});
    expect(isManaged(plain, () => undefined)).toBe(false);
    expect(isManaged(plain, (name) => (name === 'blue' ? 2 : undefined))).toBe(true);
    expect(isManaged(group({ admission: [{ name: 'a', key: 'User', maxConcurrent: 1 }] }), () => undefined)).toBe(true);
    const fallback = { ...plain, name: 'spill', members: ['red'] };
    expect(isManaged(plain, (name) => (name === 'red' ? 1 : undefined), fallback)).toBe(true);
  });
});
