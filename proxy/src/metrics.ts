// The proxy's Prometheus metrics. Label children used per request are bound once, so recording
// costs a property read and an add.
import type { ClusterHealth, Registry } from '@junction/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry as PromRegistry } from 'prom-client';
import type { RequestKind } from './http/classify.js';
import type { ExternalOutcome } from './routing/external-router.js';
import type { UnparsedReason } from './sql/analyser.js';
import type { LookupOutcome } from './sticky/query-owners.js';

export type MetricKind = RequestKind | 'submit' | 'rejected';
const KINDS: readonly MetricKind[] = [
  'submit',
  'statement',
  'query',
  'spooled',
  'info',
  'node',
  'ui',
  'oauth2',
  'cookie',
  'extra',
  'rejected',
];
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const PHASES = ['Pending', 'Healthy', 'Unhealthy', 'Draining'] as const;
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

type CounterChild = ReturnType<Counter['labels']>;
type HistogramChild = ReturnType<Histogram['labels']>;

export class ProxyMetrics {
  readonly registry = new PromRegistry();
  readonly #requests: Record<string, CounterChild[]> = {};
  readonly #duration: Record<string, HistogramChild> = {};
  readonly #upstream: Record<string, HistogramChild> = {};
  readonly #lookups: Counter;
  readonly #cache: Counter;
  readonly #routed: Counter;
  readonly #phase: Gauge;
  readonly #running: Gauge;
  readonly #queued: Gauge;
  readonly #generation: Gauge;
  readonly #problems: Gauge;
  readonly #reloadErrors: Counter;
  readonly #adminDenied: Counter;
  readonly #storeErrors: Counter;
  readonly #redisUp: Gauge;
  readonly #sqlParses: Counter;
  readonly #sqlParseSeconds: Histogram;
  readonly #sqlUnparsed: Counter;
  readonly #external: Counter;
  readonly #externalSeconds: Histogram;
  readonly #externalOpen: Gauge;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'junction_proxy_' });
    const requests = new Counter({
      name: 'junction_requests_total',
      help: 'Requests answered, by request kind and status class',
      labelNames: ['kind', 'status_class'],
      registers: [this.registry],
    });
    const duration = new Histogram({
      name: 'junction_request_duration_seconds',
      help: "Time from a request's arrival until its answer was handed to the client socket (includes the cluster)",
      labelNames: ['kind'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    const upstream = new Histogram({
      name: 'junction_upstream_duration_seconds',
      help: 'Time from sending a request to a cluster until its response headers arrived',
      labelNames: ['kind'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    for (const kind of KINDS) {
      this.#requests[kind] = STATUS_CLASSES.map((statusClass) => requests.labels(kind, statusClass));
      this.#duration[kind] = duration.labels(kind);
      this.#upstream[kind] = upstream.labels(kind);
    }
    this.#cache = new Counter({
      name: 'junction_sticky_cache_total',
      help: "Sticky-store reads: local (this replica's cache), remote (shared store hit), miss",
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.#lookups = new Counter({
      name: 'junction_sticky_lookups_total',
      help: 'Query-id owner lookups: stored (cache or shared store hit), discovered (asked the clusters), unknown, store-error',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.#routed = new Counter({
      name: 'junction_queries_routed_total',
      help: 'New queries routed, by routing group and cluster',
      labelNames: ['group', 'cluster'],
      registers: [this.registry],
    });
    const gauge = (name: string, help: string, labelNames: string[] = []) =>
      new Gauge({ name, help, labelNames, registers: [this.registry] });
    this.#phase = gauge('junction_cluster_phase', 'Cluster phase (1 for the current phase)', ['cluster', 'phase']);
    this.#running = gauge('junction_cluster_running_queries', 'Running queries at the last probe', ['cluster']);
    this.#queued = gauge('junction_cluster_queued_queries', 'Queued queries at the last probe', ['cluster']);
    this.#generation = gauge('junction_registry_generation', 'Generation of the registry snapshot in use');
    this.#problems = gauge('junction_registry_problems', 'Problems reported by the last registry build', ['severity']);
    this.#adminDenied = new Counter({
      name: 'junction_admin_denied_total',
      help: 'Admin API requests turned away with 401, by reason (missing, invalid, expired, unconfigured)',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.#reloadErrors = new Counter({
      name: 'junction_registry_reload_errors_total',
      help: 'Resource reloads rejected as invalid (the last valid registry stays)',
      registers: [this.registry],
    });
    this.#storeErrors = new Counter({
      name: 'junction_sticky_store_errors_total',
      help: 'Shared sticky-store commands that failed',
      registers: [this.registry],
    });
    this.#redisUp = gauge('junction_redis_up', '1 when the shared Redis is reachable');
    this.#sqlParses = new Counter({
      name: 'junction_sql_parses_total',
      help: 'Submitted statements parsed for rules that read sql.*, by outcome (parsed: facts, failed: none)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.#sqlParseSeconds = new Histogram({
      name: 'junction_sql_parse_duration_seconds',
      help: 'Time spent parsing one submitted statement (bounded by routing.sqlFacts.timeBudgetMs)',
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.#sqlUnparsed = new Counter({
      name: 'junction_sql_unparsed_total',
      help: 'Statements routed without SQL facts (sql.parsed false), by reason: too_large, time_budget, syntax, other',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.#external = new Counter({
      name: 'junction_external_routing_total',
      help:
        'Statements the external routing service was asked about, by outcome: routed, no_group, unknown_group ' +
        '(the rules decide), and the failures error_answer, malformed, http_error, timeout, unreachable, circuit_open',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    this.#externalSeconds = new Histogram({
      name: 'junction_external_routing_duration_seconds',
      help: 'Time the external routing service took to answer (or to fail), by outcome',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.#externalOpen = gauge(
      'junction_external_routing_circuit_open',
      '1 while the external routing service is not asked after repeated failures',
    );
  }

  /** One statement's question to the external routing service; `seconds` undefined when none was sent. */
  externalRouting(outcome: ExternalOutcome, seconds: number | undefined): void {
    this.#external.inc({ outcome });
    if (seconds !== undefined) this.#externalSeconds.observe({ outcome }, seconds);
  }

  externalCircuit(open: boolean): void {
    this.#externalOpen.set(open ? 1 : 0);
  }

  /** The SQL parser ran on a submission for rules that read sql.*. */
  /** An admin request without valid credentials (bound: passed to the admin server as a callback). */
  readonly adminDenied = (reason: string): void => {
    this.#adminDenied.inc({ reason });
  };

  sqlParsed(seconds: number, ok: boolean): void {
    this.#sqlParses.inc({ outcome: ok ? 'parsed' : 'failed' });
    this.#sqlParseSeconds.observe(seconds);
  }

  /** A submission that rules asked about got no SQL facts. */
  sqlUnparsed(reason: UnparsedReason): void {
    this.#sqlUnparsed.inc({ reason });
  }

  /** One answered request; `seconds` from arrival until the answer was written (cluster time included). */
  request(kind: MetricKind, status: number, seconds: number): void {
    const index = Math.min(Math.max(Math.floor(status / 100) - 1, 0), 4);
    this.#requests[kind]?.[index]?.inc();
    this.#duration[kind]?.observe(seconds);
  }

  /** Time until a cluster's response headers arrived. */
  upstream(kind: MetricKind, seconds: number): void {
    this.#upstream[kind]?.observe(seconds);
  }

  cache(outcome: 'local' | 'remote' | 'miss'): void {
    this.#cache.inc({ outcome });
  }

  lookup(outcome: LookupOutcome): void {
    this.#lookups.inc({ outcome });
  }

  routed(group: string, cluster: string): void {
    this.#routed.inc({ group, cluster });
  }

  storeError(): void {
    this.#storeErrors.inc();
  }

  reloadError(): void {
    this.#reloadErrors.inc();
  }

  redisUp(up: boolean): void {
    this.#redisUp.set(up ? 1 : 0);
  }

  registryChanged(registry: Registry): void {
    this.#generation.set(registry.generation);
    this.#problems.set({ severity: 'error' }, registry.problems.filter((p) => p.severity === 'error').length);
    this.#problems.set({ severity: 'warning' }, registry.problems.filter((p) => p.severity === 'warning').length);
    this.#phase.reset();
    this.#running.reset();
    this.#queued.reset();
  }

  clusterHealth(name: string, health: ClusterHealth, enabled: boolean): void {
    const phase = enabled ? health.phase : 'Draining';
    for (const candidate of PHASES) this.#phase.set({ cluster: name, phase: candidate }, candidate === phase ? 1 : 0);
    this.#running.set({ cluster: name }, health.runningQueries);
    this.#queued.set({ cluster: name }, health.queuedQueries);
  }
}
