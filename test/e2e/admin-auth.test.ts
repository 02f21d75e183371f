// The admin port's authentication on real sockets: open paths without a token; missing, wrong, rotated
// and revoked static tokens; OpenID Connect ID tokens from a local test issuer (discovery + JWKS) —
// valid, expired, for another audience, signed by another key; the default with nothing configured;
// and the denials counted by reason. The Trino port never asks for admin credentials.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { RunningProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, eventually, groupResource, startInProcess, Workspace } from '../harness/proxy.js';
import { runQuery } from '../harness/trino-http.js';

let sim: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;
let issuer: { url: string; server: Server; sign: (claims: object, expiresIn?: string) => Promise<string> };
let stranger: (claims: object) => Promise<string>;
let tokensFile: string;

/** A minimal OIDC issuer: discovery document and JWKS over HTTP, RS256 ID tokens signed in-process. */
async function startIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body =
      req.url === '/.well-known/openid-configuration'
        ? { issuer: base, jwks_uri: `${base}/jwks` }
        : req.url === '/jwks'
          ? { keys: [jwk] }
          : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (claims: object, expiresIn = '5m') =>
    new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(url)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  return { url, server, sign };
}

beforeAll(async () => {
  sim = await SimTrino.start({ name: 'blue' });
  issuer = await startIssuer();
  const other = await generateKeyPair('RS256');
  stranger = (claims) =>
    new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(issuer.url)
      .setExpirationTime('5m')
      .sign(other.privateKey);
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: sim.url, labels: { pool: 'adhoc' } }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  tokensFile = `${workspace.dir}/admin-tokens`;
  writeFileSync(tokensFile, '# rotated by editing this file\nci: first-token-0123456789\n');
  proxy = await startInProcess(
    workspace.config({
      admin: {
        host: '127.0.0.1',
        port: 0,
        auth: {
          tokensFile,
          reloadInterval: '100ms',
          oidc: { issuer: issuer.url, audience: 'junction-dashboard' },
        },
      },
    }),
  );
});

afterAll(async () => {
  await proxy.close();
  await sim.close();
  await new Promise((done) => issuer.server.close(done));
  workspace.remove();
});

async function admin(path: string, token?: string) {
  const response = await fetch(`${proxy.adminUrl}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  return { status: response.status, challenge: response.headers.get('www-authenticate'), text };
}

async function denied(reason: string): Promise<number> {
  const text = (await admin('/metrics')).text;
  const line = text.split('\n').find((row) => row.startsWith(`junction_admin_denied_total{reason="${reason}"}`));
  return Number(line?.split(' ').pop() ?? 0);
}

test('probes and Prometheus need no token; the Trino port needs no admin credentials', async () => {
  for (const path of ['/livez', '/readyz', '/metrics']) expect((await admin(path)).status).toBe(200);
  expect((await runQuery(proxy.url, 'SELECT 1')).state).toBe('FINISHED');
});

test('a missing or wrong token gets 401 JSON with a Bearer challenge, and is counted', async () => {
  const [missingBefore, invalidBefore] = [await denied('missing'), await denied('invalid')];
  const missing = await admin('/api/v1/clusters');
  expect(missing.status).toBe(401);
  expect(missing.challenge).toBe('Bearer realm="junction-admin"');
  expect(JSON.parse(missing.text)).toEqual({ error: { code: 401, message: 'a bearer token is required' } });
  const wrong = await admin('/api/v1/clusters', 'first-token-0123456780');
  expect(wrong.status).toBe(401);
  expect(wrong.challenge).toBe('Bearer realm="junction-admin", error="invalid_token"');
  expect(wrong.text).not.toContain('first-token');
  // Unknown paths are not told apart from known ones without credentials.
  expect((await admin('/api/v1/no-such-view')).status).toBe(401);
  expect(await denied('missing')).toBe(missingBefore + 2);
  expect(await denied('invalid')).toBe(invalidBefore + 1);
});

test('a listed token reads the views; a rotated file takes effect without a restart', async () => {
  const ok = await admin('/api/v1/clusters', 'first-token-0123456789');
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.text)[0].name).toBe('blue');

  // Rotation step 1: old and new side by side; step 2: old removed.
  writeFileSync(tokensFile, 'ci: first-token-0123456789\nci-next: second-token-9876543210\n');
  await eventually(async () => (await admin('/api/v1/clusters', 'second-token-9876543210')).status === 200, 10_000);
  expect((await admin('/api/v1/clusters', 'first-token-0123456789')).status).toBe(200);
  writeFileSync(tokensFile, 'ci-next: second-token-9876543210\n');
  await eventually(async () => (await admin('/api/v1/clusters', 'first-token-0123456789')).status === 401, 10_000);
  expect((await admin('/api/v1/clusters', 'second-token-9876543210')).status).toBe(200);
});

test('OIDC: a valid ID token is accepted; expired, other-audience and foreign-signed ones are not', async () => {
  const valid = await issuer.sign({ sub: 'u-1', email: 'ana@example.com', aud: 'junction-dashboard' });
  expect((await admin('/api/v1/groups', valid)).status).toBe(200);

  const expiredBefore = await denied('expired');
  const expired = await issuer.sign({ sub: 'u-1', aud: 'junction-dashboard' }, '-1m');
  const answer = await admin('/api/v1/groups', expired);
  expect(answer.status).toBe(401);
  expect(JSON.parse(answer.text).error.message).toBe('the token has expired');
  expect(await denied('expired')).toBe(expiredBefore + 1);

  const otherAudience = await issuer.sign({ sub: 'u-1', aud: 'another-app' });
  expect((await admin('/api/v1/groups', otherAudience)).status).toBe(401);
  const foreign = await stranger({ sub: 'u-1', aud: 'junction-dashboard' });
  expect((await admin('/api/v1/groups', foreign)).status).toBe(401);
});

test('the default, with no credentials configured, opens nothing past the open paths and says what to set', async () => {
  const closed = await startInProcess({ ...workspace.config(), admin: { host: '127.0.0.1', port: 0 } });
  try {
    const response = await fetch(`${closed.adminUrl}/api/v1/clusters`);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('admin.auth.tokensFile or admin.auth.oidc');
    expect((await fetch(`${closed.adminUrl}/readyz`)).status).toBe(200);
  } finally {
    await closed.close();
  }
});
