// The Forwarder of each registered cluster, kept in step with the registry: a cluster whose URL
// changed gets a new pool, a removed cluster's pool closes once its in-flight requests finish.
import type { ClusterEntry, Registry } from '@junction/shared';
import { Forwarder, type ForwarderOptions } from './forwarder.js';

export class Forwarders {
  readonly #byCluster = new Map<string, Forwarder>();

  constructor(readonly options: ForwarderOptions) {}

  get(cluster: ClusterEntry): Forwarder {
    const existing = this.#byCluster.get(cluster.name);
    if (existing !== undefined && existing.origin === cluster.url) return existing;
    if (existing !== undefined) void existing.close();
    const forwarder = new Forwarder(cluster.name, cluster.url, this.options);
    this.#byCluster.set(cluster.name, forwarder);
    return forwarder;
  }

  /** Drops pools of clusters that left the registry or moved. */
  sync(registry: Registry): void {
    for (const [name, forwarder] of this.#byCluster) {
      const cluster = registry.clusters.get(name);
      if (cluster === undefined || cluster.url !== forwarder.origin) {
        this.#byCluster.delete(name);
        void forwarder.close();
      }
    }
  }

  async close(): Promise<void> {
    const all = [...this.#byCluster.values()];
    this.#byCluster.clear();
    await Promise.all(all.map((forwarder) => forwarder.close()));
  }
}
