// Counts queries routed to each cluster, across replicas, so LeastLoaded can add the queries sent since
// the last probe to the probe's running+queued counts without a Redis round trip per routing decision.
import type { RedisClient, RedisKeys } from '@junction/shared';

/**
 * A caller remembers `total(cluster)` when a probe result arrives (the baseline); the load since that
 * probe is then `total(cluster) - baseline`. Totals only rise, so that difference is never negative.
 */
export interface RoutedCounter {
  /** Fire-and-forget: called when a new query is routed to the cluster. */
  increment(cluster: string): void;
  /** Monotonically rising count across all replicas (as last refreshed) plus this replica's increments since. */
  total(cluster: string): number;
  close(): Promise<void>;
}

/** The single-replica counter. */
export class MemoryRoutedCounter implements RoutedCounter {
  private readonly counts = new Map<string, number>();

  increment(cluster: string): void {
    this.counts.set(cluster, (this.counts.get(cluster) ?? 0) + 1);
  }

  total(cluster: string): number {
    return this.counts.get(cluster) ?? 0;
  }

  async close(): Promise<void> {}
}

export interface RedisRoutedCounterOptions {
  /** The clusters whose shared counts are read on each refresh. */
  clusters: () => readonly string[];
  /** Milliseconds between refreshes (250 is a good default). */
  refreshMs: number;
}

/**
 * Shared counters in Redis (one INCR per routed query, one MGET of all clusters per refresh). While
 * Redis is unreachable the counts keep rising from this replica's own increments.
 */
export class RedisRoutedCounter implements RoutedCounter {
  /** This replica's best knowledge per cluster; never decreases. */
  private readonly view = new Map<string, number>();
  /** Local increments issued after the in-flight (or last) MGET was sent, which its reply cannot contain. */
  private readonly sinceRefreshSent = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly options: RedisRoutedCounterOptions,
  ) {
    this.timer = setInterval(() => void this.refresh(), options.refreshMs);
    // Refreshing alone must not keep the process alive.
    this.timer.unref();
    void this.refresh();
  }

  /** Commands that failed (INCRs lost and refreshes missed), for metrics and readiness. */
  get failedCommands(): number {
    return this.failures;
  }

  increment(cluster: string): void {
    this.view.set(cluster, (this.view.get(cluster) ?? 0) + 1);
    this.sinceRefreshSent.set(cluster, (this.sinceRefreshSent.get(cluster) ?? 0) + 1);
    this.redis.incr(this.keys.routed(cluster)).catch(() => {
      this.failures++;
    });
  }

  total(cluster: string): number {
    return this.view.get(cluster) ?? 0;
  }

  /**
   * Reads every cluster's shared count. Runs on the timer; public so a caller (or test) can await a
   * fresh view. Never rejects. INCRs this instance sent earlier are on the same connection, ahead of
   * the MGET, so once this resolves they are counted in Redis.
   */
  refresh(): Promise<void> {
    this.inFlight ??= this.readShared().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.inFlight;
  }

  private async readShared(): Promise<void> {
    if (this.closed) return;
    const clusters = [...this.options.clusters()];
    if (clusters.length === 0) return;
    // Increments from here on are not in the MGET reply; everything before is (or was lost).
    this.sinceRefreshSent.clear();
    let values: (string | null)[];
    try {
      values = await this.redis.mget(clusters.map((cluster) => this.keys.routed(cluster)));
    } catch {
      this.failures++;
      return;
    }
    clusters.forEach((cluster, index) => {
      const shared = Number(values[index] ?? 0);
      if (!Number.isFinite(shared)) return;
      const candidate = shared + (this.sinceRefreshSent.get(cluster) ?? 0);
      // max: a Redis restart resets the shared count, and totals must never go backwards.
      if (candidate > this.total(cluster)) this.view.set(cluster, candidate);
    });
  }
}
