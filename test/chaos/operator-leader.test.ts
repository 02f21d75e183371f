// The chaos suite's control-plane scenario: two operator processes against a real kube-apiserver and
// Redis, two proxy processes reading the registry the leader publishes (operator mode), three simulated
// clusters and retrying clients. SIGKILL the leader mid-run: the standby takes the Lease and publishes
// within the lease time, and the proxies keep routing from the last snapshot meanwhile.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { type OperatorProcess, spawnOperator } from '../harness/operator.js';
import { type ProxyProcess, spawnProxy } from '../harness/proxy.js';
import { leaseHolder, operatorMetric } from '../operator/processes.js';
import {
  apply,
  type Environment,
  eventually,
  operatorConfig,
  routingGroup,
  startEnvironment,
  trinoCluster,
} from '../operator/support.js';
import { markdownTable, runLoad } from './load.js';
import { CLUSTERS } from './rig.js';

const FULL = process.env.CHAOS_FULL === '1';
const CONCURRENCY = FULL ? 200 : 40;
const LEASE = { leaseDurationSeconds: 5, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 };

let env: Environment;
let sims: SimTrino[];
let dir: string;
const operators: OperatorProcess[] = [];
const proxies: ProxyProcess[] = [];

beforeAll(async () => {
  env = await startEnvironment('chaos-operator:');
  sims = await Promise.all(CLUSTERS.map((name) => SimTrino.start({ name })));
  dir = mkdtempSync(join(tmpdir(), 'junction-chaos-operator-'));
  await apply(
    env,
    ...sims.map((sim) =>
      trinoCluster(sim.name, { url: sim.url, healthCheck: { intervalSeconds: 1, timeoutSeconds: 1 } }),
    ),
    routingGroup('adhoc', { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true }),
  );
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${ENV:NAME} syntax, not a template
  const identity = '${ENV:POD_NAME}';
  const { admin: _, ...base } = operatorConfig(env);
  const config = { ...base, leaderElection: { identity, ...LEASE } };
  const started = ['operator-a', 'operator-b'].map((name) => spawnOperator(dir, name, config, { POD_NAME: name }));
  operators.push(...(await Promise.all(started)));
  const proxyFile = join(dir, 'proxy.yaml');
  writeFileSync(
    proxyFile,
    JSON.stringify({
      server: { host: '127.0.0.1', port: 0, drainTimeout: '5s' },
      admin: { host: '127.0.0.1', port: 0 },
      redis: { url: env.redis.url, keyPrefix: env.keyPrefix },
      logging: { level: 'error' },
    }),
  );
  proxies.push(...(await Promise.all([spawnProxy(proxyFile, 30_000), spawnProxy(proxyFile, 30_000)])));
  for (const proxy of proxies) {
    await eventually(`${proxy.url} ready with the operator's registry`, async () => {
      const ready = await request(`${proxy.adminUrl}/readyz`);
      await ready.body.dump();
      return ready.statusCode === 200;
    });
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop('SIGKILL')));
  for (const operator of operators) {
    if (operator.child.exitCode === null && operator.child.signalCode === null) operator.child.kill('SIGKILL');
    await operator.exited;
  }
  await Promise.all((sims ?? []).map((sim) => sim.close()));
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('operator leader SIGKILL mid-run: the standby publishes within the lease time, the proxies keep routing', async () => {
  const leaderName = await eventually('a Lease holder', () => leaseHolder(env));
  const leader = operators.find((operator) => operator.name === leaderName) as OperatorProcess;
  const standby = operators.find((operator) => operator.name !== leaderName) as OperatorProcess;
  let takeoverMs = 0;
  const row = await runLoad('operator leader SIGKILL', {
    replicas: proxies.map((proxy) => proxy.url),
    concurrency: CONCURRENCY,
    retryDeadlineMs: 60_000,
    fault: async () => {
      const killedAt = Date.now();
      leader.child.kill('SIGKILL');
      await leader.exited;
      await eventually(
        'the standby leads and publishes',
        async () =>
          (await leaseHolder(env)) === standby.name &&
          (await operatorMetric(standby, 'junction_operator_registry_publishes_total')) >= 1,
        (LEASE.leaseDurationSeconds + 10) * 1000,
      );
      takeoverMs = Date.now() - killedAt;
    },
  });
  process.stdout.write(
    `\nchaos (${FULL ? 'full' : 'short'}, ${CONCURRENCY} clients), takeover ${takeoverMs} ms after SIGKILL ` +
      `(lease ${LEASE.leaseDurationSeconds} s):\n${markdownTable([row])}\n`,
  );
  expect(row.reasons.lost).toEqual([]);
  expect(row.reasons.failed).toEqual([]);
  expect(row.finished).toBe(row.started);
}, 180_000);
