// The shared StickyStore: every proxy replica reads and writes the same Redis, so a follow-up request
// can land on any replica. One round trip per call; the client's settings bound how long it may take.
import type { RedisClient, RedisKeys } from '@junction/shared';
import { assertTtl } from './memory.js';
import type { StickyKey, StickyStore } from './store.js';

export class RedisStickyStore implements StickyStore {
  /**
   * @param redis a client from `createRedisClient` (its command timeout is this store's timeout);
   *   shared with other users, so `close` leaves it open: whoever created it quits it.
   * @param keys the shared key schema (its query and oauth keys; hash-tagged for Redis Cluster).
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'query' | 'oauth'>,
  ) {}

  private keyOf(key: StickyKey): string {
    return key.kind === 'oauth' ? this.keys.oauth(key.id) : this.keys.query(key.id);
  }

  async set(key: StickyKey, cluster: string, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    // PX takes whole milliseconds; rounding up never expires a mapping early.
    await this.redis.set(this.keyOf(key), cluster, 'PX', Math.ceil(ttlMs));
  }

  async get(key: StickyKey): Promise<string | undefined> {
    const cluster = await this.redis.get(this.keyOf(key));
    return cluster ?? undefined;
  }

  async close(): Promise<void> {}
}
