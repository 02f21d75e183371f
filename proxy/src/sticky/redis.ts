// The shared StickyStore: every proxy replica reads and writes the same Redis, so a follow-up request
// can land on any replica. One round trip per call; the client's settings bound how long it may take.
import type { Redis } from 'ioredis';
import { assertTtl } from './memory.js';
import type { StickyStore } from './store.js';

export class RedisStickyStore implements StickyStore {
  /**
   * @param redis a client from `createRedisClient` (its command timeout is this store's timeout);
   *   shared with other users, so `close` leaves it open: whoever created it quits it.
   * @param keyOf maps the caller's key to the Redis key, e.g. `(key) => \`${prefix}q:${key}\``.
   */
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (key: string) => string,
  ) {}

  async set(key: string, cluster: string, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    // PX takes whole milliseconds; rounding up never expires a mapping early.
    await this.redis.set(this.keyOf(key), cluster, 'PX', Math.ceil(ttlMs));
  }

  async get(key: string): Promise<string | undefined> {
    const cluster = await this.redis.get(this.keyOf(key));
    return cluster ?? undefined;
  }

  async close(): Promise<void> {}
}
