// Keeps positive sticky lookups in process, taking Redis off the path of most follow-up requests
// (a client polls nextUri many times per query). Safe because a mapping names its owner for life.
import { LruCache } from './lru.js';
import { byKind, type StickyKey, type StickyStore } from './store.js';

export type StickyLookupOutcome = 'local' | 'remote' | 'miss';

export interface CachedStickyStoreOptions {
  /** Bound on locally cached mappings (10000 is plenty: one per query running through this replica). */
  maxEntries: number;
  /** How long a local copy is trusted; also caps it to the TTL a `set` was given. */
  maxAgeMs: number;
  /** Told where each successful `get` was answered, for metrics. */
  onLookup?: (outcome: StickyLookupOutcome) => void;
  /** Injectable clock (ms) for tests. */
  now?: () => number;
}

export class CachedStickyStore implements StickyStore {
  private readonly local: Record<StickyKey['kind'], LruCache<string>>;
  private readonly maxAgeMs: number;
  private readonly onLookup: (outcome: StickyLookupOutcome) => void;

  /** Owns `inner`: closing this store closes it. */
  constructor(
    private readonly inner: StickyStore,
    options: CachedStickyStoreOptions,
  ) {
    this.local = byKind(() => new LruCache<string>({ maxEntries: options.maxEntries, now: options.now }));
    this.maxAgeMs = options.maxAgeMs;
    this.onLookup = options.onLookup ?? (() => {});
  }

  async set(key: StickyKey, cluster: string, ttlMs: number): Promise<void> {
    // Cache before writing through: even if the shared store is down, this replica keeps routing the
    // queries it started itself. The caller still sees the rejection.
    this.local[key.kind].set(key.id, cluster, Math.min(ttlMs, this.maxAgeMs));
    await this.inner.set(key, cluster, ttlMs);
  }

  async get(key: StickyKey): Promise<string | undefined> {
    const local = this.local[key.kind];
    const cached = local.get(key.id);
    if (cached !== undefined) {
      this.onLookup('local');
      return cached;
    }
    // A miss is never cached: the mapping may be written by another replica a moment later.
    const cluster = await this.inner.get(key);
    if (cluster === undefined) {
      this.onLookup('miss');
      return undefined;
    }
    local.set(key.id, cluster, this.maxAgeMs);
    this.onLookup('remote');
    return cluster;
  }

  async close(): Promise<void> {
    this.local.query.clear();
    this.local.oauth.clear();
    await this.inner.close();
  }
}
