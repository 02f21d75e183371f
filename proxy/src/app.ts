// Wires the proxy together from a validated config: registry source, shared or in-memory state,
// router, gateway and admin listeners. Used by main.ts and by in-process tests.
import { createServer } from 'node:http';
import type { RedisClient } from '@junction/shared';
import {
  ConfigError,
  closeAdminServer,
  closeRedisClient,
  createAdminAuthenticator,
  createLogger,
  createRedisClient,
  describeRedis,
  type GatewayConfig,
  type Logger,
  listenAdminServer,
  MemoryQueueStore,
  type QueueStore,
  RedisQueueStore,
  type Registry,
  redisKeys,
  ServerDrain,
} from '@junction/shared';
import { createProxyAdminServer } from './admin.js';
import { Gateway } from './gateway.js';
import { startQueryHistory } from './history/open-store.js';
import { compilePathRules } from './http/classify.js';
import { ProxyMetrics } from './metrics.js';
import { startQueryManagement } from './queue/management.js';
import type { ProxyHealth } from './registry/health-view.js';
import { registryMode } from './registry/mode.js';
import { RoutingDecision } from './routing/decision.js';
import { ExternalRouter } from './routing/external-router.js';
import { MemoryRoutedCounter, RedisRoutedCounter, type RoutedCounter } from './routing/routed-counter.js';
import { Router } from './routing/router.js';
import { SqlAnalyser } from './sql/analyser.js';
import { CachedStickyStore } from './sticky/cached.js';
import { CookieCodec } from './sticky/cookies.js';
import { MemoryStickyStore } from './sticky/memory.js';
import { QueryOwners } from './sticky/query-owners.js';
import { RedisStickyStore } from './sticky/redis.js';
import type { StickyStore } from './sticky/store.js';
import { Tracing } from './tracing/tracing.js';
import { Forwarders } from './upstream/forwarders.js';

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
  const paths = compilePathRules(
    config.routing,
    cookies === undefined ? undefined : config.oauth2GatewayCookieConfiguration,
  );
  const sql = new SqlAnalyser({
    ...config.routing.sqlFacts,
    observer: { parsed: (seconds, ok) => metrics.sqlParsed(seconds, ok), unparsed: (why) => metrics.sqlUnparsed(why) },
  });
  // The grammar loads (about a second) only once some condition reads sql.*, before a submission needs it.
  const prepareSql = (registry: Registry) => {
    if (registry.readsSql) sql.prepare();
  };
  prepareSql(source.current());
  const externalConfig = config.routing.external;
  const external =
    externalConfig === undefined
      ? undefined
      : new ExternalRouter({
          url: externalConfig.url,
          timeoutMs: externalConfig.timeout,
          failureThreshold: externalConfig.failureThreshold,
          openForMs: externalConfig.openFor,
          headers: externalConfig.headers,
          sqlFacts: externalConfig.sqlFacts,
          observer: {
            answered: (outcome, seconds) => metrics.externalRouting(outcome, seconds),
            circuit: (open) => metrics.externalCircuit(open),
          },
          logger: log,
        });
  if (externalConfig?.sqlFacts === true) sql.prepare();
  const history = await startQueryHistory(config, redis, metrics.registry, log);
  const management = await startQueryManagement({
    config,
    store: queueStore(config, redis),
    redis,
    registry: () => source.current(),
    router,
    owners,
    forwarders,
    markUnreachable: (cluster, message) => health.markUnreachable(cluster, message),
    metrics: metrics.registry,
    logger: log,
    history,
  });
  const tracing = Tracing.fromConfig(config.tracing);
  const gateway = new Gateway({
    config,
    paths,
    tracing,
    registry: () => source.current(),
    decision: new RoutingDecision({ router, owners, cookies, paths, queue: management.queue, sql, external }),
    queue: management,
    history,
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
    prepareSql(registry);
  });

  let draining = false;
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 }, gateway.handle);
  const serverDrain = ServerDrain.attach(server);
  const admin = createProxyAdminServer({
    auth: createAdminAuthenticator(config.admin.auth),
    queue: management.queue.store,
    history: history?.recorder.store,
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
  const url = await listenAdminServer(server, config.server.host, config.server.port);
  const adminUrl = await listenAdminServer(admin, config.admin.host, config.admin.port);
  log.info('junction proxy listening', {
    url,
    adminUrl,
    redis: config.redis ? describeRedis(config.redis) : 'in-memory',
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
      await closeAdminServer(admin);
      await management.close();
      await history?.recorder.close();
      await tracing?.close();
      await mode.close();
      await forwarders.close();
      await external?.close();
      await shared.close();
      if (redis !== undefined) await closeRedisClient(redis);
      log.info('junction proxy stopped');
    },
  };
}

function connectRedis(config: NonNullable<GatewayConfig['redis']>, metrics: ProxyMetrics, log: Logger): RedisClient {
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
  redis: RedisClient | undefined,
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
  const inner = new RedisStickyStore(redis, keys);
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

/** Query management's shared state: in this process standalone, in Redis when replicas share one. */
function queueStore(config: GatewayConfig, redis: RedisClient | undefined): QueueStore {
  if (redis === undefined || config.redis === undefined) return new MemoryQueueStore();
  // Finished entries must outlive the longest silence a client may keep before its next poll.
  const retainMs = Math.max(15 * 60_000, 3 * config.queue.clientTimeout);
  return new RedisQueueStore(redis, config.redis, { retainMs });
}
