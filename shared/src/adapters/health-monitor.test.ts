// HealthMonitor against simulated Trino clusters on real sockets: phases, thresholds, counts,
// registry changes and shutdown. Long intervals plus probeNow() keep the tests deterministic.
import { jest } from '@jest/globals';
import { SimTrino } from '../../../test/fixtures/sim-trino.js';
import { type ClusterEntry, type ClusterHealth, PENDING_HEALTH, type Registry } from '../contract/model.js';
import type { HealthCheck } from '../contract/schemas/resources.js';
import { HealthMonitor, nextHealth } from './health-monitor.js';
import type { ProbeOutcome } from './prober.js';

const QUIET: HealthCheck = { type: 'Info', intervalSeconds: 3600, timeoutSeconds: 5, failureThreshold: 3 };

function entry(name: string, url: string, check: Partial<HealthCheck> = {}): ClusterEntry {
  return {
    name,
    url,
    externalUrl: url,
    enabled: true,
    weight: 1,
    labels: {},
    healthCheck: { ...QUIET, ...check },
    groups: [],
    maxRunningQueries: undefined,
  };
}

let generation = 0;
function registry(...clusters: ClusterEntry[]): Registry {
  return {
    generation: ++generation,
    clusters: new Map(clusters.map((cluster) => [cluster.name, cluster])),
    groups: new Map(),
    defaultGroup: undefined,
    rules: [],
    problems: [],
    managesQueries: false,
    readsSql: false,
  };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let sims: SimTrino[] = [];
let monitor: HealthMonitor;
let changes: { name: string; health: ClusterHealth; previous: ClusterHealth }[];

async function startSim(name: string): Promise<SimTrino> {
  const sim = await SimTrino.start({ name });
  sims.push(sim);
  return sim;
}

beforeEach(() => {
  changes = [];
  monitor = new HealthMonitor({ onChange: (name, health, previous) => changes.push({ name, health, previous }) });
});

afterEach(async () => {
  monitor.stop();
  await Promise.all(sims.map((sim) => sim.close()));
  sims = [];
});

test('Info: a ready coordinator becomes Healthy after the first round', async () => {
  const blue = await startSim('blue');
  expect(monitor.get('blue')).toBe(PENDING_HEALTH);
  const before = Date.now();
  monitor.update(registry(entry('blue', blue.url)));
  await monitor.firstRound;
  const health = monitor.get('blue');
  expect(health).toMatchObject({ phase: 'Healthy', runningQueries: 0, queuedQueries: 0, message: 'ok' });
  expect(health.probedAt).toBeGreaterThanOrEqual(before);
  expect(changes.map((c) => [c.name, c.previous.phase, c.health.phase])).toEqual([['blue', 'Pending', 'Healthy']]);
});

test('a starting coordinator stays Pending until it reports ready', async () => {
  const blue = await startSim('blue');
  blue.setStarting(true);
  monitor.update(registry(entry('blue', blue.url)));
  await monitor.firstRound;
  expect(monitor.get('blue')).toMatchObject({ phase: 'Pending', message: 'coordinator is starting' });
  blue.setStarting(false);
  await monitor.probeNow('blue');
  expect(monitor.get('blue').phase).toBe('Healthy');
});

test('a stopped coordinator turns Unhealthy only at failureThreshold consecutive failures', async () => {
  const blue = await startSim('blue');
  monitor.update(registry(entry('blue', blue.url, { failureThreshold: 3 })));
  await monitor.firstRound;
  await blue.close();
  await monitor.probeNow('blue');
  expect(monitor.get('blue')).toMatchObject({
    phase: 'Healthy',
    message: expect.stringMatching(/ECONNREFUSED.*\(failure 1 of 3\)$/),
  });
  await monitor.probeNow('blue');
  expect(monitor.get('blue').phase).toBe('Healthy');
  await monitor.probeNow('blue');
  expect(monitor.get('blue')).toMatchObject({
    phase: 'Unhealthy',
    message: expect.stringMatching(/^GET .*\/v1\/info: .*ECONNREFUSED/),
  });
  expect(changes.map((c) => c.health.phase)).toEqual(['Healthy', 'Healthy', 'Healthy', 'Unhealthy']);
});

test('Metrics and QueryList report load', async () => {
  const blue = await startSim('blue');
  const green = await startSim('green');
  blue.setReportedLoad({ running: 3, queued: 1, activeNodes: 2 });
  green.setReportedLoad({ running: 6, queued: 4 });
  monitor.update(
    registry(entry('blue', blue.url, { type: 'Metrics' }), entry('green', green.url, { type: 'QueryList' })),
  );
  await monitor.firstRound;
  expect(monitor.get('blue')).toMatchObject({ phase: 'Healthy', runningQueries: 3, queuedQueries: 1, activeNodes: 2 });
  expect(monitor.get('green')).toMatchObject({
    phase: 'Healthy',
    runningQueries: 6,
    queuedQueries: 4,
    activeNodes: undefined,
  });
  blue.setReportedLoad({ running: 0, queued: 0, activeNodes: 2 });
  await monitor.probeNow('blue');
  expect(changes.at(-1)?.health).toMatchObject({ runningQueries: 0, queuedQueries: 0 });
  expect(changes.at(-1)?.previous).toMatchObject({ runningQueries: 3, queuedQueries: 1 });
});

test('a probe with the same result but a later probedAt fires onChange; one at the same time does not', async () => {
  // The operator republishes health only on onChange, and proxies lift an "unreachable" mark only when
  // probedAt advances: an unchanged result is still news when it is newer.
  const clock = jest.spyOn(Date, 'now').mockReturnValue(1_000);
  try {
    const probe = async (): Promise<ProbeOutcome> => ({
      ok: true,
      starting: false,
      runningQueries: 2,
      queuedQueries: 0,
    });
    const seen: { health: ClusterHealth; previous: ClusterHealth }[] = [];
    const steady = new HealthMonitor({ probe, onChange: (_name, health, previous) => seen.push({ health, previous }) });
    steady.update(registry(entry('blue', 'http://127.0.0.1:9')));
    await steady.firstRound;
    expect(seen.map(({ health }) => [health.phase, health.probedAt])).toEqual([['Healthy', 1_000]]);

    clock.mockReturnValue(11_000);
    await steady.probeNow('blue');
    expect(seen).toHaveLength(2);
    expect(seen[1]?.previous).toEqual({ ...seen[1]?.health, probedAt: 1_000 });
    expect(seen[1]?.health.probedAt).toBe(11_000);

    await steady.probeNow('blue');
    expect(seen).toHaveLength(2);
    steady.stop();
  } finally {
    clock.mockRestore();
  }
});

test('None is Healthy even when nothing listens', async () => {
  const dead = await startSim('dead');
  const url = dead.url;
  await dead.close();
  monitor.update(registry(entry('dead', url, { type: 'None' })));
  await monitor.firstRound;
  expect(monitor.get('dead').phase).toBe('Healthy');
});

test('markUnreachable is Unhealthy at once, until the next successful probe', async () => {
  const blue = await startSim('blue');
  monitor.update(registry(entry('blue', blue.url)));
  await monitor.firstRound;
  monitor.markUnreachable('blue', 'forwarding: connect ECONNREFUSED');
  expect(monitor.get('blue')).toMatchObject({ phase: 'Unhealthy', message: 'forwarding: connect ECONNREFUSED' });
  monitor.markUnreachable('unknown', 'ignored');
  expect(monitor.all().has('unknown')).toBe(false);
  await monitor.probeNow('blue');
  expect(monitor.get('blue').phase).toBe('Healthy');
});

test('registry updates add, drop and restart clusters', async () => {
  const blue = await startSim('blue');
  const green = await startSim('green');
  monitor.update(registry(entry('blue', blue.url)));
  await monitor.firstRound;
  monitor.update(registry(entry('blue', blue.url), entry('green', green.url)));
  await waitFor(() => monitor.get('green').phase === 'Healthy', 'green to be probed');
  expect([...monitor.all().keys()].sort()).toEqual(['blue', 'green']);

  monitor.update(registry(entry('green', green.url)));
  expect([...monitor.all().keys()]).toEqual(['green']);
  expect(monitor.get('blue')).toBe(PENDING_HEALTH);

  // Same name, new address: start over as Pending and probe the new address now.
  const probesOfBlue = blue.records.length;
  monitor.update(registry(entry('green', blue.url)));
  expect(monitor.get('green')).toBe(PENDING_HEALTH);
  await waitFor(() => monitor.get('green').phase === 'Healthy', 'green to be probed at its new url');
  expect(blue.records.length).toBe(probesOfBlue + 1);

  // Unrelated changes (labels, weight) keep the health as it is.
  const relabeled = { ...entry('green', blue.url), labels: { pool: 'etl' }, weight: 5 };
  monitor.update(registry(relabeled));
  expect(monitor.get('green').phase).toBe('Healthy');
});

test('firstRound resolves at once for an empty registry and probes run periodically', async () => {
  const empty = new HealthMonitor();
  empty.update(registry());
  await empty.firstRound;
  empty.stop();

  const blue = await startSim('blue');
  monitor.update(registry(entry('blue', blue.url, { intervalSeconds: 1 })));
  await monitor.firstRound;
  await waitFor(() => blue.records.filter((r) => r.path === '/v1/info').length >= 2, 'a second, scheduled probe');
});

test('stop() aborts probes in flight and settles firstRound', async () => {
  const blue = await startSim('blue');
  blue.setLatency(60_000);
  monitor.update(registry(entry('blue', blue.url, { timeoutSeconds: 60 })));
  await waitFor(() => blue.records.length === 1, 'the probe to reach the cluster');
  monitor.stop();
  await monitor.firstRound;
  await monitor.probeNow('blue');
  expect(monitor.get('blue')).toBe(PENDING_HEALTH);
});

test('at most `concurrency` probes run at once', async () => {
  let active = 0;
  let peak = 0;
  const probe = async (): Promise<ProbeOutcome> => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((resolve) => setTimeout(resolve, 5));
    active--;
    return { ok: true, starting: false };
  };
  const limited = new HealthMonitor({ concurrency: 2, probe });
  const clusters = Array.from({ length: 7 }, (_, i) => entry(`c${i}`, 'http://127.0.0.1:9'));
  limited.update(registry(...clusters));
  await limited.firstRound;
  limited.stop();
  expect(peak).toBe(2);
  expect([...limited.all().values()].every((health) => health.phase === 'Healthy')).toBe(true);
});

test('nextHealth keeps the phase and counts below the threshold', () => {
  const healthy: ClusterHealth = { ...PENDING_HEALTH, phase: 'Healthy', runningQueries: 4, message: 'ok' };
  const failure: ProbeOutcome = { ok: false, message: 'boom' };
  const first = nextHealth(healthy, 0, failure, { ...QUIET, failureThreshold: 2 }, 1);
  expect(first).toEqual({ health: { ...healthy, probedAt: 1, message: 'boom (failure 1 of 2)' }, failures: 1 });
  const second = nextHealth(first.health, first.failures, failure, { ...QUIET, failureThreshold: 2 }, 2);
  expect(second.health).toMatchObject({ phase: 'Unhealthy', runningQueries: 4, message: 'boom', probedAt: 2 });
  const back = nextHealth(second.health, second.failures, { ok: true, starting: false }, QUIET, 3);
  expect(back).toEqual({
    health: {
      phase: 'Healthy',
      runningQueries: 0,
      queuedQueries: 0,
      activeNodes: undefined,
      probedAt: 3,
      message: 'ok',
    },
    failures: 0,
  });
});
