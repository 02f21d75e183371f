// Where the proxy's registry and cluster health come from. Standalone: resource files it watches
// and a prober of its own. With the operator: the snapshot and health the operator leader
// publishes in Redis (no `resources` in the config, `redis` set).

import type { RedisClient } from '@junction/shared';
import {
  type ClusterHealth,
  ConfigError,
  type GatewayConfig,
  HealthMonitor,
  type Logger,
  RedisRegistryStore,
  type Registry,
} from '@junction/shared';
import type { ProxyMetrics } from '../metrics.js';
import { FileRegistrySource } from './file-source.js';
import { type ProxyHealth, proxyHealth } from './health-view.js';
import { RedisRegistrySource } from './redis-source.js';
import { SharedHealthView } from './shared-health.js';
import type { RegistrySource } from './source.js';

export interface RegistryMode {
  readonly source: RegistrySource;
  readonly health: ProxyHealth;
  /** Reasons the registry is not usable yet (for /readyz). */
  notReady(): string[];
  close(): Promise<void>;
}

export async function registryMode(
  config: GatewayConfig,
  redis: RedisClient | undefined,
  metrics: ProxyMetrics,
  log: Logger,
): Promise<RegistryMode> {
  // Rises on every health change (including local unreachable marks) so the router's cached
  // routable members stay exact without re-reading every member's health per request.
  const version = { value: 0 };
  const onHealth = (registry: () => Registry) => (name: string, state: ClusterHealth, previous: ClusterHealth) => {
    version.value++;
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
  const healthReady = (health: ProxyHealth): ProxyHealth => {
    void health.firstRound.then(() => {
      probed = true;
    });
    return health;
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
    return {
      source,
      health: healthReady(proxyHealth(monitor, () => monitor.probeNow(), version)),
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
  return {
    source,
    health: healthReady(proxyHealth(view, () => view.refresh(), version)),
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
