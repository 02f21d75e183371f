// The history views over a real admin socket: history switched off answers an empty page (not an
// error), other paths are left to the other views, and a malformed id is refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeAdminServer, sendJson } from '@junction/shared';
import { request } from 'undici';
import { serveHistory } from './admin-views.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    void serveHistory(undefined, path, req, res).then((served) => {
      if (!served) sendJson(res, 404, { other: path });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => closeAdminServer(server));

const get = async (path: string) => {
  const response = await request(`${base}${path}`);
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
};

test('history off: an empty page and no record, parameters still checked', async () => {
  await expect(get('/api/v1/history?user=alice')).resolves.toEqual({
    status: 200,
    body: { records: [], nextCursor: null },
  });
  expect((await get('/api/v1/history/20250101_000000_00001_abcde')).status).toBe(404);
  expect((await get('/api/v1/history?limit=x')).status).toBe(400);
});

test('other paths are not history; a malformed id is a 400 naming queryId', async () => {
  await expect(get('/api/v1/historyx')).resolves.toEqual({ status: 404, body: { other: '/api/v1/historyx' } });
  const bad = await get('/api/v1/history/not%20an%20id');
  expect(bad.status).toBe(400);
  expect(bad.body['error']).toMatchObject({ parameter: 'queryId' });
  expect((await get('/api/v1/history/%E0%A4%A')).status).toBe(400);
});
