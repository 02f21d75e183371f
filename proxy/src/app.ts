// Wires the proxy together from a validated config: registry source, shared or in-memory state,
// router, gateway and admin listeners. Used by main.ts and by in-process tests.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigError,
  closeRedisClient,
  createLogger,
  createRedisClient,
  type GatewayConfig,
  type Logger,
  type Registry,
  redactUrl,
  redisKeys,
  ServerDrain,
} from '@junction/shared';
import type { Redis } from 'ioredis';
import { createAdminServer } from './admin.js';
import { CookieCodec } from './cookies.js';
import { Forwarders } from './forwarders.js';
import { Gateway } from './gateway.js';
import { MemoryRoutedCounter, RedisRoutedCounter, type RoutedCounter } from './load/routed-counter.js';
import { ProxyMetrics } from './metrics.js';
import { QueryOwners } from './query-owners.js';
import { type ProxyHealth, registryMode } from './registry-mode.js';
import { Router } from './router.js';
import { CachedStickyStore } from './sticky/cached.js';
import { MemoryStickyStore } from './sticky/memory.js';
import { RedisStickyStore } from './sticky/redis.js';
import type { StickyStore } from './sticky/store.js';

export interface RunningProxy {
  readonly url: string;
  readonly adminUrl: string;
  registry(): Registry;
  readonly health: ProxyHealth;
  /** Stops accepting, lets in-flight requests finish up to server.drainTimeout, releases everything. */
  close(): Promise<void>;
}

export async function startProxy(config: GatewayConfig, logger?: Logger): Promise<RunningProxy> {
  const log = logger ?? createLogger(config.logging.level, 'proxy');
  if (config.resources === undefined && config.redis === undefined) {
    throw new ConfigError(
      'resources.files: required in standalone mode (no redis): list the TrinoCluster/RoutingGroup manifest files',
    );
  }
  const metrics = new ProxyMetrics();
  const redis = config.redis === undefined ? undefined : connectRedis(config.redis, metrics, log);
  let redisWasReady = false;
  redis?.once('ready', () => {
    redisWasReady = true;
  });
  const mode = await registryMode(config, redis, metrics, log);
  const { source, health } = mode;

  const shared = sharedState(config, redis, metrics, () => [...source.current().clusters.keys()]);
  const owners = new QueryOwners({
    store: shared.store,
    queryIdTtlMs: config.routing.queryIdTtl,
    oauthTtlMs: config.oauth2GatewayCookieConfiguration.lifetime,
    lookupTimeoutMs: config.routing.queryLookupTimeout,
    logger: log,
    onLookup: (outcome) => metrics.lookup(outcome),
    onStoreError: () => metrics.storeError(),
  });
  const forwarders = new Forwarders({
    requestTimeoutMs: config.routing.requestTimeout,
    connectTimeoutMs: config.routing.connectTimeout,
    connections: config.routing.maxConnectionsPerCluster,
  });
  const cookieConfig = config.gatewayCookieConfiguration;
  const cookies = cookieConfig.enabled
    ? await CookieCodec.create({
        secrets: [cookieConfig.cookieSigningSecret ?? []].flat(),
        lifetimeMs: config.oauth2GatewayCookieConfiguration.lifetime,
        routingPaths: config.oauth2GatewayCookieConfiguration.routingPaths,
        deletePaths: config.oauth2GatewayCookieConfiguration.deletePaths,
      })
    : undefined;
  const router = new Router({
    health,
    counter: shared.counter,
    honorRoutingGroupHeader: config.routing.honorRoutingGroupHeader,
  });
  const gateway = new Gateway({
    config,
    registry: () => source.current(),
    router,
    owners,
    forwarders,
    cookies,
    markUnreachable: (cluster, message) => health.markUnreachable(cluster, message),
    metrics,
    logger: log,
  });
  metrics.registryChanged(source.current());
  source.onChange((registry) => {
    forwarders.sync(registry);
    metrics.registryChanged(registry);
  });

  let draining = false;
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 }, gateway.handle);
  const serverDrain = ServerDrain.attach(server);
  const admin = createAdminServer({
    registry: () => source.current(),
    health: (name) => health.get(name),
    metrics,
    notReadyReasons: () => {
      const reasons: string[] = [];
      if (draining) reasons.push('shutting down');
      reasons.push(...mode.notReady());
      if (redis !== undefined && !redisWasReady) reasons.push(`redis ${redis.status}`);
      return reasons;
    },
    // After start-up a Redis outage degrades (no shared mappings) but does not fail readiness:
    // every replica failing at once would turn a Redis outage into a gateway outage, while the
    // proxy keeps routing with its registry snapshot and local caches.
    degradedReasons: () => (redis !== undefined && redis.status !== 'ready' ? [`redis ${redis.status}`] : []),
  });
  await listen(server, config.server.port, config.server.host);
  await listen(admin, config.admin.port, config.admin.host);
  const url = `http://${displayHost(config.server.host)}:${(server.address() as AddressInfo).port}`;
  const adminUrl = `http://${displayHost(config.admin.host)}:${(admin.address() as AddressInfo).port}`;
  log.info('junction proxy listening', {
    url,
    adminUrl,
    redis: config.redis ? redactUrl(config.redis.url) : 'in-memory',
  });

  return {
    url,
    adminUrl,
    registry: () => source.current(),
    health,
    async close() {
      draining = true;
      gateway.drain();
      // Exits as soon as nothing is in flight: each keep-alive connection closes as it goes idle.
      const { forced } = await serverDrain.close(config.server.drainTimeout);
      if (forced)
        log.warn('drain timeout: cut the connections still open', { drainTimeoutMs: config.server.drainTimeout });
      admin.close();
      admin.closeAllConnections();
      await mode.close();
      await forwarders.close();
      await shared.close();
      if (redis !== undefined) await closeRedisClient(redis);
      log.info('junction proxy stopped');
    },
  };
}

function connectRedis(config: NonNullable<GatewayConfig['redis']>, metrics: ProxyMetrics, log: Logger): Redis {
  const redis = createRedisClient(config, { name: 'junction-proxy' });
  metrics.redisUp(false);
  redis.on('ready', () => metrics.redisUp(true));
  redis.on('close', () => metrics.redisUp(false));
  redis.on('error', (error: Error) => log.warn('redis error', { error: error.message }));
  return redis;
}

/** Query-id mappings and routed-query counters: in memory, or shared by every replica in Redis. */
function sharedState(
  config: GatewayConfig,
  redis: Redis | undefined,
  metrics: ProxyMetrics,
  clusters: () => readonly string[],
): { store: StickyStore; counter: RoutedCounter; close(): Promise<void> } {
  if (redis === undefined || config.redis === undefined) {
    const store = new MemoryStickyStore();
    const counter = new MemoryRoutedCounter();
    return {
      store,
      counter,
      close: async () => {
        await store.close();
        await counter.close();
      },
    };
  }
  const keys = redisKeys(config.redis.keyPrefix);
  const inner = new RedisStickyStore(redis, (key) =>
    key.startsWith('oauth:') ? keys.oauth(key.slice(6)) : keys.query(key.slice(6)),
  );
  const store = new CachedStickyStore(inner, {
    maxEntries: 10_000,
    maxAgeMs: config.routing.queryIdTtl,
    onLookup: (outcome) => metrics.cache(outcome),
  });
  const counter = new RedisRoutedCounter(redis, keys, { clusters, refreshMs: 250 });
  return {
    store,
    counter,
    close: async () => {
      await store.close();
      await counter.close();
    },
  };
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen(port, host);
  await once(server, 'listening');
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
