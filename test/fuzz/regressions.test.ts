// What the fuzzer (client-input.test.ts) found, kept as plain deterministic tests.
import { once } from 'node:events';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { GatewayConfig } from '@junction/shared';
import { request } from 'undici';
import winston from 'winston';
import { type RunningProxy, startProxy } from '../../proxy/src/app.js';
import { SimTrino } from '../fixtures/sim-trino.js';
import { clusterResource, groupResource, Workspace } from '../harness/proxy.js';
import { eventually } from '../harness/wait.js';

let blue: SimTrino;
let workspace: Workspace;
let proxy: RunningProxy;
const logs: string[] = [];

beforeAll(async () => {
  blue = await SimTrino.start({ name: 'blue' });
  workspace = new Workspace();
  workspace.writeResources([
    clusterResource('blue', { url: blue.url, labels: { pool: 'adhoc' } }),
    groupResource('adhoc', { matchLabels: { pool: 'adhoc' }, default: true }),
  ]);
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = winston.createLogger({ level: 'warn', transports: [new winston.transports.Stream({ stream })] });
  proxy = await startProxy(GatewayConfig.parse(workspace.config()), logger);
  await proxy.health.firstRound;
});

afterAll(async () => {
  await proxy?.close();
  await blue?.close();
  workspace?.remove();
});

async function submits(statusClass: string): Promise<number> {
  const text = await (await request(`${proxy.adminUrl}/metrics`)).body.text();
  const prefix = `junction_requests_total{kind="submit",status_class="${statusClass}"}`;
  return Number(
    text
      .split('\n')
      .find((line) => line.startsWith(prefix))
      ?.split(' ')
      .pop() ?? 0,
  );
}

it('a client that aborts its statement POST mid-body is its own doing, not an unexpected error (was: logged at error level, 500)', async () => {
  const before = (await submits('4xx')) + (await submits('5xx'));
  const { hostname, port } = new URL(proxy.url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => {
    received += chunk;
  });
  // Expect: 100-continue makes the proxy say when its handler is reading the body.
  socket.write(
    `POST /v1/statement HTTP/1.1\r\nhost: ${hostname}:${port}\r\nx-trino-user: me\r\n` +
      'content-length: 1000\r\nexpect: 100-continue\r\n\r\n',
  );
  await eventually(() => received.startsWith('HTTP/1.1 100 Continue'));
  socket.write('SELECT ');
  socket.resetAndDestroy();
  await eventually(async () => (await submits('4xx')) + (await submits('5xx')) > before);
  expect(await submits('5xx')).toBe(0);
  expect(logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  expect(blue.records.filter((record) => record.method === 'POST')).toEqual([]);
});
