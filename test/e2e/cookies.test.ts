// Routing-cookie secret rotation and expiry: a cookie signed with a secret still in a replica's
// list is honoured; one signed with a dropped secret, or expired, is ignored and replaced.
import { request } from 'undici';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, groupResource, startInProcess, Workspace } from '../harness/proxy.js';

let sims: SimTrino[];
let workspace: Workspace;
const proxies: RunningProxy[] = [];

async function proxyWith(secret: string | string[], lifetime = '10m'): Promise<RunningProxy> {
  const proxy = await startInProcess(
    workspace.config({
      gatewayCookieConfiguration: { enabled: true, cookieSigningSecret: secret },
      oauth2GatewayCookieConfiguration: { lifetime },
    }),
  );
  proxies.push(proxy);
  await proxy.health.firstRound;
  return proxy;
}

async function visit(proxy: RunningProxy, cookie?: string) {
  const before = sims.map((sim) => sim.records.length);
  const response = await request(`${proxy.url}/oauth2/callback`, { headers: cookie ? { cookie } : {} });
  await response.body.dump();
  const setCookie = [response.headers['set-cookie'] ?? []].flat().find((v) => v.startsWith('TG.OAUTH2='));
  const cluster = sims.find((sim, i) => sim.records.length > (before[i] as number))?.name;
  return { status: response.statusCode, cookie: setCookie?.split(';')[0], setCookie, cluster };
}

beforeAll(async () => {
  sims = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((name) => SimTrino.start({ name, oauth2: true })));
  workspace = new Workspace();
  workspace.writeResources([
    ...sims.map((sim) => clusterResource(sim.name, { url: sim.url, labels: { pool: 'p' } })),
    groupResource('adhoc', { matchLabels: { pool: 'p' }, default: true, strategy: 'RoundRobin' }),
  ]);
});

afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await Promise.all(sims.map((sim) => sim.close()));
  workspace.remove();
});

it('honours cookies signed by any listed secret and signs with the first', async () => {
  const old = await proxyWith('old-secret-0123456789');
  const rotating = await proxyWith(['new-secret-0123456789', 'old-secret-0123456789']);
  const rotated = await proxyWith('new-secret-0123456789');

  const issued = await visit(old);
  expect(issued.cookie).toBeDefined();
  for (let i = 0; i < 4; i++) {
    const next = await visit(rotating, issued.cookie);
    expect(next.cluster).toBe(issued.cluster);
    expect(next.cookie).toBeUndefined();
  }
  // A replica that dropped the old secret ignores the cookie and issues its own.
  const replaced = await visit(rotated, issued.cookie);
  expect(replaced.status).toBe(200);
  expect(replaced.cookie).toBeDefined();
  // Cookies the rotating replica issues are signed with the new secret: the old-only replica ignores them.
  const fresh = await visit(rotating);
  const seenByOld = await visit(old, fresh.cookie);
  expect(seenByOld.cookie).toBeDefined();
  const seenByRotated = await visit(rotated, fresh.cookie);
  expect(seenByRotated.cookie).toBeUndefined();
  expect(seenByRotated.cluster).toBe(fresh.cluster);
});

it('ignores an expired cookie and issues a new one', async () => {
  const shortLived = await proxyWith('short-lived-secret-0123', '1s');
  const issued = await visit(shortLived);
  expect(issued.setCookie).toMatch(/Max-Age=1/);
  const fresh = await visit(shortLived, issued.cookie);
  expect(fresh.cookie).toBeUndefined();
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  const expired = await visit(shortLived, issued.cookie);
  expect(expired.status).toBe(200);
  expect(expired.cookie).toBeDefined();
});
