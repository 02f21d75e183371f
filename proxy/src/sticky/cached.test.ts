// The cached StickyStore: the local cache answers first, the shared store behind it, failures tolerated.
import { CachedStickyStore, type StickyLookupOutcome } from './cached.js';
import { MemoryStickyStore } from './memory.js';
import type { StickyKey } from './store.js';

const q = (id: string): StickyKey => ({ kind: 'query', id });

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
    await inner.set(q('remote'), 'blue', 60_000); // written by "another replica"
    await store.set(q('own'), 'green', 60_000);

    await expect(store.get(q('own'))).resolves.toBe('green');
    await expect(store.get(q('remote'))).resolves.toBe('blue');
    await expect(store.get(q('remote'))).resolves.toBe('blue');
    await expect(store.get(q('nobody'))).resolves.toBeUndefined();
    expect(outcomes).toEqual(['local', 'remote', 'local', 'miss']);
    await store.close();
  });

  test('a miss is not cached: a mapping written later elsewhere is found', async () => {
    const { inner, store, outcomes } = cachedOverMemory();
    await expect(store.get(q('late'))).resolves.toBeUndefined();
    await inner.set(q('late'), 'blue', 60_000);
    await expect(store.get(q('late'))).resolves.toBe('blue');
    expect(outcomes).toEqual(['miss', 'remote']);
    await store.close();
  });

  test('positive results keep being served locally when the shared store fails', async () => {
    const { inner, store } = cachedOverMemory();
    await inner.set(q('seen'), 'blue', 60_000);
    await store.get(q('seen'));
    await inner.close(); // from now on every inner call rejects
    await expect(store.get(q('seen'))).resolves.toBe('blue');
    await expect(store.get(q('unseen'))).rejects.toThrow();
    await store.close();
  });

  test('set writes through, and caches even when the write-through fails', async () => {
    const { inner, store } = cachedOverMemory();
    await store.set(q('a'), 'blue', 60_000);
    await expect(inner.get(q('a'))).resolves.toBe('blue');
    await inner.close();
    await expect(store.set(q('b'), 'green', 60_000)).rejects.toThrow();
    await expect(store.get(q('b'))).resolves.toBe('green');
    await store.close();
  });

  test('local copies expire after maxAgeMs and are then read again from the shared store', async () => {
    const { inner, store, outcomes } = cachedOverMemory({ maxAgeMs: 100 });
    await inner.set(q('a'), 'blue', 60_000);
    await store.get(q('a'));
    await new Promise((resolve) => setTimeout(resolve, 250));
    await store.get(q('a'));
    expect(outcomes).toEqual(['remote', 'remote']);
    await store.close();
  });

  test('the local cache holds at most maxEntries mappings', async () => {
    const { store, outcomes } = cachedOverMemory({ maxEntries: 2 });
    await store.set(q('1'), 'blue', 60_000);
    await store.set(q('2'), 'blue', 60_000);
    await store.set(q('3'), 'blue', 60_000);
    await store.get(q('1'));
    await store.get(q('3'));
    expect(outcomes).toEqual(['remote', 'local']);
    await store.close();
  });

  test('close closes the inner store', async () => {
    const { inner, store } = cachedOverMemory();
    await store.close();
    await expect(inner.get(q('a'))).rejects.toThrow('closed');
  });
});
