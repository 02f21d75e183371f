// The single-process StickyStore (no Redis configured): mappings live in this process only, so it
// is correct only when exactly one proxy replica serves all requests.
import type { StickyStore } from './store.js';

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
  private readonly mappings = new Map<string, Mapping>();
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
    return this.mappings.size;
  }

  async set(key: string, cluster: string, ttlMs: number): Promise<void> {
    this.assertOpen();
    assertTtl(ttlMs);
    this.mappings.set(key, { cluster, expiresAt: this.now() + ttlMs });
  }

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    const mapping = this.mappings.get(key);
    if (mapping === undefined) return undefined;
    if (mapping.expiresAt <= this.now()) {
      this.mappings.delete(key);
      return undefined;
    }
    return mapping.cluster;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.mappings.clear();
  }

  /** Drops every expired mapping; runs on the timer, public so tests need not wait for it. */
  sweep(): void {
    const now = this.now();
    for (const [key, mapping] of this.mappings) {
      if (mapping.expiresAt <= now) this.mappings.delete(key);
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
