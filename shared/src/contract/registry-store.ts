// Where the operator leader publishes the registry (the TrinoCluster/RoutingGroup resources as one
// versioned snapshot) and cluster health, and where every proxy replica reads them.
import type { ClusterHealth } from './model.js';
import type { RoutingGroup, TrinoCluster } from './schemas/resources.js';

export interface RegistryResources {
  readonly clusters: readonly TrinoCluster[];
  readonly groups: readonly RoutingGroup[];
}

export interface RegistrySnapshot extends RegistryResources {
  /** Rises with every publish, across writers (a new leader continues the sequence). */
  readonly generation: number;
  /** ISO time of the publish. */
  readonly publishedAt: string;
}

/**
 * Contract (checked by one suite against every implementation):
 * - `publish` stores the resources as one snapshot atomically with a generation higher than every
 *   earlier snapshot's — also when another writer published in between — then notifies
 *   subscribers with that generation, and resolves it. Readers never see a partial snapshot.
 * - `read` resolves the latest snapshot, or undefined when none was ever published.
 * - `subscribe` calls the listener with the generation of every later publish it hears about;
 *   notifications may be lost while disconnected, so readers also poll `read` (a lost message
 *   costs seconds, not correctness). The returned function unsubscribes.
 * - Health is stored per cluster: `writeHealth` replaces one cluster's entry, `removeHealth`
 *   deletes it, `readHealth` returns every entry in one round trip.
 * - Every method rejects (never hangs past the store's command timeout) when the store is down.
 */
export interface RegistryStore {
  publish(resources: RegistryResources): Promise<number>;
  read(): Promise<RegistrySnapshot | undefined>;
  subscribe(listener: (generation: number) => void): Promise<() => Promise<void>>;
  writeHealth(cluster: string, health: ClusterHealth): Promise<void>;
  removeHealth(cluster: string): Promise<void>;
  readHealth(): Promise<Map<string, ClusterHealth>>;
  close(): Promise<void>;
}
