// A page's first bytes tell whether the query goes on; PageEndWatch calls back only for a real end.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { CANCELLED, FORGOTTEN, lastPageEnd, type PageEnd, PageEndWatch, pageEnds, watchQuery } from './page-end.js';

const page = (fields: string) =>
  Buffer.from(`{"id":"20261203_180702_00004_abcde","infoUri":"http://gw/ui/q",${fields}}`);

describe('pageEnds', () => {
  test.each([
    ['"nextUri":"http://gw/v1/statement/executing/x/y/2","columns":[],"data":[[1]]', 'more'],
    ['"partialCancelUri":"http://gw/p","nextUri":"http://gw/n","stats":{}', 'more'],
    ['"columns":[{"name":"a"}],"data":[[1]],"stats":{"state":"FINISHED"}', 'last'],
    ['"stats":{"state":"FINISHED"},"warnings":[]', 'last'],
    ['"error":{"errorName":"X"},"stats":{}', 'last'],
  ])('%s → %s', (fields, verdict) => {
    expect(pageEnds(page(fields))).toBe(verdict);
  });

  test('undecided while neither key has arrived', () => {
    expect(pageEnds(Buffer.from('{"id":"20261203_180702_00004_abcde","infoU'))).toBeUndefined();
  });
});

describe('PageEndWatch', () => {
  function watch(status: number, chunks: string[], complete = true): boolean {
    let ended = false;
    const observer = new PageEndWatch(() => {
      ended = true;
    });
    observer.start(status, undefined);
    for (const chunk of chunks) if (!observer.data(Buffer.from(chunk))) break;
    observer.end(complete);
    return ended;
  }

  test('a last page ends the query, also when its head arrives in pieces', () => {
    const text = page('"columns":[],"stats":{"state":"FINISHED"}').toString();
    expect(watch(200, [text])).toBe(true);
    expect(watch(200, [text.slice(0, 20), text.slice(20, 50), text.slice(50)])).toBe(true);
  });

  test('a page with a nextUri does not; nor does a cut response or a 5xx', () => {
    expect(watch(200, [page('"nextUri":"http://gw/n","data":[]').toString()])).toBe(false);
    expect(watch(200, [page('"stats":{}').toString()], false)).toBe(false);
    expect(watch(502, ['bad gateway'])).toBe(false);
  });

  test('404 and 410 mean the cluster no longer knows the query', () => {
    expect(watch(404, ['Query not found'])).toBe(true);
    expect(watch(410, ['gone'])).toBe(true);
  });
});

describe('what a page says about its end', () => {
  function watched(status: number, chunks: string[]): { ends: PageEnd[]; rows: number } {
    const seen = { ends: [] as PageEnd[], rows: 0 };
    const observer = new PageEndWatch([
      { ended: (end) => seen.ends.push(end), rows: () => seen.rows++ },
      { ended: (end) => seen.ends.push(end) },
    ]);
    observer.start(status, undefined);
    for (const chunk of chunks) if (!observer.data(Buffer.from(chunk))) break;
    observer.end(true);
    return seen;
  }

  test('the final state and the error name, every listener told once', () => {
    const failed = page(
      '"stats":{"state":"FAILED","queued":false},"error":{"message":"line 1:1: \\"errorName\\": x","errorCode":1,"errorName":"SYNTAX_ERROR"}',
    ).toString();
    expect(watched(200, [failed]).ends).toEqual([
      { state: 'FAILED', errorName: 'SYNTAX_ERROR' },
      { state: 'FAILED', errorName: 'SYNTAX_ERROR' },
    ]);
    // Split in small pieces, the keys straddling chunks.
    const pieces = failed.match(/.{1,7}/g) ?? [];
    expect(watched(200, pieces).ends[0]).toEqual({ state: 'FAILED', errorName: 'SYNTAX_ERROR' });
    expect(lastPageEnd(Buffer.from(failed))).toEqual({ state: 'FAILED', errorName: 'SYNTAX_ERROR' });
  });

  test('a last page whose state lies past many rows is still read', () => {
    const rows = JSON.stringify(Array.from({ length: 2000 }, (_, i) => [i, 'row']));
    const text = page(`"columns":[],"data":${rows},"stats":{"state":"FINISHED"}`).toString();
    expect(watched(200, text.match(/.{1,1000}/g) ?? []).ends[0]).toEqual({ state: 'FINISHED' });
  });

  test('rows on a page that goes on; none on a page without data', () => {
    expect(watched(200, [page('"nextUri":"http://gw/n","columns":[],"data":[[1]]').toString()])).toEqual({
      ends: [],
      rows: 1,
    });
    expect(watched(200, [page('"nextUri":"http://gw/n","stats":{}').toString()]).rows).toBe(0);
    // A column named "data" is no data.
    const named = page('"nextUri":"http://gw/n","columns":[{"name":"data","type":"varchar"}],"stats":{}');
    expect(watched(200, [named.toString()]).rows).toBe(0);
  });

  test('404: the cluster forgot the query; DELETE cancels, a partial cancel does not', () => {
    expect(watched(404, ['gone']).ends[0]).toEqual(FORGOTTEN);
    const ends: PageEnd[] = [];
    const listener = { ended: (end: PageEnd) => ends.push(end) };
    watchQuery('DELETE', '/v1/statement/executing/x/y/1', [listener])?.end(true);
    expect(ends).toEqual([CANCELLED]);
    expect(watchQuery('DELETE', '/v1/statement/executing/partialCancel/x/1/y/1', [listener])).toBeUndefined();
    expect(watchQuery('GET', '/v1/statement/executing/x/y/1', [])).toBeUndefined();
  });
});

describe('PageEndWatch on compressed pages', () => {
  const encoders: [string, (plain: Buffer) => Buffer][] = [
    ['gzip', (plain) => gzipSync(plain)],
    ['deflate', (plain) => deflateSync(plain)],
    ['br', (plain) => brotliCompressSync(plain)],
  ];
  const rows = Array.from({ length: 3000 }, (_, i) => `[${i},"row ${i}"]`).join(',');
  const lastPage = page(`"columns":[{"name":"a"}],"data":[${rows}],"stats":{"state":"FINISHED"}`);
  const morePage = page(`"nextUri":"http://gw/v1/statement/executing/x/y/2","columns":[],"data":[${rows}]`);

  async function watch(encoding: string, body: Buffer, pieces: number, complete = true): Promise<boolean> {
    let ended = false;
    const observer = new PageEndWatch(() => {
      ended = true;
    });
    observer.start(200, encoding);
    const size = Math.ceil(body.length / pieces);
    for (let at = 0; at < body.length; at += size) if (!observer.data(body.subarray(at, at + size))) break;
    await observer.end(complete);
    return ended;
  }

  test.each(encoders)('%s: a last page ends the query, whole or in small pieces', async (name, encode) => {
    expect(await watch(name, encode(lastPage), 1)).toBe(true);
    expect(await watch(name, encode(lastPage), 200)).toBe(true);
  });

  test.each(encoders)('%s: a page with a nextUri does not, nor does a cut last page', async (name, encode) => {
    expect(await watch(name, encode(morePage), 1)).toBe(false);
    expect(await watch(name, encode(morePage), 50)).toBe(false);
    expect(await watch(name, encode(lastPage), 1, false)).toBe(false);
  });

  test('an encoding Junction cannot read, or a corrupt body, decides nothing', async () => {
    expect(await watch('zstd', lastPage, 1)).toBe(false);
    expect(await watch('gzip', Buffer.from('not gzip at all, just text'), 1)).toBe(false);
  });

  test.each(encoders)(
    '%s: the final state and error name of a compressed last page reach the listeners',
    async (name, encode) => {
      const ends: PageEnd[] = [];
      const observer = new PageEndWatch({ ended: (end) => ends.push(end) });
      observer.start(200, name);
      const failed = page(
        `"columns":[],"data":[${rows}],"error":{"errorName":"EXCEEDED_TIME_LIMIT"},"stats":{"state":"FAILED"}`,
      );
      const body = encode(failed);
      for (let at = 0; at < body.length; at += 500) if (!observer.data(body.subarray(at, at + 500))) break;
      await observer.end(true);
      expect(ends).toEqual([{ state: 'FAILED', errorName: 'EXCEEDED_TIME_LIMIT' }]);
    },
  );

  test('identity is read as plain', async () => {
    expect(await watch('identity', lastPage, 3)).toBe(true);
  });
});
