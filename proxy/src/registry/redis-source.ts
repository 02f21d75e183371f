// Registry source for a proxy in Redis mode: follows the snapshots the operator leader publishes to a
// RegistryStore, by notification and by polling, and keeps routing with the last registry while it is away.
import { buildRegistry, type Logger, type Registry, type RegistrySnapshot, type RegistryStore } from '@junction/shared';
import { SerialRefresh } from './refresh.js';
import { reportRegistry } from './report.js';
import type { RegistrySource } from './source.js';

export interface RedisRegistrySourceOptions {
  /** Read only; whoever created the store closes it. */
  readonly store: RegistryStore;
  readonly defaultRoutingGroup: string;
  readonly logger: Logger;
  /** Re-read this often even without a notification, so a lost message costs seconds (default 5000). */
  readonly pollMs?: number;
  /** Called with every failed read or subscribe (for metrics); logging happens once per outage. */
  readonly onError?: (error: unknown) => void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class RedisRegistrySource implements RegistrySource {
  readonly #options: RedisRegistrySourceOptions;
  #registry: Registry;
  #hasSnapshot = false;
  readonly #listeners: Array<(registry: Registry) => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #subscribing: Promise<void> | undefined;
  readonly #refresh = new SerialRefresh(
    () => this.#readOnce(),
    () => this.#closed,
  );
  // One log line per outage or oddity, not one per poll.
  #readFailing = false;
  #subscribeFailing = false;
  #warnedEmpty = false;
  #ignoredGeneration: number | undefined;
  #closed = false;

  private constructor(options: RedisRegistrySourceOptions) {
    this.#options = options;
    // Until the first snapshot arrives nothing is routable; generation 0 is older than any published one.
    this.#registry = buildRegistry({
      clusters: [],
      groups: [],
      defaultRoutingGroup: options.defaultRoutingGroup,
      generation: 0,
    });
  }

  /** Reads the current snapshot and subscribes; never rejects: an unreachable store is retried every poll. */
  static async start(options: RedisRegistrySourceOptions): Promise<RedisRegistrySource> {
    const source = new RedisRegistrySource(options);
    await Promise.all([source.#subscribe(), source.refresh()]);
    source.#timer = setInterval(() => {
      void source.#subscribe();
      void source.refresh();
    }, options.pollMs ?? 5000);
    source.#timer.unref();
    return source;
  }

  current(): Registry {
    return this.#registry;
  }

  /** False until a snapshot from the store is in use (not ready: nothing would be routable). */
  hasSnapshot(): boolean {
    return this.#hasSnapshot;
  }

  onChange(listener: (registry: Registry) => void): void {
    this.#listeners.push(listener);
  }

  /** Reads the store now; calls made while a read runs share it plus one more read after it. */
  refresh(): Promise<void> {
    return this.#refresh.run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#subscribing;
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.().catch(() => {});
    await this.#refresh.running;
  }

  async #readOnce(): Promise<void> {
    let snapshot: RegistrySnapshot | undefined;
    try {
      snapshot = await this.#options.store.read();
    } catch (error) {
      this.#options.onError?.(error);
      if (!this.#readFailing) {
        this.#readFailing = true;
        this.#options.logger.warn('cannot read the registry from Redis; routing with the last registry', {
          error: message(error),
          generation: this.#registry.generation,
        });
      }
      return;
    }
    if (this.#readFailing) {
      this.#readFailing = false;
      this.#options.logger.info('registry readable in Redis again', { generation: this.#registry.generation });
    }
    if (this.#closed) return;
    if (snapshot === undefined) {
      // Nothing published yet, or Redis lost its data: either way the registry in use is the best we have.
      if (!this.#warnedEmpty) {
        this.#warnedEmpty = true;
        this.#options.logger.warn('no registry snapshot in Redis yet; waiting for the operator to publish one', {
          generation: this.#registry.generation,
        });
      }
      return;
    }
    this.#adopt(snapshot);
  }

  #adopt(snapshot: RegistrySnapshot): void {
    const previous = this.#registry;
    if (snapshot.generation <= previous.generation) {
      // Older than what is in use: a stale writer, or a leader that restarted the sequence. Say so once.
      if (snapshot.generation < previous.generation && this.#ignoredGeneration !== snapshot.generation) {
        this.#ignoredGeneration = snapshot.generation;
        this.#options.logger.warn('ignoring a registry snapshot older than the one in use', {
          snapshotGeneration: snapshot.generation,
          generation: previous.generation,
        });
      }
      return;
    }
    const next = buildRegistry({
      clusters: snapshot.clusters,
      groups: snapshot.groups,
      defaultRoutingGroup: this.#options.defaultRoutingGroup,
      generation: snapshot.generation,
      previous,
    });
    this.#registry = next;
    this.#hasSnapshot = true;
    reportRegistry(this.#options.logger, next, { publishedAt: snapshot.publishedAt });
    for (const listener of this.#listeners) {
      try {
        listener(next);
      } catch (error) {
        this.#options.logger.error('registry listener failed', { error: message(error), generation: next.generation });
      }
    }
  }

  #subscribe(): Promise<void> {
    if (this.#closed || this.#unsubscribe !== undefined) return Promise.resolve();
    this.#subscribing ??= this.#trySubscribe().finally(() => {
      this.#subscribing = undefined;
    });
    return this.#subscribing;
  }

  async #trySubscribe(): Promise<void> {
    try {
      const unsubscribe = await this.#options.store.subscribe((generation) => {
        if (generation > this.#registry.generation) void this.refresh();
      });
      if (this.#closed) {
        await unsubscribe().catch(() => {});
        return;
      }
      this.#unsubscribe = unsubscribe;
      if (this.#subscribeFailing) {
        this.#subscribeFailing = false;
        this.#options.logger.info('subscribed to registry changes again');
      }
    } catch (error) {
      this.#options.onError?.(error);
      if (!this.#subscribeFailing) {
        this.#subscribeFailing = true;
        this.#options.logger.warn('cannot subscribe to registry changes; relying on polling until it works', {
          error: message(error),
        });
      }
    }
  }
}
