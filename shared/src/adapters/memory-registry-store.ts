// The in-process RegistryStore: for tests and for a single process that both writes and reads the
// registry. It keeps copies, so no caller can change a stored snapshot after the fact.
import type { ClusterHealth } from '../contract/model.js';
import {
  type RegistryResources,
  type RegistrySnapshot,
  type RegistryStore,
  toStoredHealth,
  toStoredResources,
} from '../contract/registry-store.js';

interface Subscription {
  readonly listener: (generation: number) => void;
}

export class MemoryRegistryStore implements RegistryStore {
  #snapshot: RegistrySnapshot | undefined;
  #generation = 0;
  readonly #health = new Map<string, ClusterHealth>();
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;

  async publish(resources: RegistryResources): Promise<number> {
    const stored = toStoredResources(resources);
    const generation = ++this.#generation;
    this.#snapshot = structuredClone({ generation, publishedAt: new Date().toISOString(), ...stored });
    // Like Redis Pub/Sub, listeners hear of the publish after it happened, never inside the caller's await.
    queueMicrotask(() => this.#notify(generation));
    return generation;
  }

  async read(): Promise<RegistrySnapshot | undefined> {
    return this.#snapshot === undefined ? undefined : structuredClone(this.#snapshot);
  }

  async subscribe(listener: (generation: number) => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('MemoryRegistryStore is closed');
    const subscription: Subscription = { listener };
    this.#subscriptions.add(subscription);
    return async () => {
      this.#subscriptions.delete(subscription);
    };
  }

  async writeHealth(cluster: string, health: ClusterHealth): Promise<void> {
    this.#health.set(cluster, Object.freeze(toStoredHealth(cluster, health)));
  }

  async removeHealth(cluster: string): Promise<void> {
    this.#health.delete(cluster);
  }

  async readHealth(): Promise<Map<string, ClusterHealth>> {
    return new Map(this.#health);
  }

  /** Ends every subscription; the stored snapshot and health stay readable. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriptions.clear();
  }

  #notify(generation: number): void {
    for (const { listener } of [...this.#subscriptions]) {
      try {
        listener(generation);
      } catch (error) {
        process.emitWarning(`MemoryRegistryStore listener failed: ${String(error)}`);
      }
    }
  }
}
