// Where the operator leader publishes the registry (the TrinoCluster/RoutingGroup resources as one
// versioned snapshot) and cluster health, and where every proxy replica reads them: the interface and the stored form.
import { z } from 'zod';
import type { ClusterHealth } from './model.js';
import { ClusterPhase, RoutingGroup, TrinoCluster } from './schemas/resources.js';
import { formatIssues } from './zod-errors.js';

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

// ---------------------------------------------------------------- The stored form

const Resources = z.object({ clusters: z.array(TrinoCluster), groups: z.array(RoutingGroup) });
const Snapshot = Resources.extend({ generation: z.number().int().positive(), publishedAt: z.string() });
const Health = z.object({
  phase: ClusterPhase.exclude(['Draining']),
  runningQueries: z.number().nonnegative(),
  queuedQueries: z.number().nonnegative(),
  activeNodes: z.number().nonnegative().optional(),
  probedAt: z.number().nonnegative(),
  message: z.string(),
});

function invalid(what: string, error: z.ZodError): Error {
  const lines = formatIssues('', error);
  const more = lines.length > 5 ? `; and ${lines.length - 5} more` : '';
  return new Error(`${what}: ${lines.slice(0, 5).join('; ')}${more}`);
}

/** Identity and what routing reads; the rest of the metadata (managedFields, resourceVersion, uid, …) and the
 * status change without any routing meaning and would only make snapshots big and noisy. */
function stripped<T extends TrinoCluster | RoutingGroup>(resource: T): T {
  const { name, namespace, labels, generation } = resource.metadata;
  const metadata = {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(labels === undefined ? {} : { labels }),
    ...(generation === undefined ? {} : { generation }),
  };
  return { apiVersion: resource.apiVersion, kind: resource.kind, metadata, spec: resource.spec } as T;
}

/**
 * The resources as every RegistryStore keeps them: status and volatile metadata stripped, validated with
 * the resource schemas (so a snapshot that was stored can always be read back), as fresh objects.
 * Throws an Error naming the first problems when a resource is invalid.
 */
export function toStoredResources(resources: RegistryResources): RegistryResources {
  const result = Resources.safeParse({
    clusters: resources.clusters.map(stripped),
    groups: resources.groups.map(stripped),
  });
  if (!result.success) throw invalid('registry snapshot not published, a resource is invalid', result.error);
  return result.data;
}

/** Validates one cluster's health; throws when it is not a ClusterHealth. */
export function toStoredHealth(cluster: string, health: ClusterHealth): ClusterHealth {
  const result = Health.safeParse(health);
  if (!result.success) throw invalid(`health of cluster "${cluster}" not stored, it is invalid`, result.error);
  return { ...result.data, activeNodes: result.data.activeNodes };
}

/** A snapshot as read back (parsed JSON); throws an Error naming `what` and the first problems when invalid. */
export function fromStoredSnapshot(json: unknown, what: string): RegistrySnapshot {
  const result = Snapshot.safeParse(json);
  if (!result.success) throw invalid(`${what} is invalid`, result.error);
  return result.data;
}

/** One cluster's health as read back (parsed JSON); undefined when it is not one (a foreign or older writer). */
export function fromStoredHealth(json: unknown): ClusterHealth | undefined {
  const result = Health.safeParse(json);
  return result.success ? { ...result.data, activeNodes: result.data.activeNodes } : undefined;
}
