// Query management's Prometheus metrics: queue length per group and class, time waited, slots in
// use against each cluster's limit, rejections by reason, how fast a freed slot is refilled, and slots
// the query list reconciliation freed.
import type { QueueSnapshot, Registry } from '@junction/shared';
import { DEFAULT_CLASS } from '@junction/shared';
import { Counter, Gauge, Histogram, type Registry as PromRegistry } from 'prom-client';

const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const HANDOVER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export type QueueRejection = 'queue-full' | 'admission' | 'timeout' | 'no-capacity';

export class QueueMetrics {
  readonly #queued: Gauge;
  readonly #running: Gauge;
  readonly #limit: Gauge;
  readonly #wait: Histogram;
  readonly #handover: Histogram;
  readonly #rejected: Counter;
  readonly #outcomes: Counter;
  readonly #listReleased: Counter;

  constructor(registry: PromRegistry) {
    const registers = [registry];
    this.#queued = new Gauge({
      name: 'junction_queue_queries',
      help: 'Queries waiting in a routing group, by priority class (all replicas)',
      labelNames: ['group', 'class'],
      registers,
    });
    this.#running = new Gauge({
      name: 'junction_cluster_admitted_queries',
      help: 'Queries Junction counts as running on a cluster (all replicas)',
      labelNames: ['cluster'],
      registers,
    });
    this.#limit = new Gauge({
      name: 'junction_cluster_max_running_queries',
      help: 'TrinoCluster.spec.maxRunningQueries (absent = unlimited)',
      labelNames: ['cluster'],
      registers,
    });
    this.#wait = new Histogram({
      name: 'junction_queue_wait_seconds',
      help: 'Time a query waited in the queue before it was sent to a cluster (or gave up)',
      labelNames: ['group', 'outcome'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.#handover = new Histogram({
      name: 'junction_queue_handover_seconds',
      help: 'From a slot freeing (or a dispatch round starting) until the queued query was sent to its cluster',
      buckets: HANDOVER_BUCKETS,
      registers,
    });
    this.#rejected = new Counter({
      name: 'junction_queue_rejections_total',
      help: 'Queries refused or failed by query management, by group and reason',
      labelNames: ['group', 'reason'],
      registers,
    });
    this.#outcomes = new Counter({
      name: 'junction_queue_admissions_total',
      help: 'Submissions through admission: run at once or queued',
      labelNames: ['group', 'outcome'],
      registers,
    });
    this.#listReleased = new Counter({
      name: 'junction_queue_query_list_releases_total',
      help: "Slots freed because the cluster's query list showed the query done or no longer listed it",
      labelNames: ['cluster', 'reason'],
      registers,
    });
  }

  listReleased(cluster: string, reason: 'done' | 'unlisted'): void {
    this.#listReleased.inc({ cluster, reason });
  }

  admitted(group: string, outcome: 'run' | 'queued'): void {
    this.#outcomes.inc({ group, outcome });
  }

  rejected(group: string, reason: QueueRejection): void {
    this.#rejected.inc({ group, reason });
  }

  waited(group: string, outcome: 'sent' | 'failed' | 'cancelled', seconds: number): void {
    this.#wait.observe({ group, outcome }, seconds);
  }

  handover(seconds: number): void {
    this.#handover.observe(seconds);
  }

  /** Gauges from the store's shared view, refreshed every sweep. */
  snapshot(snapshot: QueueSnapshot, registry: Registry): void {
    this.#queued.reset();
    for (const group of registry.groups.values()) {
      const counts = snapshot.queued.get(group.name) ?? [];
      const names = [...group.queue.classes.map((entry) => entry.name), DEFAULT_CLASS];
      names.forEach((name, index) => {
        this.#queued.set({ group: group.name, class: name }, counts[index] ?? 0);
      });
    }
    this.#running.reset();
    this.#limit.reset();
    for (const cluster of registry.clusters.values()) {
      this.#running.set({ cluster: cluster.name }, snapshot.running.get(cluster.name) ?? 0);
      if (cluster.maxRunningQueries !== undefined)
        this.#limit.set({ cluster: cluster.name }, cluster.maxRunningQueries);
    }
  }
}
