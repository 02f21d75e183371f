// Two operator processes (`node operator/dist/main.js`, run `npm run build` first) against a real
// apiserver and Redis: exactly one writes; SIGKILL the leader and the standby takes over and publishes;
// SIGTERM releases the Lease and exits 0. Also the CLI's --help and configuration errors.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperatorConfigInput } from '@junction/shared';
import { Agent, request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { type OperatorProcess, runOperator as run, spawnOperator } from '../harness/operator.js';
import { leaseHolder, operatorMetric } from './processes.js';
import {
  apply,
  type Environment,
  eventually,
  getJson,
  kubectlOk,
  operatorConfig,
  routingGroup,
  startEnvironment,
  trinoCluster,
} from './support.js';

const LEASE = { leaseDurationSeconds: 5, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 };

let env: Environment;
let sim: SimTrino;
let dir: string;
const processes: OperatorProcess[] = [];

/** One replica, named in its environment as a Deployment names its pods (POD_NAME). */
async function startProcess(name: string, config: Omit<OperatorConfigInput, 'admin'>): Promise<OperatorProcess> {
  const started = await spawnOperator(dir, name, config, { POD_NAME: name });
  processes.push(started);
  return started;
}

const metric = operatorMetric;
const holder = () => leaseHolder(env);

beforeAll(async () => {
  env = await startEnvironment('junction-failover:');
  sim = await SimTrino.start({ name: 'blue' });
  dir = mkdtempSync(join(tmpdir(), 'junction-operator-'));
  await apply(
    env,
    trinoCluster('blue', { url: sim.url }),
    routingGroup('adhoc', { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true }),
  );
}, 120_000);

afterAll(async () => {
  for (const target of processes) {
    if (target.child.exitCode === null && target.child.signalCode === null) target.child.kill('SIGKILL');
    await target.exited;
  }
  await sim?.close();
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('operator processes', () => {
  let leader: OperatorProcess;
  let standby: OperatorProcess;

  test('of two replicas exactly one leads and writes; the other stands by, ready', async () => {
    // Each replica names itself from its environment, as a Deployment does with the pod name.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${ENV:NAME} syntax, not a template
    const identity = '${ENV:POD_NAME}';
    const { admin: _, ...base } = operatorConfig(env);
    const config = { ...base, leaderElection: { identity, ...LEASE } };
    const [a, b] = await Promise.all([startProcess('operator-a', config), startProcess('operator-b', config)]);
    const name = await eventually('a Lease holder', holder);
    [leader, standby] = name === 'operator-a' ? [a, b] : [b, a];
    await eventually('snapshot published', async () => (await env.store.read())?.clusters.length === 1);
    await eventually(
      'blue status Healthy',
      async () => (await getJson(env, 'tc', 'blue')).status?.['phase'] === 'Healthy',
    );

    expect(await metric(leader, 'junction_operator_leader')).toBe(1);
    expect(await metric(standby, 'junction_operator_leader')).toBe(0);
    expect(await metric(leader, 'junction_operator_registry_publishes_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(standby, 'junction_operator_registry_publishes_total')).toBe(0);
    expect(await metric(leader, 'junction_operator_status_patches_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(standby, 'junction_operator_status_patches_total')).toBe(0);
    for (const target of [leader, standby]) {
      // The standby learns who leads at its next look at the Lease (every retry period).
      const ready = await eventually(`${target.name} names the leader`, async () => {
        const response = await fetch(`${target.adminUrl}/readyz`);
        const body = (await response.json()) as { currentLeader?: string };
        return body.currentLeader === leader.name && { status: response.status, body };
      });
      expect(ready).toMatchObject({ status: 200, body: { identity: target.name, leader: target === leader } });
    }
  }, 60_000);

  test('SIGKILL the leader: the standby takes over and publishes about one lease duration later', async () => {
    const before = (await env.store.read())?.generation ?? 0;
    const lease = await getJson(env, 'lease', 'junction-operator');
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await leader.exited;
    // Waits on the standby's own publish counter: a publish the old leader had in flight when it was
    // killed can land after the kill and must not count as the takeover.
    const published = await eventually(
      'a publish by the new leader',
      async () => {
        if ((await metric(standby, 'junction_operator_registry_publishes_total')) < 1) return false;
        const snapshot = await env.store.read();
        return snapshot !== undefined && snapshot.generation > before && snapshot;
      },
      (LEASE.leaseDurationSeconds + 5) * 1000,
    );
    const tookMs = Date.now() - killedAt;
    process.stdout.write(
      `failover: new leader published generation ${published.generation} ${tookMs} ms after SIGKILL ` +
        `(lease ${LEASE.leaseDurationSeconds} s, retry ${LEASE.retryPeriodSeconds} s)\n`,
    );
    // Expiry is judged from when the standby last saw a renewal (client-go semantics), so the bound is the
    // lease duration plus up to two jittered retry periods (observation lag, then the next attempt), plus
    // slack for a loaded 2-core machine.
    expect(tookMs).toBeLessThanOrEqual((LEASE.leaseDurationSeconds + 2.4 * LEASE.retryPeriodSeconds + 1) * 1000);
    expect(await holder()).toBe(standby.name);
    const taken = await getJson(env, 'lease', 'junction-operator');
    expect(taken.spec['leaseTransitions']).toBe(Number(lease.spec['leaseTransitions'] ?? 0) + 1);
    expect(await metric(standby, 'junction_operator_leader')).toBe(1);

    // The new leader follows changes.
    await kubectlOk(env, ['label', 'tc', 'blue', 'tier=gold']);
    await eventually('relabel published', async () => {
      const snapshot = await env.store.read();
      return snapshot?.clusters[0]?.metadata.labels?.['tier'] === 'gold';
    });
  }, 60_000);

  test('SIGTERM releases the Lease and exits 0; keep-alive clients cannot hold the exit past the admin drain deadline', async () => {
    // Idle keep-alive connections (as Prometheus and the kubelet keep them) close at once; a client that
    // sent half a request and went quiet is cut at the admin drain deadline (2 s).
    const agent = new Agent({ connections: 4, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
    const paths = ['/livez', '/readyz', '/metrics', '/livez'];
    const answers = await Promise.all(
      paths.map((path) => request(`${standby.adminUrl}${path}`, { dispatcher: agent })),
    );
    for (const answer of answers) {
      expect(answer.headers['connection']).toBe('keep-alive');
      await answer.body.dump();
    }
    const { hostname, port } = new URL(standby.adminUrl);
    const quiet = connect(Number(port), hostname);
    quiet.on('error', () => {});
    await once(quiet, 'connect');
    quiet.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    try {
      const stoppedAt = Date.now();
      standby.child.kill('SIGTERM');
      expect(await standby.exited).toBe(0);
      const took = Date.now() - stoppedAt;
      process.stdout.write(`SIGTERM → exit 0 in ${took} ms (4 idle keep-alive connections, 1 half-sent request)\n`);
      expect(took).toBeLessThan(5_000);
      expect(standby.output()).toContain('admin drain timeout');
      expect(await holder()).toBeUndefined();
    } finally {
      quiet.destroy();
      await agent.close();
    }
  }, 30_000);
});

describe('operator CLI', () => {
  test('--help prints usage and exits 0; a missing --config exits 2', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toMatch(/^Usage: junction-operator --config <operator.yaml>/);
    const missing = run([]);
    expect(await missing.exited).toBe(2);
    expect(missing.output()).toContain('--config is required');
  });

  test('an invalid configuration exits 1 naming the key', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'kubernetes: { namespace: j }\nredis: { url: "redis://127.0.0.1:1" }\nleaderElection: { leaseDuration: 3 }\n',
    );
    const bad = run(['--config', file]);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('bad.yaml: leaderElection.leaseDuration: unknown key');
  });
});
