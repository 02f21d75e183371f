// The leader's work: turn the cached resources into a registry, publish it when its content changes,
// probe every cluster, keep health in the store and `.status` on the resources current (queue counts
// included, read from the proxies' shared queue). One keyed queue serialises it: "registry",
// "TrinoCluster/<name>", "RoutingGroup/<name>", "health/<name>", "queue".
import {
  buildRegistry,
  DEFAULT_ROUTING_GROUP,
  HealthMonitor,
  type HealthMonitorOptions,
  type Logger,
  type QueueStore,
  type Registry,
  type RegistryStore,
  type ResourceKind,
  type RoutingGroup,
  type TrinoCluster,
} from '@junction/shared';
import { KubeApiError } from './kube.js';
import type { KubeObject, StatusClient } from './kube-types.js';
import type { OperatorMetrics, ReconcileKind } from './metrics.js';
import { WorkQueue } from './queue.js';
import { contentKey, publishable, resourceKey, type ValidatedResources, validateResources } from './resources.js';
import { clusterStatus, groupStatus, invalidStatus, type Status } from './status.js';
import { StatusWriter } from './status-writer.js';

export interface ReconcilerOptions {
  readonly store: RegistryStore;
  readonly kube: StatusClient;
  readonly clusters: () => readonly KubeObject[];
  readonly groups: () => readonly KubeObject[];
  /** Checked before every write: a replica that lost its Lease must not write. */
  readonly isLeader: () => boolean;
  readonly metrics: OperatorMetrics;
  readonly logger: Logger;
  readonly probeConcurrency?: number;
  /** Replaces the network probe. Test-only: reconcile.test.ts probes without a Trino to reach. */
  readonly probe?: HealthMonitorOptions['probe'];
  /** The proxies' shared queue: its counts go into status every `queueIntervalMs` (0 or absent = never). */
  readonly queue?: Pick<QueueStore, 'snapshot'>;
  readonly queueIntervalMs?: number;
}

const REGISTRY = 'registry';
const HEALTH = 'health/';
const QUEUE = 'queue';

type Counts = ReadonlyMap<string, number>;
/** What the shared queue counted at the last read: admitted per cluster, queued per group. */
interface QueueCounts {
  readonly admitted: Counts;
  readonly queued: Counts;
}

export class Reconciler {
  private readonly queue: WorkQueue;
  private readonly monitor: HealthMonitor;
  private readonly writer: StatusWriter;
  private registry: Registry | undefined;
  private valid: ValidatedResources | undefined;
  /** Undefined until the first publish: a new leader publishes once, then only on change. */
  private publishedKey: string | undefined;
  private seeded = false;
  private staleHealthSwept = false;
  private generation = 0;
  private counts: QueueCounts | undefined;
  private queueTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReconcilerOptions) {
    this.writer = new StatusWriter(options.kube, options.metrics, options.logger);
    this.monitor = new HealthMonitor({
      concurrency: options.probeConcurrency ?? 16,
      onChange: (name) => this.healthChanged(name),
      ...(options.probe ? { probe: options.probe } : {}),
    });
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      concurrency: 4,
      baseDelayMs: 250,
      maxDelayMs: 30_000,
      onError: (key, error, failures) =>
        options.logger.warn('reconcile failed; will retry', { key, failures, error: String(error) }),
    });
  }

  start(): void {
    this.queue.add(REGISTRY);
    const every = this.options.queueIntervalMs ?? 0;
    if (this.options.queue !== undefined && every > 0) {
      this.queue.add(QUEUE);
      this.queueTimer = setInterval(() => this.queue.add(QUEUE), every);
      this.queueTimer.unref();
    }
  }

  /** Any add, update or delete of a watched resource. */
  changed(kind: ResourceKind, object: KubeObject): void {
    this.queue.add(REGISTRY);
    this.queue.add(resourceKey(kind, object.metadata.name));
  }

  /** Resolves when no work is queued or running. Test-only: the operator tests wait on it instead of sleeping. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops probing and waits for running work, so nothing is written after it resolves. */
  async stop(): Promise<void> {
    clearInterval(this.queueTimer);
    this.monitor.stop();
    await this.queue.shutdown();
  }

  private async reconcile(key: string): Promise<void> {
    if (!this.options.isLeader()) return;
    const kind: ReconcileKind =
      key === REGISTRY ? 'registry' : key === QUEUE ? 'queue' : key.startsWith(HEALTH) ? 'health' : 'status';
    try {
      if (kind === 'registry') await this.reconcileRegistry();
      else if (kind === 'queue') await this.reconcileQueue();
      else if (kind === 'health') await this.reconcileHealth(key.slice(HEALTH.length));
      else await this.reconcileStatus(key);
      this.options.metrics.reconciled(kind, true);
    } catch (error) {
      this.options.metrics.reconciled(kind, false);
      throw error;
    }
  }

  /** A new leader continues from the stored snapshot: its groups carry the last valid rules. */
  private async seed(): Promise<void> {
    const snapshot = await this.options.store.read();
    if (snapshot !== undefined) {
      this.generation = snapshot.generation;
      this.registry = this.build(snapshot.clusters, snapshot.groups, undefined);
    }
    this.seeded = true;
  }

  private build(clusters: readonly TrinoCluster[], groups: readonly RoutingGroup[], previous?: Registry) {
    return buildRegistry({
      clusters,
      groups,
      // Only the problems the operator logs depend on it: they warn as a proxy with the default
      // routing.defaultRoutingGroup would. Each proxy routes by its own setting.
      defaultRoutingGroup: DEFAULT_ROUTING_GROUP,
      generation: this.generation,
      ...(previous ? { previous } : {}),
    });
  }

  private async reconcileRegistry(): Promise<void> {
    if (!this.seeded) await this.seed();
    const clusters = this.options.clusters();
    const groups = this.options.groups();
    const valid = validateResources(clusters, groups);
    const registry = this.build(valid.clusters, valid.groups, this.registry);
    const removed = [...(this.registry?.clusters.keys() ?? [])].filter((name) => !registry.clusters.has(name));
    this.registry = registry;
    this.valid = valid;
    this.options.metrics.invalidResources(valid.invalid.size);
    // Probing and status follow the resources even while the store is unreachable.
    this.monitor.update(registry);
    for (const name of removed) this.queue.add(HEALTH + name);
    for (const object of clusters) this.queue.add(resourceKey('TrinoCluster', object.metadata.name));
    for (const object of groups) this.queue.add(resourceKey('RoutingGroup', object.metadata.name));

    const resources = publishable(valid, registry);
    const key = contentKey(resources);
    if (key !== this.publishedKey && this.options.isLeader()) {
      this.generation = await this.options.store.publish(resources);
      this.publishedKey = key;
      this.options.metrics.published(this.generation);
      this.options.logger.info('published the registry', {
        generation: this.generation,
        clusters: resources.clusters.length,
        groups: resources.groups.length,
        problems: registry.problems.map((problem) => `${problem.kind} ${problem.name}: ${problem.message}`),
      });
    }
    if (!this.staleHealthSwept) {
      // Clusters deleted while no leader ran still have health entries.
      for (const name of (await this.options.store.readHealth()).keys()) {
        if (!registry.clusters.has(name)) this.queue.add(HEALTH + name);
      }
      this.staleHealthSwept = true;
    }
  }

  private async reconcileHealth(name: string): Promise<void> {
    if (this.registry?.clusters.has(name)) {
      const health = this.monitor.get(name);
      // Before its first probe a cluster's health is unknown here; keep what the store has.
      if (health.probedAt > 0) await this.options.store.writeHealth(name, health);
    } else {
      await this.options.store.removeHealth(name);
    }
  }

  /** Reads the shared queue; the resources whose counts changed get their status written again. */
  private async reconcileQueue(): Promise<void> {
    const queue = this.options.queue;
    if (queue === undefined) return;
    const snapshot = await queue.snapshot(Date.now());
    const queued = new Map<string, number>();
    for (const [group, classes] of snapshot.queued) {
      let total = 0;
      for (const count of classes) total += count;
      queued.set(group, total);
    }
    const previous = this.counts;
    this.counts = { admitted: snapshot.running, queued };
    const changed = (kind: ResourceKind, before: Counts | undefined, after: Counts) => {
      for (const object of kind === 'TrinoCluster' ? this.options.clusters() : this.options.groups()) {
        const name = object.metadata.name;
        if (before === undefined || (before.get(name) ?? 0) !== (after.get(name) ?? 0)) {
          this.queue.add(resourceKey(kind, name));
        }
      }
    };
    changed('TrinoCluster', previous?.admitted, snapshot.running);
    changed('RoutingGroup', previous?.queued, queued);
  }

  private async reconcileStatus(key: string): Promise<void> {
    const registry = this.registry;
    const valid = this.valid;
    // The registry key runs first and queues every status key again afterwards.
    if (registry === undefined || valid === undefined) return;
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash) as ResourceKind;
    const name = key.slice(slash + 1);
    const object = (kind === 'TrinoCluster' ? this.options.clusters() : this.options.groups()).find(
      (candidate) => candidate.metadata.name === name,
    );
    if (object === undefined) {
      this.writer.forget(kind, name);
      return;
    }
    const desired = this.desiredStatus(kind, object, registry, valid);
    if (desired === undefined || !this.options.isLeader()) return;
    try {
      await this.writer.write(kind, object, desired);
    } catch (error) {
      // Deleted since it was cached: the delete event brings the key back and it is forgotten then.
      if (error instanceof KubeApiError && error.status === 404) return;
      throw error;
    }
  }

  /** Undefined when there is nothing to say yet: resource newer than the registry, or not probed yet. */
  private desiredStatus(
    kind: ResourceKind,
    object: KubeObject,
    registry: Registry,
    valid: ValidatedResources,
  ): Status | undefined {
    const key = resourceKey(kind, object.metadata.name);
    const previous = this.writer.current(kind, object);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const invalid = valid.invalid.get(key);
    if (invalid !== undefined) return invalidStatus(object.metadata.generation, invalid, previous, now);
    const name = object.metadata.name;
    if (kind === 'TrinoCluster') {
      const cluster = valid.clusters.find((candidate) => candidate.metadata.name === name);
      const health = this.monitor.get(name);
      if (cluster === undefined || health.probedAt === 0) return undefined;
      return clusterStatus({
        generation: cluster.metadata.generation,
        enabled: cluster.spec.enabled,
        entry: registry.clusters.get(name),
        health,
        admitted: this.counts === undefined ? undefined : (this.counts.admitted.get(name) ?? 0),
        previous,
        now,
      });
    }
    const group = valid.groups.find((candidate) => candidate.metadata.name === name);
    const entry = registry.groups.get(name);
    if (group === undefined) return undefined;
    if (entry?.members.some((member) => this.monitor.get(member).probedAt === 0)) return undefined;
    return groupStatus({
      generation: group.metadata.generation,
      entry,
      clusters: registry.clusters,
      health: (cluster) => this.monitor.get(cluster),
      problems: registry.problems.filter((problem) => problem.kind === 'RoutingGroup' && problem.name === name),
      queued: this.counts === undefined ? undefined : (this.counts.queued.get(name) ?? 0),
      previous,
      now,
    });
  }

  private healthChanged(name: string): void {
    this.queue.add(HEALTH + name);
    this.queue.add(resourceKey('TrinoCluster', name));
    for (const group of this.registry?.clusters.get(name)?.groups ?? []) {
      this.queue.add(resourceKey('RoutingGroup', group));
    }
  }
}
