// RoutingGroup queue and admission settings as the registry compiles them: defaults, CEL classes and
// limits, invalid conditions keeping the last valid settings, and whether the registry manages queries.
import type { RuleRequest } from './model.js';
import { describeAdmission } from './queueing.js';
import { buildRegistry } from './registry.js';
import { API_VERSION } from './resource-kinds.js';
import { RoutingGroup, TrinoCluster } from './schemas/resources.js';

const cluster = (name: string, spec: Record<string, unknown> = {}) =>
  TrinoCluster.parse({
    apiVersion: API_VERSION,
    kind: 'TrinoCluster',
    metadata: { name, labels: { pool: 'adhoc' } },
    spec: { url: `http://${name}:8080`, ...spec },
  });
const group = (spec: Record<string, unknown> = {}) =>
  RoutingGroup.parse({
    apiVersion: API_VERSION,
    kind: 'RoutingGroup',
    metadata: { name: 'adhoc' },
    spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, ...spec },
  });
const build = (groups: RoutingGroup[], clusters = [cluster('blue')], previous?: ReturnType<typeof buildRegistry>) =>
  buildRegistry({ clusters, groups, defaultRoutingGroup: 'adhoc', generation: 1, ...(previous ? { previous } : {}) });
const request = (source: string): RuleRequest => ({
  method: 'POST',
  path: '/v1/statement',
  query: {},
  headers: {},
  user: 'alice',
  source,
  clientTags: [],
  catalog: '',
  schema: '',
});

describe('queueing in the registry', () => {
  test('defaults: 1000 queued, an hour of waiting, turns by user, no classes, no admission; nothing managed', () => {
    const registry = build([group()]);
    const adhoc = registry.groups.get('adhoc');
    expect(adhoc?.queue).toEqual({ maxQueued: 1000, maxWaitMs: 3_600_000, classes: [], fairShare: 'User' });
    expect(adhoc?.admission).toEqual([]);
    expect(registry.clusters.get('blue')?.maxRunningQueries).toBeUndefined();
    expect(registry.managesQueries).toBe(false);
  });

  test('a cluster limit or an admission limit makes the registry manage queries', () => {
    expect(build([group()], [cluster('blue', { maxRunningQueries: 2 })]).managesQueries).toBe(true);
    const limited = build([group({ admission: [{ name: 'per-user', key: 'User', maxConcurrent: 3 }] })]);
    expect(limited.managesQueries).toBe(true);
    expect(limited.groups.get('adhoc')?.admission[0]).toMatchObject({
      name: 'per-user',
      condition: 'true',
      key: 'User',
      maxConcurrent: 3,
      maxPerSecond: undefined,
      onExceed: 'Reject',
    });
  });

  test('priority classes and admission conditions are CEL over request', () => {
    const registry = build([
      group({
        queue: { priorityClasses: [{ name: 'interactive', condition: 'request.source == "cli"' }] },
        admission: [
          {
            name: 'airflow',
            condition: 'request.source == "airflow"',
            key: 'Source',
            maxPerSecond: 2.5,
            onExceed: 'Queue',
          },
        ],
      }),
    ]);
    const adhoc = registry.groups.get('adhoc');
    expect(adhoc?.queue.classes[0]?.matches(request('cli'))).toBe(true);
    expect(adhoc?.queue.classes[0]?.matches(request('airflow'))).toBe(false);
    expect(adhoc?.admission[0]?.matches(request('airflow'))).toBe(true);
    expect(adhoc?.admission[0]?.burst).toBe(3);
    expect(describeAdmission(adhoc?.admission ?? [])).toBe('airflow: 2.5/s (burst 3) per Source, Queue');
  });

  test('a condition that does not compile keeps the last valid queueing and marks the rules invalid', () => {
    const good = build([group({ admission: [{ name: 'per-user', key: 'User', maxConcurrent: 3 }] })]);
    const bad = build(
      [group({ admission: [{ name: 'per-user', condition: 'request.usr == "x"', key: 'User', maxConcurrent: 1 }] })],
      [cluster('blue')],
      good,
    );
    const adhoc = bad.groups.get('adhoc');
    expect(adhoc?.rulesValid).toBe(false);
    expect(adhoc?.admission).toBe(good.groups.get('adhoc')?.admission);
    expect(bad.problems.map((problem) => problem.message)).toContainEqual(
      expect.stringMatching(/^spec\.admission\[0\]\.condition: /),
    );
  });

  test('the implicit class name and duplicate names are refused', () => {
    const registry = build([
      group({
        queue: {
          priorityClasses: [
            { name: 'default', condition: 'true' },
            { name: 'a', condition: 'true' },
            { name: 'a', condition: 'false' },
          ],
        },
      }),
    ]);
    const messages = registry.problems.map((problem) => problem.message);
    expect(messages).toContain('spec.queue.priorityClasses[2].name: duplicate name "a"');
    expect(messages).toContain(
      'spec.queue.priorityClasses: "default" is the implicit last class; name yours differently',
    );
    expect(registry.groups.get('adhoc')?.queue.classes).toEqual([]);
  });

  test('an admission limit needs a concurrency or a rate', () => {
    const parsed = RoutingGroup.safeParse({
      apiVersion: API_VERSION,
      kind: 'RoutingGroup',
      metadata: { name: 'adhoc' },
      spec: { clusterSelector: {}, admission: [{ name: 'nothing', key: 'User' }] },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('set maxConcurrent, maxPerSecond or both');
  });
});
