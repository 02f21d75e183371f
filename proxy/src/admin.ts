// The admin listener, on its own port apart from Trino traffic: liveness, readiness, Prometheus
// metrics, a JSON view of the live registry with each cluster's health, the queue and query history.
import type { Server } from 'node:http';
import {
  type AdminAuthenticator,
  type ClusterHealth,
  createAdminServer,
  DEFAULT_CLASS,
  describeAdmission,
  type HistoryStore,
  type QueueSnapshot,
  type QueueStore,
  type Registry,
  sendJson,
} from '@junction/shared';
import { serveHistory } from './history/admin-views.js';
import type { ProxyMetrics } from './metrics.js';

export interface AdminOptions {
  readonly registry: () => Registry;
  readonly health: (name: string) => ClusterHealth;
  readonly metrics: ProxyMetrics;
  /** Reasons the proxy is not ready yet; empty when ready. */
  readonly notReadyReasons: () => string[];
  /** Reasons the proxy runs degraded while staying ready (e.g. Redis lost after start-up). */
  readonly degradedReasons: () => string[];
  /** Query management's shared state (counts, the queue). */
  readonly queue: QueueStore;
  /** Who may read the admin views (everything but the open paths). */
  readonly auth: AdminAuthenticator;
  /** Query history; undefined when history is off (the API answers empty). */
  readonly history: HistoryStore | undefined;
}

/** The proxy's admin listener: the shared endpoints plus a JSON view of the live registry and health. */
export function createProxyAdminServer(options: AdminOptions): Server {
  return createAdminServer({
    metrics: options.metrics.registry,
    auth: options.auth,
    onDenied: options.metrics.adminDenied,
    readiness: () => {
      const reasons = options.notReadyReasons();
      const degraded = options.degradedReasons();
      const status = reasons.length > 0 ? 'not ready' : degraded.length > 0 ? 'degraded' : 'ready';
      return { ready: reasons.length === 0, body: { status, reasons, degraded } };
    },
    routes: async (path, req, res) => {
      if (await serveHistory(options.history, path, req, res)) return true;
      const view = VIEWS[path];
      if (view === undefined) return false;
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      sendJson(res, 200, await view(options, query));
      return true;
    },
  });
}

type View = (options: AdminOptions, query: URLSearchParams) => unknown;

const VIEWS: Record<string, View> = {
  '/api/v1/clusters': async (options) => clustersView(options, await snapshot(options)),
  '/api/v1/groups': async (options) => groupsView(options, await snapshot(options)),
  '/api/v1/registry': registryView,
  '/api/v1/queue': queueView,
};

/** Counts from query management; empty while its store is unreachable (the views still answer). */
async function snapshot(options: AdminOptions): Promise<QueueSnapshot | undefined> {
  if (!options.registry().managesQueries) return undefined;
  return options.queue.snapshot(Date.now()).catch(() => undefined);
}

/** Queued queries, oldest first (`?group=` one group, `?limit=` at most that many, default 100). */
async function queueView(options: AdminOptions, query: URLSearchParams): Promise<object> {
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 100) || 100, 1), 10_000);
  const entries = await options.queue.list(query.get('group') ?? undefined, limit);
  return {
    queries: entries.map((entry) => ({
      id: entry.id,
      group: entry.group,
      priorityClass: entry.className,
      state: entry.state,
      user: entry.user,
      source: entry.source,
      queuedAt: new Date(entry.enqueuedAt).toISOString(),
      sql: entry.sql,
    })),
  };
}

function registryView(options: AdminOptions): object {
  const registry = options.registry();
  return { generation: registry.generation, defaultGroup: registry.defaultGroup ?? null, problems: registry.problems };
}

function clustersView(options: AdminOptions, counts: QueueSnapshot | undefined): object[] {
  return [...options.registry().clusters.values()].map((cluster) => {
    const health = options.health(cluster.name);
    return {
      name: cluster.name,
      url: cluster.url,
      externalUrl: cluster.externalUrl,
      enabled: cluster.enabled,
      weight: cluster.weight,
      labels: cluster.labels,
      routingGroups: cluster.groups,
      phase: cluster.enabled ? health.phase : 'Draining',
      health: health.phase,
      runningQueries: health.runningQueries,
      queuedQueries: health.queuedQueries,
      activeNodes: health.activeNodes ?? null,
      probedAt: health.probedAt === 0 ? null : new Date(health.probedAt).toISOString(),
      message: health.message,
      maxRunningQueries: cluster.maxRunningQueries ?? null,
      admittedQueries: counts?.running.get(cluster.name) ?? 0,
    };
  });
}

function groupsView(options: AdminOptions, counts: QueueSnapshot | undefined): object[] {
  const registry = options.registry();
  return [...registry.groups.values()].map((group) => ({
    name: group.name,
    default: group.name === registry.defaultGroup,
    strategy: group.strategy,
    priority: group.priority,
    fallbackGroup: group.fallbackGroup ?? null,
    clusters: group.members,
    healthyClusters: group.members.filter((name) => {
      const cluster = registry.clusters.get(name);
      return cluster?.enabled === true && options.health(name).phase === 'Healthy';
    }).length,
    // The members a new query of this group can go to right now (the router's rule: Healthy,
    // enabled, weight > 0), so operators and tests can wait on a swap instead of sampling queries.
    routableClusters: group.members.filter((name) => {
      const cluster = registry.clusters.get(name);
      return cluster?.enabled === true && cluster.weight > 0 && options.health(name).phase === 'Healthy';
    }),
    rulesValid: group.rulesValid,
    rules: group.rules.map((rule) => ({ name: rule.name, condition: rule.condition })),
    queue: {
      maxQueued: group.queue.maxQueued,
      maxWaitSeconds: group.queue.maxWaitMs / 1000,
      fairShare: group.queue.fairShare,
      priorityClasses: [
        ...group.queue.classes.map(({ name, condition }) => ({ name, condition })),
        { name: DEFAULT_CLASS },
      ],
      queued: (counts?.queued.get(group.name) ?? []).reduce((sum, count) => sum + count, 0),
    },
    admission: {
      summary: describeAdmission(group.admission),
      limits: group.admission.map(({ name, condition, key, maxConcurrent, maxPerSecond, burst, onExceed }) => ({
        name,
        condition,
        key,
        maxConcurrent: maxConcurrent ?? null,
        maxPerSecond: maxPerSecond ?? null,
        burst,
        onExceed,
        ...admittedUnder(counts, `${group.name}/${name}/`),
      })),
    },
  }));
}

/** Queries admitted under one limit (buckets `<group>/<limit>/<key value>`), and how many key values hold them. */
function admittedUnder(counts: QueueSnapshot | undefined, prefix: string): { admitted: number; keys: number } {
  let admitted = 0;
  let keys = 0;
  for (const [bucket, count] of counts?.buckets ?? []) {
    if (!bucket.startsWith(prefix) || count <= 0) continue;
    admitted += count;
    keys++;
  }
  return { admitted, keys };
}
