// The admin listener, on its own port apart from Trino traffic: liveness, readiness, Prometheus
// metrics and a JSON view of the live registry with each cluster's health.
import type { Server } from 'node:http';
import { type ClusterHealth, createAdminServer, type Registry, sendJson } from '@junction/shared';
import type { ProxyMetrics } from './metrics.js';

export interface AdminOptions {
  readonly registry: () => Registry;
  readonly health: (name: string) => ClusterHealth;
  readonly metrics: ProxyMetrics;
  /** Reasons the proxy is not ready yet; empty when ready. */
  readonly notReadyReasons: () => string[];
  /** Reasons the proxy runs degraded while staying ready (e.g. Redis lost after start-up). */
  readonly degradedReasons: () => string[];
}

/** The proxy's admin listener: the shared endpoints plus a JSON view of the live registry and health. */
export function createProxyAdminServer(options: AdminOptions): Server {
  return createAdminServer({
    metrics: options.metrics.registry,
    readiness: () => {
      const reasons = options.notReadyReasons();
      const degraded = options.degradedReasons();
      const status = reasons.length > 0 ? 'not ready' : degraded.length > 0 ? 'degraded' : 'ready';
      return { ready: reasons.length === 0, body: { status, reasons, degraded } };
    },
    routes: (path, _req, res) => {
      const view = VIEWS[path];
      if (view === undefined) return false;
      sendJson(res, 200, view(options));
      return true;
    },
  });
}

const VIEWS: Record<string, (options: AdminOptions) => unknown> = {
  '/api/v1/clusters': clustersView,
  '/api/v1/groups': groupsView,
  '/api/v1/registry': registryView,
};

function registryView(options: AdminOptions): object {
  const registry = options.registry();
  return { generation: registry.generation, defaultGroup: registry.defaultGroup ?? null, problems: registry.problems };
}

function clustersView(options: AdminOptions): object[] {
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
    };
  });
}

function groupsView(options: AdminOptions): object[] {
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
    rulesValid: group.rulesValid,
    rules: group.rules.map((rule) => ({ name: rule.name, condition: rule.condition })),
  }));
}
