// The status the operator writes for clusters and groups, its conditions, and the Events a change brings.
import type { ClusterEntry, ClusterHealth, GroupEntry, RegistryProblem } from '@junction/shared';
import { clusterStatus, groupStatus, invalidStatus, mergeConditions, sameStatus, statusEvents } from './status.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:05:00Z';

const health = (phase: ClusterHealth['phase'], message = 'ok', running = 0, queued = 0): ClusterHealth => ({
  phase,
  runningQueries: running,
  queuedQueries: queued,
  activeNodes: undefined,
  probedAt: 1,
  message,
});

const entry = (name: string, groups: string[], enabled = true, weight = 1): ClusterEntry => ({
  name,
  url: `http://${name}:8080`,
  externalUrl: `http://${name}:8080`,
  enabled,
  weight,
  labels: {},
  healthCheck: { type: 'Info', intervalSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
  groups,
  maxRunningQueries: undefined,
});

const group = (members: string[], extra: Partial<GroupEntry> = {}): GroupEntry => ({
  name: 'adhoc',
  strategy: 'LeastLoaded',
  priority: 0,
  isDefault: true,
  fallbackGroup: undefined,
  members,
  rules: [],
  rulesValid: true,
  queue: { maxQueued: 1000, maxWaitMs: 3_600_000, classes: [], fairShare: 'User' },
  admission: [],
  ...extra,
});

describe('TrinoCluster status', () => {
  it('reports the probe phase, load, groups, generation and a Ready condition', () => {
    const status = clusterStatus({
      generation: 4,
      enabled: true,
      entry: entry('blue', ['adhoc', 'etl']),
      health: health('Healthy', 'ok', 3, 1),
      previous: undefined,
      now: T0,
    });
    expect(status).toEqual({
      phase: 'Healthy',
      runningQueries: 3,
      queuedQueries: 1,
      routingGroups: ['adhoc', 'etl'],
      observedGeneration: 4,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Healthy',
          message: 'ok',
          lastTransitionTime: T0,
          observedGeneration: 4,
        },
      ],
    });
  });

  it('is Draining whenever spec.enabled is false, whatever the probe says', () => {
    for (const phase of ['Healthy', 'Pending', 'Unhealthy'] as const) {
      const status = clusterStatus({
        generation: 2,
        enabled: false,
        entry: entry('blue', []),
        health: health(phase),
        previous: undefined,
        now: T0,
      });
      expect(status.phase).toBe('Draining');
      expect(status.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'Draining' });
    }
  });

  it('is Pending (not Ready) while the coordinator is starting', () => {
    const status = clusterStatus({
      generation: 1,
      enabled: true,
      entry: entry('blue', []),
      health: health('Pending', 'coordinator is starting'),
      previous: undefined,
      now: T0,
    });
    expect(status.phase).toBe('Pending');
    expect(status.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'Pending',
      message: 'coordinator is starting',
    });
  });
});

describe('conditions', () => {
  it('keep lastTransitionTime while the status stays, and move it when the status flips', () => {
    const first = mergeConditions(undefined, [{ type: 'Ready', status: 'True', reason: 'Healthy', message: 'ok' }], T0);
    const same = mergeConditions(
      { conditions: first },
      [{ type: 'Ready', status: 'True', reason: 'Healthy', message: 'still ok' }],
      T1,
    );
    expect(same[0]?.lastTransitionTime).toBe(T0);
    const flipped = mergeConditions(
      { conditions: same },
      [{ type: 'Ready', status: 'False', reason: 'Unhealthy', message: 'connection refused' }],
      T1,
    );
    expect(flipped[0]?.lastTransitionTime).toBe(T1);
  });
});

describe('RoutingGroup status', () => {
  const clusters = new Map([
    ['blue', entry('blue', ['adhoc'])],
    ['green', entry('green', ['adhoc'])],
    ['canary', entry('canary', ['adhoc'], true, 0)],
  ]);
  const healthOf = (phases: Record<string, ClusterHealth['phase']>) => (name: string) =>
    health(phases[name] ?? 'Pending');

  it('counts members, healthy members and is Ready with a routable member', () => {
    const status = groupStatus({
      generation: 3,
      entry: group(['blue', 'canary', 'green']),
      clusters,
      health: healthOf({ blue: 'Healthy', green: 'Unhealthy', canary: 'Healthy' }),
      problems: [],
      previous: undefined,
      now: T0,
    });
    expect(status.clusters).toEqual(['blue', 'canary', 'green']);
    expect(status.healthyClusters).toBe(2);
    expect(status.observedGeneration).toBe(3);
    expect(status.conditions.map(({ type, status: value, reason }) => [type, value, reason])).toEqual([
      ['RulesValid', 'True', 'Compiled'],
      ['Ready', 'True', 'Routable'],
    ]);
    expect(status.conditions[1]?.message).toBe('1 of 3 clusters routable');
  });

  it('is not Ready when only zero-weight or unhealthy members remain, and names the fallback', () => {
    const status = groupStatus({
      generation: 1,
      entry: group(['blue', 'canary'], { fallbackGroup: 'etl' }),
      clusters,
      health: healthOf({ blue: 'Unhealthy', canary: 'Healthy' }),
      problems: [],
      previous: undefined,
      now: T0,
    });
    expect(status.conditions[1]).toMatchObject({
      status: 'False',
      reason: 'NoRoutableCluster',
      message: 'none of 2 clusters is Healthy, enabled and weighted; new queries go to fallback group "etl"',
    });
  });

  it('reports rules that do not compile with the compiler message', () => {
    const problems: RegistryProblem[] = [
      {
        kind: 'RoutingGroup',
        name: 'adhoc',
        severity: 'error',
        message: "spec.rules[0].condition: undeclared reference to 'requets'",
      },
      { kind: 'RoutingGroup', name: 'adhoc', severity: 'warning', message: 'spec.fallbackGroup: ignored' },
    ];
    const status = groupStatus({
      generation: 5,
      entry: group(['blue'], { rulesValid: false }),
      clusters,
      health: healthOf({ blue: 'Healthy' }),
      problems,
      previous: undefined,
      now: T0,
    });
    expect(status.conditions[0]).toEqual({
      type: 'RulesValid',
      status: 'False',
      reason: 'InvalidRules',
      message: "spec.rules[0].condition: undeclared reference to 'requets'; routing keeps the last valid rules",
      lastTransitionTime: T0,
      observedGeneration: 5,
    });
  });

  it('shows the shared queue: queued queries, and the admission limits in effect (removed when gone)', () => {
    const perUser = {
      name: 'per-user',
      condition: 'true',
      matches: () => true,
      readsSql: false,
      key: 'User' as const,
      maxConcurrent: 20,
      maxPerSecond: undefined,
      burst: 1,
      onExceed: 'Reject' as const,
    };
    const input = {
      generation: 1,
      clusters,
      health: healthOf({ blue: 'Healthy' }),
      problems: [],
      now: T0,
    };
    const limited = groupStatus({
      ...input,
      entry: group(['blue'], { admission: [perUser] }),
      queued: 3,
      previous: undefined,
    });
    expect(limited).toMatchObject({ queuedQueries: 3, admission: 'per-user: 20 concurrent per User, Reject' });
    const unread = groupStatus({ ...input, entry: group(['blue']), previous: undefined });
    expect(unread).not.toHaveProperty('queuedQueries');
    expect(unread).not.toHaveProperty('admission');
    const lifted = groupStatus({ ...input, entry: group(['blue']), queued: 0, previous: limited });
    expect(lifted).toMatchObject({ queuedQueries: 0, admission: null });
  });

  it('a cluster shows the queries admitted on it once the shared queue was read', () => {
    const base = {
      generation: 1,
      enabled: true,
      entry: entry('blue', []),
      health: health('Healthy'),
      previous: undefined,
      now: T0,
    };
    expect(clusterStatus({ ...base, admitted: 2 })).toMatchObject({ admittedQueries: 2 });
    expect(clusterStatus({ ...base, admitted: 0 })).toMatchObject({ admittedQueries: 0 });
    expect(clusterStatus(base)).not.toHaveProperty('admittedQueries');
  });
});

describe('change detection and events', () => {
  const healthy = clusterStatus({
    generation: 1,
    enabled: true,
    entry: entry('blue', ['adhoc']),
    health: health('Healthy'),
    previous: undefined,
    now: T0,
  });

  it('sees no change when the same status is computed again later', () => {
    const again = clusterStatus({
      generation: 1,
      enabled: true,
      entry: entry('blue', ['adhoc']),
      health: health('Healthy'),
      previous: healthy,
      now: T1,
    });
    // Fields the API added (or we never set) do not count; key order does not matter.
    expect(sameStatus({ extra: 1, ...JSON.parse(JSON.stringify(again)) }, healthy)).toBe(true);
    expect(sameStatus(healthy, { ...healthy, runningQueries: 1 })).toBe(false);
    expect(sameStatus(undefined, healthy)).toBe(false);
  });

  it('emits an Event per phase change: Warning for Unhealthy, Normal otherwise', () => {
    const unhealthy = clusterStatus({
      generation: 1,
      enabled: true,
      entry: entry('blue', ['adhoc']),
      health: health('Unhealthy', 'connection refused'),
      previous: healthy,
      now: T1,
    });
    expect(statusEvents(undefined, healthy)).toEqual([
      { type: 'Normal', reason: 'Healthy', message: 'phase is Healthy' },
    ]);
    expect(statusEvents(healthy, unhealthy)).toEqual([
      { type: 'Warning', reason: 'Unhealthy', message: 'phase is Unhealthy: connection refused' },
    ]);
    expect(statusEvents(healthy, { ...healthy, runningQueries: 7 })).toEqual([]);
  });

  it('warns once about invalid rules or specs and notes the repair', () => {
    const valid = {
      conditions: mergeConditions(
        undefined,
        [{ type: 'RulesValid', status: 'True', reason: 'Compiled', message: '' }],
        T0,
      ),
    };
    const broken = {
      conditions: mergeConditions(
        valid,
        [{ type: 'RulesValid', status: 'False', reason: 'InvalidRules', message: 'bad' }],
        T1,
      ),
    };
    expect(statusEvents(valid, broken)).toEqual([{ type: 'Warning', reason: 'InvalidRules', message: 'bad' }]);
    expect(statusEvents(broken, broken)).toEqual([]);
    expect(statusEvents(broken, valid)).toEqual([
      { type: 'Normal', reason: 'RulesValid', message: 'every rule compiles again' },
    ]);
    const invalid = invalidStatus(2, 'spec.url: must be an http(s) URL', undefined, T0);
    expect(invalid).toEqual({
      observedGeneration: 2,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'InvalidSpec',
          message: 'spec.url: must be an http(s) URL',
          lastTransitionTime: T0,
          observedGeneration: 2,
        },
      ],
    });
    expect(statusEvents(undefined, invalid)).toEqual([
      { type: 'Warning', reason: 'InvalidSpec', message: 'spec.url: must be an http(s) URL' },
    ]);
  });
});
