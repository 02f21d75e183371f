// Queue counts in `.status`, end to end: real kube-apiserver + etcd and a real Redis. Queries are
// admitted through a RedisQueueStore on the operator's key prefix, as a proxy replica would; the
// leader reads the shared queue and `kubectl get` shows admitted and queued queries come and go.
import {
  closeRedisClient,
  createLogger,
  createRedisClient,
  OperatorConfig,
  type RedisClient,
  RedisQueueStore,
  silentLogger,
} from '@junction/shared';
import { type RunningOperator, startOperator } from '../../operator/src/operator.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { request } from '../harness/queue-stores.js';
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

let env: Environment;
let operator: RunningOperator;
let blue: SimTrino;
let client: RedisClient;
let store: RedisQueueStore;

beforeAll(async () => {
  env = await startEnvironment('junction-queue-status:');
  blue = await SimTrino.start({ name: 'blue' });
  const config = { url: env.redis.url, keyPrefix: env.keyPrefix, commandTimeout: 2000 };
  client = createRedisClient(config, { name: 'test-replica' });
  store = new RedisQueueStore(client, config);
  operator = await startOperator(OperatorConfig.parse(operatorConfig(env, { queueStatus: { intervalSeconds: 0.2 } })), {
    logger: process.env['OPERATOR_TEST_LOG'] ? createLogger('debug', 'operator') : silentLogger(),
  });
  await eventually('the operator leads', () => operator.isLeader());
}, 120_000);

afterAll(async () => {
  await operator?.close();
  await store?.close();
  if (client) await closeRedisClient(client);
  await blue?.close();
  await env?.stop();
});

/** The value under `column` of `kubectl get <kind> <name> [-o wide]`. */
async function column(kind: string, name: string, header: string, wide = false): Promise<string | undefined> {
  const [head = '', row = ''] = (await kubectlOk(env, ['get', kind, name, ...(wide ? ['-o', 'wide'] : [])]))
    .trimEnd()
    .split('\n');
  const start = head.indexOf(header);
  if (start < 0) return undefined;
  const next = head.slice(start + header.length).search(/\S/);
  const end = next < 0 ? undefined : start + header.length + next;
  return row.slice(start, end).trim();
}

test('admitted and queued queries appear in status and kubectl get, then go back to 0', async () => {
  await apply(
    env,
    trinoCluster('blue', { url: blue.url, maxRunningQueries: 1 }),
    routingGroup('adhoc', {
      clusterSelector: { matchLabels: { pool: 'adhoc' } },
      default: true,
      admission: [{ name: 'per-user', key: 'User', maxConcurrent: 5 }],
    }),
  );
  // Read before anything is admitted: the counts are 0, not absent, and the limits are shown.
  await eventually('zero counts in status', async () => {
    const [tc, rg] = await Promise.all([getJson(env, 'tc', 'blue'), getJson(env, 'rg', 'adhoc')]);
    return tc.status?.['admittedQueries'] === 0 && rg.status?.['queuedQueries'] === 0;
  });
  expect((await getJson(env, 'rg', 'adhoc')).status?.['admission']).toBe('per-user: 5 concurrent per User, Reject');
  expect(await column('rg', 'adhoc', 'ADMISSION', true)).toBe('per-user: 5 concurrent per User, Reject');

  const candidates = [{ cluster: 'blue', limit: 1 }];
  const now = Date.now();
  const running = request({ candidates, leaseMs: 300_000, maxWaitMs: 300_000, now });
  const waiting = request({ candidates, leaseMs: 300_000, maxWaitMs: 300_000, now });
  await expect(store.admit(running)).resolves.toEqual({ outcome: 'run', cluster: 'blue' });
  await expect(store.admit(waiting)).resolves.toEqual({ outcome: 'queued' });
  await store.bind(running.id, '20260101_000000_00001_blue1', 300_000, now);

  await eventually('admitted 1 and queued 1 in status', async () => {
    const [tc, rg] = await Promise.all([getJson(env, 'tc', 'blue'), getJson(env, 'rg', 'adhoc')]);
    return tc.status?.['admittedQueries'] === 1 && rg.status?.['queuedQueries'] === 1;
  });
  expect(await column('tc', 'blue', 'ADMITTED')).toBe('1');
  expect(await column('tc', 'blue', 'LIMIT')).toBe('1');
  expect(await column('rg', 'adhoc', 'QUEUED')).toBe('1');

  await expect(store.cancel(waiting.id, Date.now())).resolves.toBe(true);
  await expect(store.release('20260101_000000_00001_blue1', Date.now())).resolves.toEqual({ cluster: 'blue' });
  await eventually('back to 0', async () => {
    const [tc, rg] = await Promise.all([getJson(env, 'tc', 'blue'), getJson(env, 'rg', 'adhoc')]);
    return tc.status?.['admittedQueries'] === 0 && rg.status?.['queuedQueries'] === 0;
  });
  expect(await column('tc', 'blue', 'ADMITTED')).toBe('0');
  expect(await column('rg', 'adhoc', 'QUEUED')).toBe('0');

  // Limits removed: the summary leaves the status.
  await apply(env, routingGroup('adhoc', { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true }));
  await eventually('no admission summary', async () => {
    const rg = await getJson(env, 'rg', 'adhoc');
    return rg.metadata.generation > 1 && rg.status?.['observedGeneration'] === rg.metadata.generation && rg.status;
  });
  expect((await getJson(env, 'rg', 'adhoc')).status).not.toHaveProperty('admission');
}, 90_000);
