// Keeps a list+watch cache of one resource kind alive: client-node's informer gives up on any error but
// 410, so this restarts it with backoff, relists periodically (a silently dead watch heals within one
// interval) and says whether the cache has been filled.
import type { Logger } from '@junction/shared';
import { retryDelay } from './queue.js';

/** A list+watch cache (kube.ts wraps client-node's ListWatch). */
export interface CacheSource<T> {
  on(event: 'add' | 'update' | 'delete', listener: (object: T) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  /** The cache holds a complete list (fired before every watch request). */
  on(event: 'listed', listener: () => void): void;
  list(): T[];
  /** Lists (unless resuming) and watches; failures arrive as 'error'. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Ends the current watch and relists, reporting differences as add/update/delete. */
  relist(): void;
}

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerOptions<T> {
  /** For logs and metrics, e.g. "TrinoCluster". */
  readonly kind: string;
  readonly logger: Logger;
  readonly onChange: (event: InformerEvent, object: T) => void;
  /** Every restart after an error (metrics). */
  readonly onRestart?: () => void;
  /** Every time the cache holds a complete list and a watch starts (the first sync, relists, resumes). */
  readonly onListed?: () => void;
  readonly relistIntervalMs?: number;
  readonly restartBaseDelayMs?: number;
  readonly restartMaxDelayMs?: number;
}

/** A watch that stayed up this long counts as healthy again: the next failure starts the backoff anew. */
const STABLE_AFTER_MS = 10_000;

export class Informer<T> {
  private hasSynced = false;
  private syncWaiters: (() => void)[] = [];
  private failures = 0;
  private connectedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private relistTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly source: CacheSource<T>,
    private readonly options: InformerOptions<T>,
  ) {
    for (const event of ['add', 'update', 'delete'] as const) {
      source.on(event, (object) => {
        if (this.running) options.onChange(event, object);
      });
    }
    source.on('listed', () => this.listed());
    source.on('error', (error) => this.failed(error));
  }

  /** True once the cache has held a complete list; it stays true across restarts (the cache is kept). */
  get synced(): boolean {
    return this.hasSynced;
  }

  list(): T[] {
    return this.source.list();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
    const interval = this.options.relistIntervalMs ?? 300_000;
    this.relistTimer = setInterval(() => this.source.relist(), interval);
    this.relistTimer.unref();
  }

  /** Resolves once synced; rejects after `timeoutMs` when given. */
  waitForSync(timeoutMs?: number): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.syncWaiters = this.syncWaiters.filter((waiter) => waiter !== done);
              reject(new Error(`${this.options.kind} cache not synced within ${timeoutMs} ms`));
            }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.syncWaiters.push(done);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    clearInterval(this.relistTimer);
    await this.source.stop();
  }

  private async connect(): Promise<void> {
    try {
      await this.source.start();
    } catch (error) {
      // start() reports through 'error'; a throw here is a programming or configuration error.
      this.failed(error);
    }
  }

  private listed(): void {
    this.connectedAt = Date.now();
    this.options.onListed?.();
    if (this.hasSynced) return;
    this.hasSynced = true;
    this.options.logger.info('cache synced', { kind: this.options.kind, objects: this.source.list().length });
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private failed(error: unknown): void {
    if (!this.running) return;
    if (this.connectedAt > 0 && Date.now() - this.connectedAt >= STABLE_AFTER_MS) this.failures = 0;
    this.connectedAt = 0;
    this.failures++;
    const delay = retryDelay(
      this.failures,
      this.options.restartBaseDelayMs ?? 500,
      this.options.restartMaxDelayMs ?? 30_000,
    );
    this.options.logger.warn('watch failed; restarting', {
      kind: this.options.kind,
      error: error instanceof Error ? error.message : String(error),
      failures: this.failures,
      retryInMs: delay,
    });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.running) return;
      this.options.onRestart?.();
      void this.connect();
    }, delay);
    this.restartTimer.unref();
  }
}
