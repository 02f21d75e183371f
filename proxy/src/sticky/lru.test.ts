// LruCache: bounded by entries, least recently used evicted first, entries expire after their TTL.
import { LruCache } from './lru.js';

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('LruCache', () => {
  test('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new LruCache<string>({ maxEntries: 3 });
    cache.set('a', 'A', 60_000);
    cache.set('b', 'B', 60_000);
    cache.set('c', 'C', 60_000);
    expect(cache.get('a')).toBe('A'); // a is now the most recently used; b the least
    cache.set('d', 'D', 60_000);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
    expect(cache.get('d')).toBe('D');
  });

  test('overwriting an entry refreshes its recency instead of growing the cache', () => {
    const cache = new LruCache<string>({ maxEntries: 2 });
    cache.set('a', 'A1', 60_000);
    cache.set('b', 'B', 60_000);
    cache.set('a', 'A2', 60_000);
    cache.set('c', 'C', 60_000);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A2');
  });

  test('an entry is invisible once its own TTL has passed', () => {
    const time = clock();
    const cache = new LruCache<string>({ maxEntries: 10, now: time.now });
    cache.set('short', 'S', 100);
    cache.set('long', 'L', 1_000);
    time.advance(99);
    expect(cache.get('short')).toBe('S');
    time.advance(1);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.get('long')).toBe('L');
    time.advance(900);
    expect(cache.get('long')).toBeUndefined();
  });

  test('a hit does not extend the TTL', () => {
    const time = clock();
    const cache = new LruCache<string>({ maxEntries: 10, now: time.now });
    cache.set('k', 'V', 100);
    time.advance(80);
    expect(cache.get('k')).toBe('V');
    time.advance(30);
    expect(cache.get('k')).toBeUndefined();
  });

  test('a non-positive TTL stores nothing and removes an older value', () => {
    const cache = new LruCache<string>({ maxEntries: 10 });
    cache.set('k', 'old', 60_000);
    cache.set('k', 'new', 0);
    expect(cache.get('k')).toBeUndefined();
  });

  test('delete and clear', () => {
    const cache = new LruCache<number>({ maxEntries: 10 });
    cache.set('a', 1, 60_000);
    cache.set('b', 2, 60_000);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });

  test('maxEntries must be a positive integer', () => {
    expect(() => new LruCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new LruCache({ maxEntries: 1.5 })).toThrow(RangeError);
  });
});
