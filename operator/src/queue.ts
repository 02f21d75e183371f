// A keyed work queue like client-go's: repeated adds of a key coalesce into one run, a key is never
// processed twice at once, and a failed key comes back after an exponential backoff. Timers are the only effect.

export interface WorkQueueOptions {
  /** Keys processed at once (each key still runs alone). */
  concurrency?: number;
  /** First retry delay after a failure; doubles with every further failure of the same key. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told about every failure, with the 1-based count of consecutive failures of that key. */
  onError?: (key: string, error: unknown, failures: number) => void;
}

export type KeyHandler = (key: string) => Promise<void>;

/** Backoff before retry `failures` (1-based): base, 2·base, 4·base, … capped at max. */
export function retryDelay(failures: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

export class WorkQueue {
  /** Keys waiting to run, in the order they were first added. */
  private readonly ready: string[] = [];
  /** Keys that need a run: waiting in `ready`, or re-added while running. */
  private readonly dirty = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, number>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private closed = false;

  constructor(
    private readonly handler: KeyHandler,
    private readonly options: WorkQueueOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
  }

  /** Keys waiting to run (not counting running ones or pending retries). */
  get length(): number {
    return this.ready.length;
  }

  add(key: string): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    // A running key is queued again when its run ends, so two runs of one key never overlap.
    if (!this.running.has(key)) this.ready.push(key);
    this.pump();
  }

  /** Resolves once nothing is waiting or running; pending retries do not count. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops waiting keys and retries, refuses new ones and resolves when the running ones are done. */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.ready.length = 0;
    this.dirty.clear();
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    await Promise.all(this.running.values());
    this.settleIdle();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      this.dirty.delete(key);
      this.running.set(key, this.run(key));
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.handler(key);
      this.failures.delete(key);
      clearTimeout(this.retries.get(key));
      this.retries.delete(key);
    } catch (error) {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      this.options.onError?.(key, error, failures);
      this.scheduleRetry(key, retryDelay(failures, this.baseDelayMs, this.maxDelayMs));
    } finally {
      this.running.delete(key);
      if (!this.closed && this.dirty.has(key)) this.ready.push(key);
      this.pump();
      this.settleIdle();
    }
  }

  private scheduleRetry(key: string, delayMs: number): void {
    if (this.closed || this.retries.has(key)) return;
    const timer = setTimeout(() => {
      this.retries.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.retries.set(key, timer);
  }

  private isIdle(): boolean {
    return this.ready.length === 0 && this.running.size === 0;
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
