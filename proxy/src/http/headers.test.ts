// Hop-by-hop headers dropped and X-Forwarded-* headers added as a proxy must, in both directions.
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendSetCookie, type ForwardingOptions, stripResponseHopHeaders, upstreamRequestHeaders } from './headers.js';

// Real requests over a socket, so rawHeaders and the peer address are what Node really produces.
let server: Server;
let port: number;
let computed: (req: IncomingMessage) => string[];

beforeAll(async () => {
  server = createServer((req, res) => {
    res.end(JSON.stringify(computed(req)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.close();
});

async function upstreamHeaders(headers: Record<string, string>, options: ForwardingOptions): Promise<string[][]> {
  computed = (req) => upstreamRequestHeaders(req, options);
  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
  const flat = JSON.parse(body) as string[];
  const pairs: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([(flat[i] as string).toLowerCase(), flat[i + 1] as string]);
  return pairs;
}

const forward: ForwardingOptions = { forwardedHeaders: true, dropAcceptEncoding: false };
const value = (pairs: string[][], name: string) => pairs.filter(([n]) => n === name).map(([, v]) => v);

describe('upstreamRequestHeaders', () => {
  it('adds X-Forwarded-* from the client hop and Via, and never forwards Host', async () => {
    const pairs = await upstreamHeaders({ host: 'gateway.example:8443', 'x-trino-user': 'me' }, forward);
    expect(value(pairs, 'host')).toEqual([]);
    expect(value(pairs, 'x-trino-user')).toEqual(['me']);
    expect(value(pairs, 'x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(value(pairs, 'x-forwarded-proto')).toEqual(['http']);
    expect(value(pairs, 'x-forwarded-host')).toEqual(['gateway.example:8443']);
    expect(value(pairs, 'x-forwarded-port')).toEqual(['8443']);
    expect(value(pairs, 'via')).toEqual(['1.1 junction']);
  });

  it('keeps what a load balancer in front already set, without duplicating', async () => {
    const pairs = await upstreamHeaders(
      {
        host: 'internal:8080',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'trino.example.com',
        via: '1.1 ingress',
      },
      forward,
    );
    expect(value(pairs, 'x-forwarded-for')).toEqual(['203.0.113.9, 127.0.0.1']);
    expect(value(pairs, 'x-forwarded-proto')).toEqual(['https']);
    expect(value(pairs, 'x-forwarded-host')).toEqual(['trino.example.com']);
    // No port known for the forwarded host: Trino uses the scheme's default (https → 443).
    expect(value(pairs, 'x-forwarded-port')).toEqual([]);
    expect(value(pairs, 'via')).toEqual(['1.1 ingress, 1.1 junction']);
  });

  it('removes hop-by-hop headers and those the Connection header names', async () => {
    const pairs = await upstreamHeaders(
      { connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', te: 'trailers' },
      forward,
    );
    for (const name of ['connection', 'x-hop', 'keep-alive', 'te']) expect(value(pairs, name)).toEqual([]);
  });

  it('strips every forwarding header and adds none when forwardedHeaders is false', async () => {
    const pairs = await upstreamHeaders(
      { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-prefix': '/x', forwarded: 'for=1.2.3.4' },
      { forwardedHeaders: false, dropAcceptEncoding: false },
    );
    expect(pairs.filter(([name = '']) => name.startsWith('x-forwarded') || name === 'forwarded')).toEqual([]);
  });

  it('adds the prefix-routing segment after any prefix a proxy in front set', async () => {
    const own = await upstreamHeaders({}, { ...forward, prefix: '/_c/blue' });
    expect(value(own, 'x-forwarded-prefix')).toEqual(['/_c/blue']);
    const behind = await upstreamHeaders({ 'x-forwarded-prefix': '/trino/' }, { ...forward, prefix: '/_c/blue' });
    expect(value(behind, 'x-forwarded-prefix')).toEqual(['/trino/_c/blue']);
    const passed = await upstreamHeaders({ 'x-forwarded-prefix': '/trino' }, forward);
    expect(value(passed, 'x-forwarded-prefix')).toEqual(['/trino']);
  });

  it('drops Accept-Encoding only when asked (the statement POST, whose body the proxy reads)', async () => {
    const headers = { 'accept-encoding': 'gzip' };
    expect(value(await upstreamHeaders(headers, forward), 'accept-encoding')).toEqual(['gzip']);
    expect(value(await upstreamHeaders(headers, { ...forward, dropAcceptEncoding: true }), 'accept-encoding')).toEqual(
      [],
    );
  });
});

describe('response headers', () => {
  it('strips hop-by-hop headers and keeps the rest', () => {
    const headers: Record<string, string | string[] | undefined> = {
      connection: 'close, x-private',
      'x-private': 'a',
      'transfer-encoding': 'chunked',
      'content-type': 'application/json',
    };
    stripResponseHopHeaders(headers);
    expect(headers).toEqual({ 'content-type': 'application/json' });
  });

  it("adds a Set-Cookie without losing the cluster's own", () => {
    const headers: Record<string, string | string[] | undefined> = { 'set-cookie': 'a=1' };
    appendSetCookie(headers, 'TG.OAUTH2=x');
    appendSetCookie(headers, 'b=2');
    expect(headers['set-cookie']).toEqual(['a=1', 'TG.OAUTH2=x', 'b=2']);
  });
});
