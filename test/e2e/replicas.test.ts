// Several proxy replicas behave as one: two real proxy processes share a real Redis and a cookie
// secret in front of three simulated clusters. Queries, routing cookies and OAuth2 token polls
// started through one replica continue through the other and always reach the owning cluster.
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import {
  clusterResource,
  eventually,
  groupResource,
  type ProxyProcess,
  spawnProxy,
  Workspace,
} from '../harness/proxy.js';
import { type RedisServer, startRedis } from '../harness/redis.js';
import { runQuery, submit, viaOrigin } from '../harness/trino-http.js';

const SECRET = 'replica-shared-secret-with-enough-entropy';
let redis: RedisServer;
let sims: SimTrino[];
let secure: SimTrino[];
let workspace: Workspace;
let a: ProxyProcess;
let b: ProxyProcess;

const owner = (queryId: string) => sims.find((sim) => sim.queryIds().includes(queryId))?.name;

beforeAll(async () => {
  redis = await startRedis();
  sims = await Promise.all(['one', 'two', 'three'].map((name) => SimTrino.start({ name })));
  secure = await Promise.all(['s1', 's2', 's3'].map((name) => SimTrino.start({ name, oauth2: true })));
  workspace = new Workspace();
  workspace.writeResources([
    ...sims.map((sim) => clusterResource(sim.name, { url: sim.url, labels: { pool: 'adhoc' } })),
    ...secure.map((sim) => clusterResource(sim.name, { url: sim.url, labels: { pool: 'secure' } })),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true, strategy: 'RoundRobin' }),
    groupResource('secure', {
      matchLabels: { pool: 'secure' },
      strategy: 'RoundRobin',
      rules: [
        { name: 'cli', condition: 'request.source == "secure-cli"' },
        { name: 'browser', condition: 'request.path.startsWith("/oauth2/callback") || request.path == "/logout"' },
      ],
    }),
  ]);
  const config = workspace.config({
    redis: { url: redis.url, keyPrefix: 'replicas-test:' },
    gatewayCookieConfiguration: { enabled: true, cookieSigningSecret: SECRET },
    logging: { level: 'warn' },
  });
  [a, b] = await Promise.all([
    spawnProxy(workspace.writeConfig(config, 'a.yaml')),
    spawnProxy(workspace.writeConfig(config, 'b.yaml')),
  ]);
  for (const proxy of [a, b]) {
    await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200, 15_000, 100);
  }
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([...sims, ...secure].map((sim) => sim.close()));
  await redis.stop();
  workspace.remove();
});

describe('two proxy processes sharing one Redis', () => {
  it('a query submitted through A is polled to completion through B, every request on its owner', async () => {
    const runs = [];
    for (let i = 0; i < 9; i++) {
      runs.push(await runQuery(a.url, 'SELECT 1 -- sim:pages=3', { pollVia: (uri) => viaOrigin(uri, b.url) }));
    }
    expect(new Set(runs.map((run) => owner(run.id)))).toEqual(new Set(['one', 'two', 'three']));
    for (const run of runs) {
      expect(run.state).toBe('FINISHED');
      const home = sims.find((sim) => sim.name === owner(run.id)) as SimTrino;
      expect(home.recordsFor(run.id)).toHaveLength(run.uris.length + 1);
      for (const other of sims.filter((sim) => sim !== home)) expect(other.recordsFor(run.id)).toHaveLength(0);
    }
  });

  it('alternating replicas on every page keeps every follow-up on the owning cluster', async () => {
    const run = await runQuery(a.url, 'SELECT 1 -- sim:pages=6', {
      pollVia: (uri, page) => viaOrigin(uri, page % 2 === 0 ? b.url : a.url),
    });
    expect(run.state).toBe('FINISHED');
    const home = sims.find((sim) => sim.name === owner(run.id)) as SimTrino;
    expect(home.recordsFor(run.id)).toHaveLength(run.uris.length + 1);
  });

  it('finds the owner of a query it never saw by asking every cluster, then remembers it', async () => {
    // Submitted straight to cluster "two", bypassing the gateway.
    const direct = await submit(sims[1]!.url, 'SELECT 1 -- sim:pages=2');
    const path = new URL(direct.body.nextUri).pathname;
    const page = await request(`${a.url}${path}`, { headers: { 'x-trino-user': 'tester' } });
    expect(page.statusCode).toBe(200);
    await page.body.dump();
    expect(sims[1]!.recordsFor(direct.body.id).filter((r) => r.path === path)).toHaveLength(1);
    const metrics = await (await request(`${a.adminUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/junction_sticky_lookups_total\{outcome="discovered"\} [1-9]/);
    // B finds the mapping A stored in Redis: it does not need to ask the clusters again.
    const asked = sims[0]!.records.filter((r) => r.path === `/v1/query/${direct.body.id}`).length;
    const info = await request(`${b.url}/v1/query/${direct.body.id}`, { headers: { 'x-trino-user': 'tester' } });
    expect(info.statusCode).toBe(200);
    await info.body.dump();
    expect(sims[0]!.records.filter((r) => r.path === `/v1/query/${direct.body.id}`)).toHaveLength(asked);
  });
});

describe('routing cookie across replicas', () => {
  const cookieOf = (setCookie: string | string[] | undefined) => {
    const all = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
    return all.find((value) => value.startsWith('TG.OAUTH2='))?.split(';')[0];
  };
  // The browser-facing OAuth2 pages are served by the "secure" clusters (rule "browser").
  const landedOn = (before: number[], path: string) =>
    secure.filter((sim, i) => sim.records.slice(before[i]).some((r) => r.path === path)).map((sim) => sim.name);

  it('pins an OAuth2 handshake to one cluster whichever replica serves it, and deletes on logout', async () => {
    let before = secure.map((sim) => sim.records.length);
    const first = await request(`${a.url}/oauth2/callback`);
    await first.body.dump();
    const cookie = cookieOf(first.headers['set-cookie']);
    expect(cookie).toBeDefined();
    expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly/i);
    const [home] = landedOn(before, '/oauth2/callback');
    expect(home).toBeDefined();
    for (let i = 0; i < 6; i++) {
      before = secure.map((sim) => sim.records.length);
      const proxy = i % 2 === 0 ? b : a;
      const next = await request(`${proxy.url}/oauth2/callback`, { headers: { cookie: `other=1; ${cookie}` } });
      await next.body.dump();
      expect(next.statusCode).toBe(200);
      expect(cookieOf(next.headers['set-cookie'])).toBeUndefined();
      expect(landedOn(before, '/oauth2/callback')).toEqual([home]);
    }
    before = secure.map((sim) => sim.records.length);
    const logout = await request(`${b.url}/logout`, { headers: { cookie: cookie as string } });
    await logout.body.dump();
    expect(String(logout.headers['set-cookie'])).toMatch(/TG\.OAUTH2=.*Max-Age=0/);
    expect(landedOn(before, '/logout')).toEqual([home]);
  });

  it('ignores a tampered cookie (treated as absent, never a 500)', async () => {
    const first = await request(`${a.url}/oauth2/callback`);
    await first.body.dump();
    const cookie = cookieOf(first.headers['set-cookie']) as string;
    const [name, token] = cookie.split('=') as [string, string];
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), cluster: 'three' }),
    );
    for (const bad of [
      `${name}=${header}.${forged.toString('base64url')}.${signature}`,
      `${name}=${header}.${payload}.${signature.slice(0, -2)}AA`,
      `${name}=not-a-token`,
    ]) {
      const response = await request(`${b.url}/oauth2/callback`, { headers: { cookie: bad } });
      await response.body.dump();
      expect(response.statusCode).toBe(200);
      expect(cookieOf(response.headers['set-cookie'])).toBeDefined();
    }
  });

  it('pins OAuth2 token polling ids to the cluster that issued the challenge', async () => {
    for (let i = 0; i < 3; i++) {
      const challenge = await request(`${a.url}/v1/statement`, {
        method: 'POST',
        headers: { 'x-trino-user': 'tester', 'x-trino-source': 'secure-cli' },
        body: 'SELECT 1',
      });
      await challenge.body.dump();
      expect(challenge.statusCode).toBe(401);
      const header = String(challenge.headers['www-authenticate']);
      const redirect = /x_redirect_server="([^"]+)"/.exec(header)?.[1] as string;
      const tokenServer = /x_token_server="([^"]+)"/.exec(header)?.[1] as string;
      expect(redirect.startsWith(a.url)).toBe(true);
      // The browser goes through B, the CLI polls through A and B: all reach the issuing cluster.
      const browser = await request(viaOrigin(redirect, b.url));
      expect(browser.statusCode).toBe(200);
      await browser.body.dump();
      let token: string | undefined;
      for (let poll = 0; poll < 4 && token === undefined; poll++) {
        const answer = await request(viaOrigin(tokenServer, poll % 2 === 0 ? b.url : a.url));
        expect(answer.statusCode).toBe(200);
        token = ((await answer.body.json()) as { token?: string }).token;
      }
      expect(token).toMatch(/^sim\.s[123]\./);
    }
  });
});
