// The small parts of the queue: stored requests and responses round-trip byte for byte, slugs verify
// only for their id and survive a change of secret, and queued URIs parse strictly.

import type { IncomingMessage } from 'node:http';
import { parseQueuedUri } from './queued-pages.js';
import { QueueSlugs } from './slugs.js';
import { loadRequest, loadResponse, storeRequest, storeResponse } from './stored.js';

describe('stored answers', () => {
  test('a response with a binary body round-trips', () => {
    const body = Buffer.from([0, 1, 2, 255, 254, 0x7b]);
    const headers = { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] };
    expect(loadResponse(storeResponse({ statusCode: 401, headers, body }))).toEqual({ statusCode: 401, headers, body });
  });

  test('a stored request keeps its target, raw headers, client hop and body', () => {
    const head = Buffer.from(
      JSON.stringify({
        target: '/v1/statement',
        rawHeaders: ['X-Trino-User', 'alice'],
        client: { remoteAddress: '10.0.0.1', encrypted: true },
      }),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32BE(head.length);
    const stored = loadRequest(Buffer.concat([length, head, Buffer.from('SELECT 1')]));
    expect(stored).toEqual({
      target: '/v1/statement',
      rawHeaders: ['X-Trino-User', 'alice'],
      client: { remoteAddress: '10.0.0.1', encrypted: true },
      body: Buffer.from('SELECT 1'),
    });
  });
});

describe('storeRequest', () => {
  test("an external routing service's headers replace the client's of the same name in the stored request", () => {
    const req = {
      rawHeaders: ['X-Trino-User', 'alice', 'X-Trino-Client-Tags', 'from-client'],
      socket: { remoteAddress: '10.0.0.1', encrypted: false },
    } as unknown as IncomingMessage;
    const stored = loadRequest(
      storeRequest(req, '/v1/statement', Buffer.from('SELECT 1'), { 'x-trino-client-tags': 'routed' }),
    );
    expect(stored.rawHeaders).toEqual(['X-Trino-User', 'alice', 'x-trino-client-tags', 'routed']);
    expect(stored.body.toString()).toBe('SELECT 1');
    expect(loadRequest(storeRequest(req, '/v1/statement', Buffer.alloc(0))).rawHeaders).toEqual(req.rawHeaders);
  });
});

describe('QueueSlugs', () => {
  test('a slug verifies for its id only, and for the secret it was made with', () => {
    const slugs = new QueueSlugs(Buffer.from('one'));
    const slug = slugs.slug('20261203_180702_00004_jqaaaaaaaaaa');
    expect(slug).toMatch(/^y[0-9a-f]{32}$/);
    expect(slugs.verify('20261203_180702_00004_jqaaaaaaaaaa', slug)).toBe(true);
    expect(slugs.verify('20261203_180702_00004_jqaaaaaaaaab', slug)).toBe(false);
    expect(slugs.verify('20261203_180702_00004_jqaaaaaaaaaa', `${slug}0`)).toBe(false);
    expect(new QueueSlugs(Buffer.from('two')).verify('20261203_180702_00004_jqaaaaaaaaaa', slug)).toBe(false);
  });

  test('after adopting the shared secret, slugs signed before still verify and new ones use the shared secret', () => {
    const slugs = new QueueSlugs(Buffer.from('own'));
    const before = slugs.slug('id');
    slugs.adopt(Buffer.from('shared'));
    expect(slugs.verify('id', before)).toBe(true);
    expect(slugs.slug('id')).toBe(new QueueSlugs(Buffer.from('shared')).slug('id'));
  });
});

describe('parseQueuedUri', () => {
  test.each([
    ['/v1/statement/queued/abc/yslug/3', { id: 'abc', slug: 'yslug', token: 3 }],
    ['/v1/statement/queued/abc/yslug', undefined],
    ['/v1/statement/queued/abc/yslug/3/extra', undefined],
    ['/v1/statement/queued/abc/yslug/-1', undefined],
    ['/v1/statement/executing/abc/yslug/3', undefined],
  ])('%s', (path, parsed) => {
    expect(parseQueuedUri(path)).toEqual(parsed);
  });
});
