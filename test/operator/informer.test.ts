// The informer wrapper against a real apiserver: it keeps retrying (with backoff) until it may list,
// and a watch connection that silently stops delivering heals at the next periodic relist.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { silentLogger } from '@junction/shared';
import { Informer, type InformerEvent } from '../../operator/src/informer.js';
import { Kube } from '../../operator/src/kube.js';
import type { KubeObject } from '../../operator/src/kube-types.js';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';
import { eventually, kubectlOk, NAMESPACE, REPO_ROOT, sleep, trinoCluster } from './support.js';

let cp: ControlPlane;
const informers: Informer<KubeObject>[] = [];

beforeAll(async () => {
  cp = await startControlPlane({ namespace: NAMESPACE });
  await kubectlOk({ cp }, ['apply', '-f', join(REPO_ROOT, 'crds')]);
  await kubectlOk({ cp }, ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
}, 120_000);

afterAll(async () => {
  await Promise.all(informers.map((informer) => informer.stop()));
  await cp?.stop();
});

const create = (name: string) =>
  kubectlOk({ cp }, ['apply', '-f', '-'], JSON.stringify(trinoCluster(name, { url: 'http://127.0.0.1:1' })));

interface Recorded {
  informer: Informer<KubeObject>;
  events: Array<[InformerEvent, string]>;
  restarts: number[];
  listed: number[];
}

function watchClusters(kubeconfig: string, options: { relistIntervalMs?: number } = {}): Recorded {
  const recorded: Recorded = {
    informer: undefined as unknown as Informer<KubeObject>,
    events: [],
    restarts: [],
    listed: [],
  };
  const kube = new Kube({ kubeconfig, namespace: NAMESPACE, instance: 'informer-test' });
  recorded.informer = new Informer<KubeObject>(kube.cacheSource('TrinoCluster'), {
    kind: 'TrinoCluster',
    logger: silentLogger(),
    onChange: (event, object) => recorded.events.push([event, object.metadata.name]),
    onRestart: () => recorded.restarts.push(Date.now()),
    onListed: () => recorded.listed.push(Date.now()),
    restartBaseDelayMs: 100,
    restartMaxDelayMs: 800,
    ...options,
  });
  informers.push(recorded.informer);
  recorded.informer.start();
  return recorded;
}

const names = (informer: Informer<KubeObject>) =>
  informer
    .list()
    .map((object) => object.metadata.name)
    .sort();

test('retries with growing delays while it may not list, and syncs once it may', async () => {
  await create('existing');
  // A service account without permissions yet: every list answers 403.
  await kubectlOk({ cp }, ['create', 'serviceaccount', 'late']);
  const token = (await kubectlOk({ cp }, ['create', 'token', 'late', '--duration=10m'])).trim();
  const kubeconfig = join(cp.dir, 'late.kubeconfig');
  writeFileSync(kubeconfig, readFileSync(cp.kubeconfig, 'utf8').replace(/token: \S+/, `token: ${token}`));

  const watched = watchClusters(kubeconfig);
  await eventually('four restarts', () => watched.restarts.length >= 4, 10_000);
  expect(watched.informer.synced).toBe(false);
  const gaps = watched.restarts.slice(1, 4).map((at, i) => at - (watched.restarts[i] as number));
  process.stdout.write(`restart gaps while forbidden: ${gaps.join(', ')} ms\n`);
  // 200, 400, 800 ms (base 100 ms, doubling, capped at 800).
  expect(gaps[0]).toBeGreaterThanOrEqual(190);
  expect(gaps[2]).toBeGreaterThanOrEqual(790);

  await kubectlOk({ cp }, [
    'create',
    'role',
    'tc-reader',
    '--verb=list,watch',
    '--resource=trinoclusters.junction.dev',
  ]);
  await kubectlOk({ cp }, [
    'create',
    'rolebinding',
    'tc-reader',
    '--role=tc-reader',
    `--serviceaccount=${NAMESPACE}:late`,
  ]);
  const syncedIn = await eventually('synced after the grant', async () => {
    const start = Date.now();
    await watched.informer.waitForSync(10_000);
    return Date.now() - start + 1;
  });
  expect(syncedIn).toBeGreaterThan(0);
  expect(names(watched.informer)).toContain('existing');
  await create('after-grant');
  await eventually('add event over the watch', () =>
    watched.events.some(([e, n]) => e === 'add' && n === 'after-grant'),
  );
  await watched.informer.stop();
  rmSync(kubeconfig);
}, 60_000);

/** A TCP relay to the apiserver whose existing connections can be made to go silent (not closed). */
async function silenceableRelay(
  target: URL,
): Promise<{ port: number; opened(): number; silence(): void; close(): Promise<void> }> {
  const pairs: Array<[Socket, Socket]> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    client.pipe(upstream).pipe(client);
    const ignore = () => {};
    client.on('error', ignore);
    upstream.on('error', ignore);
    pairs.push([client, upstream]);
    sockets.add(client).add(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    opened: () => sockets.size / 2,
    silence() {
      for (const [client, upstream] of pairs.splice(0)) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Straight to the apiserver (no kubectl discovery), so the writes land within milliseconds. */
function rest(method: 'POST' | 'DELETE', path: string, body?: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${cp.token}`, 'content-type': 'application/json' };
    const req = httpsRequest(`${cp.server}${path}`, { method, ca: cp.ca, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('a watch that silently stops delivering heals at the next periodic relist (adds and deletes)', async () => {
  await create('doomed');
  const relay = await silenceableRelay(new URL(cp.server));
  const kubeconfig = join(cp.dir, 'relay.kubeconfig');
  writeFileSync(kubeconfig, readFileSync(cp.kubeconfig, 'utf8').replace(cp.server, `https://127.0.0.1:${relay.port}`));
  const RELIST_MS = 6000;
  const collection = `/apis/junction.dev/v1alpha1/namespaces/${NAMESPACE}/trinoclusters`;
  try {
    const startedAt = Date.now();
    const watched = watchClusters(kubeconfig, { relistIntervalMs: RELIST_MS });
    await watched.informer.waitForSync(10_000);
    expect(names(watched.informer)).toContain('doomed');
    // The list's connection and the watch's; then a moment for the watch's response to start streaming.
    await eventually('the watch connection', () => relay.opened() >= 2);
    await sleep(300);
    const silencedAt = Date.now();
    relay.silence();
    expect(await rest('POST', collection, trinoCluster('unseen', { url: 'http://127.0.0.1:1' }))).toBe(201);
    expect(await rest('DELETE', `${collection}/doomed`)).toBe(200);
    await sleep(1000);
    // The dead connection delivered nothing, and nothing noticed: no error, no restart, no relist yet.
    expect(Date.now() - startedAt).toBeLessThan(RELIST_MS);
    expect(watched.listed).toHaveLength(1);
    expect(names(watched.informer)).toContain('doomed');
    expect(names(watched.informer)).not.toContain('unseen');
    expect(watched.restarts).toEqual([]);

    await eventually(
      'healed by the relist',
      () => {
        const current = names(watched.informer);
        return current.includes('unseen') && !current.includes('doomed');
      },
      RELIST_MS + 5000,
    );
    const healedMs = Date.now() - silencedAt;
    process.stdout.write(
      `silent watch healed ${healedMs} ms after it went silent, ${Date.now() - startedAt} ms after start ` +
        `(relist every ${RELIST_MS} ms)\n`,
    );
    expect(Date.now() - startedAt).toBeLessThan(RELIST_MS + 3000);
    expect(watched.listed.length).toBeGreaterThanOrEqual(2);
    expect(watched.events).toEqual(
      expect.arrayContaining([
        ['add', 'unseen'],
        ['delete', 'doomed'],
      ]),
    );
    // The relist reported only the differences: no repeated add for objects it already had.
    expect(watched.events.filter(([event, name]) => event === 'add' && name === 'existing')).toHaveLength(1);
    await watched.informer.stop();
  } finally {
    await relay.close();
    rmSync(kubeconfig);
  }
}, 60_000);
