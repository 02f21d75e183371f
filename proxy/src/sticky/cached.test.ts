import { CachedStickyStore, type StickyLookupOutcome } from './cached.js';
import { MemoryStickyStore } from './memory.js';

function cachedOverMemory(options: { maxEntries?: number; maxAgeMs?: number } = {}) {
  const inner = new MemoryStickyStore();
  const outcomes: StickyLookupOutcome[] = [];
  const store = new CachedStickyStore(inner, {
    maxEntries: options.maxEntries ?? 10_000,
    maxAgeMs: options.maxAgeMs ?? 60_000,
    onLookup: (outcome) => outcomes.push(outcome),
  });
  return { inner, store, outcomes };
}

describe('CachedStickyStore', () => {
  test('reports where each lookup was answered', async () => {
    const { inner, store, outcomes } = cachedOverMemory();
    await inner.set('query:remote', 'blue', 60_000); // written by "another replica"
    await store.set('query:own', 'green', 60_000);

    await expect(store.get('query:own')).resolves.toBe('green');
    await expect(store.get('query:remote')).resolves.toBe('blue');
    await expect(store.get('query:remote')).resolves.toBe('blue');
    await expect(store.get('query:nobody')).resolves.toBeUndefined();
    expect(outcomes).toEqual(['local', 'remote', 'local', 'miss']);
    await store.close();
  });

  test('a miss is not cached: a mapping written later elsewhere is found', async () => {
    const { inner, store, outcomes } = cachedOverMemory();
    await expect(store.get('query:late')).resolves.toBeUndefined();
    await inner.set('query:late', 'blue', 60_000);
    await expect(store.get('query:late')).resolves.toBe('blue');
    expect(outcomes).toEqual(['miss', 'remote']);
    await store.close();
  });

  test('positive results keep being served locally when the shared store fails', async () => {
    const { inner, store } = cachedOverMemory();
    await inner.set('query:seen', 'blue', 60_000);
    await store.get('query:seen');
    await inner.close(); // from now on every inner call rejects
    await expect(store.get('query:seen')).resolves.toBe('blue');
    await expect(store.get('query:unseen')).rejects.toThrow();
    await store.close();
  });

  test('set writes through, and caches even when the write-through fails', async () => {
    const { inner, store } = cachedOverMemory();
    await store.set('query:a', 'blue', 60_000);
    await expect(inner.get('query:a')).resolves.toBe('blue');
    await inner.close();
    await expect(store.set('query:b', 'green', 60_000)).rejects.toThrow();
    await expect(store.get('query:b')).resolves.toBe('green');
    await store.close();
  });

  test('local copies expire after maxAgeMs and are then read again from the shared store', async () => {
    const { inner, store, outcomes } = cachedOverMemory({ maxAgeMs: 100 });
    await inner.set('query:a', 'blue', 60_000);
    await store.get('query:a');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await store.get('query:a');
    expect(outcomes).toEqual(['remote', 'remote']);
    await store.close();
  });

  test('the local cache holds at most maxEntries mappings', async () => {
    const { store, outcomes } = cachedOverMemory({ maxEntries: 2 });
    await store.set('query:1', 'blue', 60_000);
    await store.set('query:2', 'blue', 60_000);
    await store.set('query:3', 'blue', 60_000);
    await store.get('query:1');
    await store.get('query:3');
    expect(outcomes).toEqual(['remote', 'local']);
    await store.close();
  });

  test('close closes the inner store', async () => {
    const { inner, store } = cachedOverMemory();
    await store.close();
    await expect(inner.get('query:a')).rejects.toThrow('closed');
  });
});
