// The operator's Prometheus metrics, in one place so the rest of the code records through named methods.
import { Counter, collectDefaultMetrics, Gauge, Registry as PromRegistry } from 'prom-client';

export type ReconcileKind = 'registry' | 'status' | 'health' | 'queue';

export class OperatorMetrics {
  readonly registry = new PromRegistry();
  readonly #leader: Gauge;
  readonly #reconciles: Counter;
  readonly #publishes: Counter;
  readonly #generation: Gauge;
  readonly #patches: Counter;
  readonly #events: Counter;
  readonly #invalid: Gauge;
  readonly #synced: Gauge;
  readonly #restarts: Counter;
  readonly #watches: Counter;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'junction_operator_' });
    const registers = [this.registry];
    this.#leader = new Gauge({
      name: 'junction_operator_leader',
      help: '1 while this replica holds the leader Lease',
      registers,
    });
    this.#reconciles = new Counter({
      name: 'junction_operator_reconciles_total',
      help: 'Work queue runs, by what was reconciled and the outcome',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.#publishes = new Counter({
      name: 'junction_operator_registry_publishes_total',
      help: 'Registry snapshots published to Redis (only when the content changed, and once per takeover)',
      registers,
    });
    this.#generation = new Gauge({
      name: 'junction_operator_registry_generation',
      help: 'Generation of the last snapshot this replica published',
      registers,
    });
    this.#patches = new Counter({
      name: 'junction_operator_status_patches_total',
      help: 'Status merge-patches sent, by resource kind',
      labelNames: ['kind'],
      registers,
    });
    this.#events = new Counter({
      name: 'junction_operator_events_total',
      help: 'Kubernetes Events created, by type',
      labelNames: ['type'],
      registers,
    });
    this.#invalid = new Gauge({
      name: 'junction_operator_invalid_resources',
      help: 'Resources left out of the registry because they fail validation',
      registers,
    });
    this.#synced = new Gauge({
      name: 'junction_operator_cache_synced',
      help: '1 once the informer cache of a kind holds a complete list',
      labelNames: ['kind'],
      registers,
    });
    this.#restarts = new Counter({
      name: 'junction_operator_watch_restarts_total',
      help: 'Informer restarts after a list or watch error, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.#watches = new Counter({
      name: 'junction_operator_watches_total',
      help: 'Watches started on a complete cache (first sync, periodic relists, resumes), by kind',
      labelNames: ['kind'],
      registers,
    });
  }

  leader(leading: boolean): void {
    this.#leader.set(leading ? 1 : 0);
  }

  reconciled(kind: ReconcileKind, ok: boolean): void {
    this.#reconciles.inc({ kind, result: ok ? 'ok' : 'error' });
  }

  published(generation: number): void {
    this.#publishes.inc();
    this.#generation.set(generation);
  }

  statusPatched(kind: string): void {
    this.#patches.inc({ kind });
  }

  event(type: string): void {
    this.#events.inc({ type });
  }

  invalidResources(count: number): void {
    this.#invalid.set(count);
  }

  synced(kind: string, synced: boolean): void {
    this.#synced.set({ kind }, synced ? 1 : 0);
  }

  watchRestarted(kind: string): void {
    this.#restarts.inc({ kind });
  }

  watchStarted(kind: string): void {
    this.#watches.inc({ kind });
  }
}
