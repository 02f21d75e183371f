// The single-process StickyStore (no Redis configured): mappings live in this process only, so it
// is correct only when exactly one proxy replica serves all requests.
import { byKind, type StickyKey, type StickyStore } from './store.js';

export interface MemoryStickyStoreOptions {
  /** How often expired mappings are dropped to bound memory; reads never see them either way. */
  sweepIntervalMs?: number;
  /** Injectable clock (ms) for tests. */
  now?: () => number;
}

interface Mapping {
  cluster: string;
  expiresAt: number;
}

export class MemoryStickyStore implements StickyStore {
  private readonly mappings = byKind(() => new Map<string, Mapping>());
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(options: MemoryStickyStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    // Housekeeping alone must not keep the process alive.
    this.sweeper.unref();
  }

  get size(): number {
    return this.mappings.query.size + this.mappings.oauth.size;
  }

  async set(key: StickyKey, cluster: string, ttlMs: number): Promise<void> {
    this.assertOpen();
    assertTtl(ttlMs);
    this.mappings[key.kind].set(key.id, { cluster, expiresAt: this.now() + ttlMs });
  }

  async get(key: StickyKey): Promise<string | undefined> {
    this.assertOpen();
    const mappings = this.mappings[key.kind];
    const mapping = mappings.get(key.id);
    if (mapping === undefined) return undefined;
    if (mapping.expiresAt <= this.now()) {
      mappings.delete(key.id);
      return undefined;
    }
    return mapping.cluster;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.mappings.query.clear();
    this.mappings.oauth.clear();
  }

  /** Drops every expired mapping; runs on the timer, public so tests need not wait for it. */
  sweep(): void {
    const now = this.now();
    for (const mappings of [this.mappings.query, this.mappings.oauth]) {
      for (const [id, mapping] of mappings) {
        if (mapping.expiresAt <= now) mappings.delete(id);
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('sticky store is closed');
  }
}

/** Rejects a TTL the Redis store could not honour either, so both stores behave alike. */
export function assertTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`sticky mapping TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }
}
