// The in-memory StickyStore: mappings and OAuth2 ids with their TTLs.
import { MemoryStickyStore } from './memory.js';

describe('MemoryStickyStore', () => {
  test('a sweep drops expired mappings so memory stays bounded', async () => {
    let now = 1_000;
    const store = new MemoryStickyStore({ now: () => now });
    await store.set({ kind: 'query', id: 'a' }, 'blue', 100);
    await store.set({ kind: 'query', id: 'b' }, 'green', 10_000);
    now += 500;
    store.sweep();
    expect(store.size).toBe(1);
    await expect(store.get({ kind: 'query', id: 'b' })).resolves.toBe('green');
    await store.close();
  });

  test('the periodic sweep runs by itself', async () => {
    const store = new MemoryStickyStore({ sweepIntervalMs: 20 });
    await store.set({ kind: 'query', id: 'a' }, 'blue', 10);
    const deadline = Date.now() + 5_000;
    while (store.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.size).toBe(0);
    await store.close();
  });

  test('a closed store rejects', async () => {
    const store = new MemoryStickyStore();
    await store.close();
    await expect(store.get({ kind: 'query', id: 'a' })).rejects.toThrow('closed');
    await expect(store.set({ kind: 'query', id: 'a' }, 'blue', 1_000)).rejects.toThrow('closed');
  });
});
