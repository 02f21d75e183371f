// ServerDrain on a real listener with a keep-alive client: in-flight responses finish (with
// Connection: close when their headers are still unsent), connections close as they go idle, and
// close() resolves as soon as nothing is in flight; a client that never finishes is cut at the deadline.
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Agent, request } from 'undici';
import { ServerDrain } from './server-drain.js';

async function start() {
  const held: ServerResponse[] = [];
  const arrived: Array<() => void> = [];
  const server = createServer((req, res) => {
    if (req.url === '/hold') {
      held.push(res);
      arrived.shift()?.();
      return;
    }
    res.end('quick');
  });
  const drain = ServerDrain.attach(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const nextHeld = () => new Promise<void>((resolve) => arrived.push(resolve));
  return { server, drain, url, held, nextHeld };
}

const agent = new Agent({ connections: 4, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
afterAll(() => agent.close());

it('lets the request in flight finish with Connection: close and resolves as it ends, idle connections notwithstanding', async () => {
  const { drain, url, held, nextHeld } = await start();
  await Promise.all([1, 2, 3].map(async () => (await request(`${url}/`, { dispatcher: agent })).body.dump()));
  const arrived = nextHeld();
  const inFlight = request(`${url}/hold`, { dispatcher: agent });
  await arrived;
  const closing = drain.close(30_000);
  expect(drain.draining).toBe(true);
  expect(drain.inFlight).toBe(1);
  held[0]?.end('held');
  const answer = await inFlight;
  expect(answer.headers['connection']).toBe('close');
  expect(await answer.body.text()).toBe('held');
  expect(await closing).toEqual({ forced: false });
  expect(drain.inFlight).toBe(0);
});

it('closes a keep-alive connection as soon as a response that promised keep-alive ends', async () => {
  const { drain, url, held, nextHeld } = await start();
  const arrived = nextHeld();
  const streaming = request(`${url}/hold`, { dispatcher: agent });
  await arrived;
  held[0]?.writeHead(200).write('part,');
  const answer = await streaming;
  expect(answer.headers['connection']).toBe('keep-alive');
  const closing = drain.close(30_000);
  held[0]?.end('end');
  expect(await answer.body.text()).toBe('part,end');
  expect(await closing).toEqual({ forced: false });
});

it('cuts a client that never finishes its request at the deadline', async () => {
  const { drain, url } = await start();
  const { port } = new URL(url);
  const quiet = connect(Number(port), '127.0.0.1');
  quiet.on('error', () => {});
  await once(quiet, 'connect');
  quiet.write('GET / HTTP/1.1\r\nHost: x\r\n');
  const closed = once(quiet, 'close');
  expect(await drain.close(200)).toEqual({ forced: true });
  await closed;
});
