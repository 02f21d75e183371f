// The operator's /readyz body and status codes on a real socket (the shared admin server does the rest).
import type { Server } from 'node:http';
import { AdminAuth, closeAdminServer, createAdminAuthenticator, listenAdminServer } from '@junction/shared';
import { createOperatorAdminServer } from './admin.js';
import { OperatorMetrics } from './metrics.js';

let server: Server;
let url: string;
let reasons: string[];

beforeEach(async () => {
  reasons = [];
  server = createOperatorAdminServer({
    metrics: new OperatorMetrics(),
    auth: createAdminAuthenticator(AdminAuth.parse({})),
    notReadyReasons: () => reasons,
    role: () => ({ identity: 'op-1', leader: false, currentLeader: 'op-0' }),
  });
  url = await listenAdminServer(server, '127.0.0.1', 0);
});

afterEach(() => closeAdminServer(server));

test('/readyz: ready with the role, or 503 with the reasons', async () => {
  let response = await fetch(`${url}/readyz`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    status: 'ready',
    reasons: [],
    identity: 'op-1',
    leader: false,
    currentLeader: 'op-0',
  });
  reasons = ['TrinoCluster cache not synced'];
  response = await fetch(`${url}/readyz`);
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({
    status: 'not ready',
    reasons: ['TrinoCluster cache not synced'],
    identity: 'op-1',
    leader: false,
    currentLeader: 'op-0',
  });
});

test('/livez and /metrics open, any other path behind authentication (401 before 404), 405', async () => {
  expect(await (await fetch(`${url}/livez`)).json()).toEqual({ status: 'ok' });
  const metrics = await fetch(`${url}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toContain('junction_operator_leader');
  // By default authentication is required and no credentials are configured: nothing past the open
  // paths is served, and an unknown path is not told apart from a known one.
  const missing = await fetch(`${url}/nope`);
  expect(missing.status).toBe(401);
  expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="junction-admin"');
  expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('admin.auth.tokensFile');
  const post = await fetch(`${url}/readyz`, { method: 'POST' });
  expect(post.status).toBe(405);
  expect(await post.json()).toEqual({ error: { code: 405, message: 'only GET is supported' } });
});
