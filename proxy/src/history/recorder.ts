// Writes query history off the request path: requests only push events into a bounded buffer;
// a background flush sends them to the HistoryStore in batches (when a batch is full, and every
// flushInterval). When the store fails or the buffer is full, events are dropped and counted —
// routing never waits for history.
import type { HistoryEvent, HistoryStore, Logger } from '@junction/shared';
import { Counter, type Registry as PromRegistry } from 'prom-client';

export interface HistoryRecorderOptions {
  readonly store: HistoryStore;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Events waiting at most; one more is dropped. */
  readonly bufferSize: number;
  readonly metrics: PromRegistry;
  readonly logger: Logger;
}

export type DropReason = 'store-error' | 'buffer-full';

export class HistoryRecorder {
  readonly #options: HistoryRecorderOptions;
  readonly #written: Counter;
  readonly #dropped: Counter;
  #buffer: HistoryEvent[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;

  constructor(options: HistoryRecorderOptions) {
    this.#options = options;
    this.#written = new Counter({
      name: 'junction_history_written_total',
      help: 'Query history events written to the history store',
      registers: [options.metrics],
    });
    this.#dropped = new Counter({
      name: 'junction_history_dropped_total',
      help: 'Query history events dropped: the store failed (store-error) or too many were waiting (buffer-full)',
      labelNames: ['reason'],
      registers: [options.metrics],
    });
    for (const reason of ['store-error', 'buffer-full']) this.#dropped.labels(reason).inc(0);
  }

  get store(): HistoryStore {
    return this.#options.store;
  }

  /** Flushes every flushInterval (unref'd: it never keeps the process alive). */
  start(): this {
    this.#timer = setInterval(() => this.#kick(), this.#options.flushIntervalMs);
    this.#timer.unref();
    return this;
  }

  /** Queues one event; never blocks and never throws. */
  record(event: HistoryEvent): void {
    if (this.#buffer.length >= this.#options.bufferSize) {
      this.#dropped.inc({ reason: 'buffer-full' });
      return;
    }
    this.#buffer.push(event);
    if (this.#buffer.length >= this.#options.batchSize) this.#kick();
  }

  /** Writes (or, when the store fails, drops) everything buffered so far. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#flushing !== undefined) await this.#flushing;
      else if (this.#buffer.length > 0) this.#kick();
      else return;
    }
  }

  /** Writes what is buffered, then closes the store; a store already failing is not waited for again. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#flushing;
    if (this.#failing) {
      this.#dropped.inc({ reason: 'store-error' }, this.#buffer.length);
      this.#buffer = [];
    }
    await this.flush();
    await this.#options.store.close();
  }

  #kick(): void {
    if (this.#flushing !== undefined || this.#buffer.length === 0) return;
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = undefined;
      if (this.#buffer.length >= this.#options.batchSize) this.#kick();
    });
  }

  /** One batch per call: a failed batch is dropped (counted), the rest waits for the next round. */
  async #flush(): Promise<void> {
    const batch = this.#buffer.splice(0, this.#options.batchSize);
    try {
      await this.#options.store.append(batch);
      this.#written.inc(batch.length);
      if (this.#failing) {
        this.#failing = false;
        this.#options.logger.info('history store reachable again');
      }
    } catch (error) {
      this.#dropped.inc({ reason: 'store-error' }, batch.length);
      if (!this.#failing) {
        this.#failing = true;
        // The message of a store error never carries its connection URL.
        this.#options.logger.warn('history store failed; dropping history events until it is back', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}
