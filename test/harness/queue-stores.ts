// QueueStores for the contract suites: the in-process one, and (below) Redis ones over a real
// redis-server, where every open() is another replica with its own connection.

import { MemoryQueueStore } from '../../shared/src/adapters/queue/memory-queue-store.js';
import type { AdmitRequest, QueueStore } from '../../shared/src/contract/queue-store.js';

export interface QueueStoreFixture {
  /** A store over the fixture's backend. Redis: each call is another replica; memory: the one store. */
  open(): QueueStore;
  /** After each test: closes what was opened and starts the next test on empty state. */
  release(): Promise<void>;
  close(): Promise<void>;
}

export interface QueueStoreSubject {
  readonly name: string;
  readonly kind: 'memory' | 'redis';
  setup(): Promise<QueueStoreFixture>;
}

export const memoryQueueStores: QueueStoreSubject = {
  name: 'MemoryQueueStore',
  kind: 'memory',
  setup: async () => {
    let store: MemoryQueueStore | undefined;
    return {
      open: () => {
        store ??= new MemoryQueueStore();
        return store;
      },
      release: async () => {
        await store?.close();
        store = undefined;
      },
      close: async () => {},
    };
  },
};

/** The fake clock's start: every test passes times relative to it. */
export const T0 = 1_700_000_000_000;

let nextId = 0;

/** An admission request with sensible defaults: group adhoc, class 0, one cluster `blue` with room for one. */
export function request(overrides: Partial<AdmitRequest> = {}): AdmitRequest {
  const id = overrides.id ?? `20250101_000000_${String(++nextId).padStart(5, '0')}_gw000`;
  return {
    id,
    group: 'adhoc',
    priority: 0,
    shareKey: '',
    candidates: [{ cluster: 'blue', limit: 1 }],
    admission: [],
    maxQueued: 100,
    maxWaitMs: 60_000,
    leaseMs: 30_000,
    payload: Buffer.from(`POST ${id}`),
    info: { user: 'alice', source: 'trino-cli', sql: 'SELECT 1', className: 'interactive' },
    now: T0,
    ...overrides,
  };
}
