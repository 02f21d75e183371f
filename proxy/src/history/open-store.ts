// Chooses and opens the history store from the gateway config: memory standalone, Redis when the
// proxy has one (shared by its replicas), PostgreSQL when asked for (long retention, indexed search);
// and starts the recorder that writes to it.
import { hostname } from 'node:os';
import {
  ConfigError,
  type GatewayConfig,
  type HistoryStore,
  type Logger,
  MemoryHistoryStore,
  PostgresHistoryStore,
  type RedisClient,
  RedisHistoryStore,
} from '@junction/shared';
import type { Registry as PromRegistry } from 'prom-client';
import { QueryHistory } from './query-history.js';
import { HistoryRecorder } from './recorder.js';

export type HistoryStoreKind = 'memory' | 'redis' | 'postgres';

export function historyStoreKind(config: GatewayConfig): HistoryStoreKind {
  return config.history.store ?? (config.redis === undefined ? 'memory' : 'redis');
}

export async function openHistoryStore(config: GatewayConfig, redis: RedisClient | undefined): Promise<HistoryStore> {
  const { history } = config;
  switch (historyStoreKind(config)) {
    case 'memory':
      return new MemoryHistoryStore({ maxRecords: history.maxRecords });
    case 'redis':
      if (redis === undefined || config.redis === undefined) {
        throw new ConfigError('history.store: "redis" needs the redis section (or choose memory or postgres)');
      }
      return new RedisHistoryStore(redis, { keyPrefix: config.redis.keyPrefix, maxRecords: history.maxRecords });
    case 'postgres':
      return new PostgresHistoryStore({
        url: postgresUrl(history.postgres),
        maxRecords: history.maxRecords,
        poolSize: history.postgres?.poolSize,
      });
  }
}

/** The connection URL from the config or the environment variable it names. */
function postgresUrl(postgres: GatewayConfig['history']['postgres']): string {
  if (postgres?.url !== undefined) return postgres.url;
  const name = postgres?.urlEnv ?? '';
  const url = process.env[name];
  if (url === undefined || url === '') {
    throw new ConfigError(`history.postgres.urlEnv: the environment variable ${name} is not set`);
  }
  return url;
}

/** History for one proxy, recording from now on; undefined when `history.enabled` is false. */
export async function startQueryHistory(
  config: GatewayConfig,
  redis: RedisClient | undefined,
  metrics: PromRegistry,
  logger: Logger,
): Promise<QueryHistory | undefined> {
  const { history } = config;
  if (!history.enabled) return undefined;
  const store = await openHistoryStore(config, redis);
  const kind = historyStoreKind(config);
  logger.info('query history recording', { store: kind, maxRecords: history.maxRecords });
  if (store instanceof PostgresHistoryStore) {
    // In the background: a PostgreSQL that is down must not hold the proxy's start-up.
    store.textSearch().then(
      (textSearch) => logger.info('history schema ready in PostgreSQL', { textSearch }),
      (error: unknown) =>
        logger.warn('history store not ready; records are dropped until it is', { error: String(error) }),
    );
  }
  const recorder = new HistoryRecorder({
    store,
    batchSize: history.batchSize,
    flushIntervalMs: history.flushInterval,
    bufferSize: history.bufferSize,
    metrics,
    logger,
  }).start();
  return new QueryHistory({
    recorder,
    replica: process.env['POD_NAME'] || hostname(),
    recordSql: history.recordSql,
    sqlMaxBytes: history.sqlMaxBytes,
  });
}
