// Where the proxy's registry and cluster health come from. Standalone: resource files it watches
// and a prober of its own. With the operator: the snapshot and health the operator leader
// publishes in Redis (no `resources` in the config, `redis` set).
import {
  type ClusterHealth,
  ConfigError,
  type GatewayConfig,
  HealthMonitor,
  type Logger,
  RedisRegistryStore,
  type Registry,
} from '@junction/shared';
import type { Redis } from 'ioredis';
import type { ProxyMetrics } from './metrics.js';
import { RedisRegistrySource } from './redis-registry-source.js';
import { FileRegistrySource, type RegistrySource } from './registry-source.js';
import type { HealthView } from './router.js';
import { SharedHealthView } from './shared-health.js';

/** Cluster health as the router and admin endpoints read it. */
export interface ProxyHealth extends HealthView {
  /** Forwarding could not connect: Unhealthy here until a newer successful probe. */
  markUnreachable(name: string, message: string): void;
  /** Resolves after the first complete round of health information. */
  readonly firstRound: Promise<void>;
  /** Probes (standalone) or re-reads (Redis) now. */
  probeNow(): Promise<void>;
}

export interface RegistryMode {
  readonly source: RegistrySource;
  readonly health: ProxyHealth;
  /** Reasons the registry is not usable yet (for /readyz). */
  notReady(): string[];
  close(): Promise<void>;
}

export async function registryMode(
  config: GatewayConfig,
  redis: Redis | undefined,
  metrics: ProxyMetrics,
  log: Logger,
): Promise<RegistryMode> {
  // Rises on every health change (including local unreachable marks) so the router's cached
  // routable members stay exact without re-reading every member's health per request.
  let healthVersion = 0;
  const onHealth = (registry: () => Registry) => (name: string, state: ClusterHealth, previous: ClusterHealth) => {
    healthVersion++;
    metrics.clusterHealth(name, state, registry().clusters.get(name)?.enabled ?? true);
    if (state.phase === previous.phase) return;
    const level = state.phase === 'Unhealthy' ? 'warn' : 'info';
    log.log(level, 'cluster phase changed', {
      cluster: name,
      from: previous.phase,
      to: state.phase,
      detail: state.message,
    });
  };
  let probed = false;
  const markProbed = (health: ProxyHealth) => {
    void health.firstRound.then(() => {
      probed = true;
    });
  };

  if (config.resources !== undefined) {
    const source = new FileRegistrySource({
      files: config.resources.files,
      defaultRoutingGroup: config.routing.defaultRoutingGroup,
      logger: log,
      onRejected: () => metrics.reloadError(),
    }).watch();
    const monitor = new HealthMonitor({ onChange: onHealth(() => source.current()) });
    monitor.update(source.current());
    source.onChange((registry) => monitor.update(registry));
    const health: ProxyHealth = {
      get: (name) => monitor.get(name),
      version: () => healthVersion,
      markUnreachable: (name, message) => {
        healthVersion++;
        monitor.markUnreachable(name, message);
      },
      firstRound: monitor.firstRound,
      probeNow: () => monitor.probeNow(),
    };
    markProbed(health);
    return {
      source,
      health,
      notReady: () => (probed ? [] : ['first health-probe round not finished']),
      close: async () => {
        source.close();
        monitor.stop();
      },
    };
  }

  if (redis === undefined || config.redis === undefined) {
    throw new ConfigError(
      'resources.files: required in standalone mode (no redis): list the TrinoCluster/RoutingGroup manifest files, ' +
        'or set redis to read the registry the operator publishes',
    );
  }
  const store = new RedisRegistryStore(redis, config.redis.keyPrefix);
  const source = await RedisRegistrySource.start({
    store,
    defaultRoutingGroup: config.routing.defaultRoutingGroup,
    logger: log,
    onError: () => metrics.storeError(),
  });
  const view = SharedHealthView.start({ store, onChange: onHealth(() => source.current()) });
  const health: ProxyHealth = {
    get: (name) => view.get(name),
    version: () => healthVersion,
    markUnreachable: (name, message) => {
      healthVersion++;
      view.markUnreachable(name, message);
    },
    firstRound: view.firstRound,
    probeNow: () => view.refresh(),
  };
  markProbed(health);
  return {
    source,
    health,
    notReady: () => [
      ...(source.hasSnapshot() ? [] : ['no registry snapshot in Redis yet (is the operator running?)']),
      ...(probed ? [] : ['cluster health not read from Redis yet']),
    ],
    close: async () => {
      view.stop();
      await source.close();
      await store.close();
    },
  };
}
