// The shared admin listener on a real socket: methods, the built-in endpoints, a program's own routes,
// failures as JSON, and listening/closing.
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import {
  type AdminServerOptions,
  closeAdminServer,
  createAdminServer,
  listenAdminServer,
  type Readiness,
  sendJson,
} from './admin-server.js';

const metrics = {
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  metrics: async () => 'junction_up 1\n',
};

let server: Server | undefined;
let url: string;

async function start(options: Partial<AdminServerOptions> = {}): Promise<void> {
  server = createAdminServer({ metrics, readiness: () => ({ ready: true, body: { status: 'ready' } }), ...options });
  url = await listenAdminServer(server, '127.0.0.1', 0);
}

afterEach(async () => {
  if (server) await closeAdminServer(server);
  server = undefined;
});

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${url}${path}`, init);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

test('listens on a free port and resolves its URL', async () => {
  await start();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('/livez, and JSON sent with type, length and no-store', async () => {
  await start();
  const response = await fetch(`${url}/livez`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const text = await response.text();
  expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
  expect(JSON.parse(text)).toEqual({ status: 'ok' });
});

test('/readyz sends the readiness body as is, 200 when ready and 503 when not', async () => {
  let readiness: Readiness = { ready: true, body: { status: 'ready', reasons: [], degraded: ['redis connecting'] } };
  await start({ readiness: () => readiness });
  expect(await json('/readyz')).toMatchObject({
    status: 200,
    body: { status: 'ready', reasons: [], degraded: ['redis connecting'] },
  });
  readiness = { ready: false, body: { status: 'not ready', reasons: ['cache not synced'] } };
  expect(await json('/readyz?verbose=1')).toMatchObject({
    status: 503,
    body: { status: 'not ready', reasons: ['cache not synced'] },
  });
});

test('/readyz may answer asynchronously', async () => {
  await start({ readiness: async () => ({ ready: false, body: { status: 'not ready' } }) });
  expect(await json('/readyz')).toMatchObject({ status: 503, body: { status: 'not ready' } });
});

test('/metrics serves the registry in its own content type; a failing collection is 500 JSON', async () => {
  await start();
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(metrics.contentType);
  expect(await response.text()).toBe('junction_up 1\n');
  await closeAdminServer(server as Server);

  await start({ metrics: { contentType: 'text/plain', metrics: () => Promise.reject(new Error('boom')) } });
  expect(await json('/metrics')).toEqual({
    status: 500,
    body: { error: { code: 500, message: 'collecting metrics failed' } },
    headers: expect.anything(),
  });
});

test('anything but GET and HEAD is 405; HEAD answers without a body', async () => {
  await start();
  for (const method of ['POST', 'PUT', 'DELETE']) {
    expect(await json('/livez', { method })).toMatchObject({
      status: 405,
      body: { error: { code: 405, message: 'only GET is supported' } },
    });
  }
  const head = await fetch(`${url}/livez`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(await head.text()).toBe('');
});

test("a program's routes answer its paths; others are 404 JSON", async () => {
  const seen: string[] = [];
  await start({
    routes: async (path, req, res) => {
      seen.push(`${req.method} ${path}`);
      if (path !== '/api/v1/clusters') return false;
      sendJson(res, 200, [{ name: 'blue' }]);
      return true;
    },
  });
  expect(await json('/api/v1/clusters?x=1')).toMatchObject({ status: 200, body: [{ name: 'blue' }] });
  expect(await json('/api/v1/nothing')).toMatchObject({
    status: 404,
    body: { error: { code: 404, message: 'no admin endpoint /api/v1/nothing' } },
  });
  // Built-in endpoints are answered before routes are asked.
  await json('/livez');
  expect(seen).toEqual(['GET /api/v1/clusters', 'GET /api/v1/nothing']);
});

test('without routes every other path is 404 JSON', async () => {
  await start();
  expect(await json('/')).toMatchObject({
    status: 404,
    body: { error: { code: 404, message: 'no admin endpoint /' } },
  });
});

test('a route or readiness that throws is 500 JSON; one that fails mid-response cuts the connection', async () => {
  await start({
    readiness: () => {
      throw new Error('no state yet');
    },
    routes: async (path, _req, res) => {
      if (path === '/sync') throw new Error('boom');
      if (path === '/async') return Promise.reject(new Error('boom'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      throw new Error('failed after the headers');
    },
  });
  const failed = { status: 500, body: { error: { code: 500, message: 'admin endpoint failed' } } };
  expect(await json('/sync')).toMatchObject(failed);
  expect(await json('/async')).toMatchObject(failed);
  expect(await json('/readyz')).toMatchObject(failed);
  await expect(fetch(`${url}/partial`).then((response) => response.text())).rejects.toThrow();
});

test('listening on a port in use rejects', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  const admin = createAdminServer({ metrics, readiness: () => ({ ready: true, body: {} }) });
  try {
    await expect(listenAdminServer(admin, '127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  } finally {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  }
});

test('closing ends keep-alive connections too', async () => {
  await start();
  await fetch(`${url}/livez`, { headers: { connection: 'keep-alive' } });
  await closeAdminServer(server as Server);
  server = undefined;
  await expect(fetch(`${url}/livez`)).rejects.toThrow();
});
