// SIGTERM with real keep-alive clients: the proxy process lets in-flight requests finish, answers
// with `Connection: close` while it drains, closes each connection as soon as it goes idle and exits 0
// as soon as nothing is in flight — not when the drain timeout (30 s here) runs out.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Agent, request } from 'undici';
import { clusterResource, groupResource, type ProxyProcess, spawnProxy, Workspace } from '../harness/proxy.js';
import { eventually } from '../harness/wait.js';

const DRAIN_TIMEOUT_MS = 30_000;
/** Exit after the last response, on a loaded 2-core machine; an order of magnitude under the timeout. */
const PROMPT_EXIT_MS = 3_000;

/** A coordinator stand-in whose /ui/hold/<name> answers only when the test says so. */
class HoldingBackend {
  readonly server: Server;
  readonly #held = new Map<string, ServerResponse>();
  readonly #waiting = new Map<string, () => void>();

  constructor() {
    this.server = createServer((req, res) => this.#handle(req, res));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once the request /ui/hold/<name> has arrived. */
  arrived(name: string): Promise<void> {
    if (this.#held.has(name)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.set(name, resolve));
  }

  /** The held response: headers not sent yet. */
  response(name: string): ServerResponse {
    const res = this.#held.get(name);
    if (res === undefined) throw new Error(`no held request ${name}`);
    return res;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const held = /^\/ui\/hold\/([\w-]+)$/.exec(req.url ?? '');
    if (held?.[1] === undefined) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    this.#held.set(held[1], res);
    this.#waiting.get(held[1])?.();
  }
}

let backend: HoldingBackend;
let workspace: Workspace;
/** Keeps idle connections for a minute, so only the proxy can end them. */
let agent: Agent;

beforeAll(async () => {
  backend = new HoldingBackend();
  backend.server.listen(0, '127.0.0.1');
  await once(backend.server, 'listening');
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: backend.url, labels: { pool: 'adhoc' }, healthCheck: { type: 'None' } }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  agent = new Agent({ connections: 8, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
});

afterAll(async () => {
  await agent.close();
  backend.server.closeAllConnections();
  backend.server.close();
  workspace.remove();
});

async function startProxy(name: string): Promise<ProxyProcess> {
  const config = workspace.config();
  const proxy = await spawnProxy(
    workspace.writeConfig({ ...config, server: { ...config.server, drainTimeout: `${DRAIN_TIMEOUT_MS}ms` } }, name),
  );
  await eventually(async () => (await request(`${proxy.adminUrl}/readyz`)).statusCode === 200);
  return proxy;
}

/** Opens `count` keep-alive connections to the proxy and leaves them idle in the agent's pool. */
async function idleConnections(proxy: ProxyProcess, count: number): Promise<void> {
  const answers = await Promise.all(
    Array.from({ length: count }, () => request(`${proxy.url}/v1/info`, { dispatcher: agent })),
  );
  for (const answer of answers) {
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['connection']).toBe('keep-alive');
    await answer.body.dump();
  }
}

/** Sends SIGTERM and waits until the proxy reports that it drains; `exit` resolves with its exit code. */
async function sigtermAndWaitForDrain(proxy: ProxyProcess): Promise<{ exit: Promise<number | null> }> {
  const exit = proxy.stop('SIGTERM');
  await eventually(async () => {
    try {
      return (await request(`${proxy.adminUrl}/readyz`)).statusCode === 503;
    } catch {
      return true; // already gone
    }
  });
  return { exit };
}

async function exitWithin(exit: Promise<number | null>, from: number): Promise<number> {
  const code = await exit;
  const took = performance.now() - from;
  expect(code).toBe(0);
  return took;
}

it('a request in flight at SIGTERM finishes with Connection: close; idle keep-alive connections do not hold the exit', async () => {
  const proxy = await startProxy('in-flight.yaml');
  await idleConnections(proxy, 4);
  const inFlight = request(`${proxy.url}/ui/hold/a`, { dispatcher: agent });
  await backend.arrived('a');
  const { exit } = await sigtermAndWaitForDrain(proxy);

  const released = performance.now();
  backend.response('a').writeHead(200, { 'content-type': 'text/plain' }).end('done');
  const answer = await inFlight;
  expect(answer.statusCode).toBe(200);
  expect(answer.headers['connection']).toBe('close');
  expect(await answer.body.text()).toBe('done');
  const took = await exitWithin(exit, released);
  process.stdout.write(`SIGTERM, request in flight: exit 0 ${took.toFixed(0)} ms after its response\n`);
  expect(took).toBeLessThan(PROMPT_EXIT_MS);
  expect(proxy.output()).not.toContain('drain timeout');
}, 45_000);

it('a response streaming at SIGTERM (keep-alive already promised) ends intact and its connection closes as it goes idle', async () => {
  const proxy = await startProxy('streaming.yaml');
  await idleConnections(proxy, 2);
  const streaming = request(`${proxy.url}/ui/hold/b`, { dispatcher: agent });
  await backend.arrived('b');
  const res = backend.response('b');
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.write(Buffer.alloc(64 * 1024, 1));
  const answer = await streaming;
  expect(answer.headers['connection']).toBe('keep-alive');
  const body = answer.body.arrayBuffer();
  const { exit } = await sigtermAndWaitForDrain(proxy);

  const released = performance.now();
  res.end(Buffer.alloc(64 * 1024, 2));
  const bytes = Buffer.from(await body);
  expect(bytes.length).toBe(128 * 1024);
  expect(bytes[0]).toBe(1);
  expect(bytes[bytes.length - 1]).toBe(2);
  const took = await exitWithin(exit, released);
  process.stdout.write(`SIGTERM, response streaming: exit 0 ${took.toFixed(0)} ms after it ended\n`);
  expect(took).toBeLessThan(PROMPT_EXIT_MS);
  expect(proxy.output()).not.toContain('drain timeout');
}, 45_000);

it('a request that arrives during the drain on a busy connection is served with Connection: close', async () => {
  const proxy = await startProxy('pipelined.yaml');
  const { hostname, port } = new URL(proxy.url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = once(socket, 'close');
  const head = `Host: ${hostname}:${port}\r\nX-Trino-User: tester\r\n\r\n`;
  socket.write(`GET /ui/hold/c HTTP/1.1\r\n${head}`);
  await backend.arrived('c');
  const first = backend.response('c');
  first.writeHead(200, { 'content-type': 'text/plain', 'content-length': 8 });
  first.write('held');
  await eventually(() => received.endsWith('\r\n\r\nheld'));
  const { exit } = await sigtermAndWaitForDrain(proxy);
  // Pipelined behind the streaming response (whose headers promised keep-alive), read during the drain.
  socket.write(`GET /ui/hold/d HTTP/1.1\r\n${head}`);
  await backend.arrived('d');
  first.end('-end');
  const released = performance.now();
  backend.response('d').writeHead(200, { 'content-type': 'text/plain', 'content-length': 4 }).end('next');
  await closed;
  const responses = received.split(/(?=HTTP\/1\.1 )/);
  expect(responses).toHaveLength(2);
  expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
  expect(responses[0]).toMatch(/\r\nconnection: keep-alive\r\n/i);
  expect(responses[0]).toMatch(/\r\n\r\nheld-end$/);
  expect(responses[1]).toMatch(/^HTTP\/1\.1 200 /);
  expect(responses[1]).toMatch(/\r\nconnection: close\r\n/i);
  expect(responses[1]).toMatch(/\r\n\r\nnext$/);
  const took = await exitWithin(exit, released);
  expect(took).toBeLessThan(PROMPT_EXIT_MS);
}, 45_000);
