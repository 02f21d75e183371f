// The admin listener, on its own port apart from Trino traffic: liveness, readiness, Prometheus
// metrics and a JSON view of the live registry with each cluster's health.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ClusterHealth, Registry } from '@junction/shared';
import type { ProxyMetrics } from './metrics.js';
import { sendJson } from './respond.js';

export interface AdminOptions {
  readonly registry: () => Registry;
  readonly health: (name: string) => ClusterHealth;
  readonly metrics: ProxyMetrics;
  /** Reasons the proxy is not ready yet; empty when ready. */
  readonly notReadyReasons: () => string[];
  /** Reasons the proxy runs degraded while staying ready (e.g. Redis lost after start-up). */
  readonly degradedReasons: () => string[];
}

export function createAdminServer(options: AdminOptions): Server {
  return createServer((req, res) => {
    handle(options, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 500, message: 'admin endpoint failed' } });
      else res.destroy();
    });
  });
}

async function handle(options: AdminOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendJson(res, 405, { error: { code: 405, message: 'only GET is supported' } });
  }
  switch (path) {
    case '/livez':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz': {
      const reasons = options.notReadyReasons();
      const degraded = options.degradedReasons();
      const status = reasons.length > 0 ? 'not ready' : degraded.length > 0 ? 'degraded' : 'ready';
      return sendJson(res, reasons.length === 0 ? 200 : 503, { status, reasons, degraded });
    }
    case '/metrics': {
      const body = await options.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
      res.end(body);
      return;
    }
    case '/api/v1/clusters':
      return sendJson(res, 200, clustersView(options));
    case '/api/v1/groups':
      return sendJson(res, 200, groupsView(options));
    case '/api/v1/registry': {
      const registry = options.registry();
      return sendJson(res, 200, {
        generation: registry.generation,
        defaultGroup: registry.defaultGroup ?? null,
        problems: registry.problems,
      });
    }
    default:
      return sendJson(res, 404, { error: { code: 404, message: `no admin endpoint ${path}` } });
  }
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
    // The members a new query of this group can go to right now (the router's rule: Healthy,
    // enabled, weight > 0), so operators and tests can wait on a swap instead of sampling queries.
    routableClusters: group.members.filter((name) => {
      const cluster = registry.clusters.get(name);
      return cluster?.enabled === true && cluster.weight > 0 && options.health(name).phase === 'Healthy';
    }),
    rulesValid: group.rulesValid,
    rules: group.rules.map((rule) => ({ name: rule.name, condition: rule.condition })),
  }));
}
