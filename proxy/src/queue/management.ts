// Puts query management together for one proxy: the QueueStore (in memory standalone, in Redis
// when replicas share one), the secret queued URIs are signed with, the queue and its pages, and the
// reconciliation against each cluster's query list.
import { randomBytes } from 'node:crypto';
import type { ClusterEntry, GatewayConfig, Logger, QueueStore, RedisClient, Registry } from '@junction/shared';
import type { Registry as PromRegistry } from 'prom-client';
import type { QueryHistory } from '../history/query-history.js';
import { storedRequestHeaders } from '../http/headers.js';
import type { Router } from '../routing/router.js';
import type { QueryOwners } from '../sticky/query-owners.js';
import type { Forwarders } from '../upstream/forwarders.js';
import { QueueMetrics } from './metrics.js';
import { QueryListReconciler } from './query-list.js';
import { QueryQueue } from './query-queue.js';
import { QueuedPages } from './queued-pages.js';
import { QueueSlugs } from './slugs.js';
import type { StoredRequest } from './stored.js';

export interface QueryManagementOptions {
  readonly config: GatewayConfig;
  readonly store: QueueStore;
  readonly redis: RedisClient | undefined;
  readonly registry: () => Registry;
  readonly router: Router;
  readonly owners: QueryOwners;
  readonly forwarders: Forwarders;
  readonly markUnreachable: (cluster: string, message: string) => void;
  readonly metrics: PromRegistry;
  readonly logger: Logger;
  readonly history?: QueryHistory | undefined;
}

export interface QueryManagement {
  readonly queue: QueryQueue;
  readonly pages: QueuedPages;
  close(): Promise<void>;
}

export async function startQueryManagement(options: QueryManagementOptions): Promise<QueryManagement> {
  const { config, store } = options;
  const metrics = new QueueMetrics(options.metrics);
  const prefix = config.routing.clusterPrefix;
  const upstreamHeaders = (stored: StoredRequest, cluster: ClusterEntry) =>
    storedRequestHeaders(stored.rawHeaders, stored.client, {
      forwardedHeaders: config.routing.forwardedHeaders,
      dropAcceptEncoding: true,
      prefix: prefix === undefined ? undefined : `${prefix}/${encodeURIComponent(cluster.name)}`,
    });
  const queue = new QueryQueue({
    store,
    settings: config.queue,
    dispatchTimeoutMs: config.routing.connectTimeout + config.routing.requestTimeout + 10_000,
    registry: options.registry,
    router: options.router,
    owners: options.owners,
    forwarders: options.forwarders,
    upstreamHeaders,
    markUnreachable: options.markUnreachable,
    metrics,
    logger: options.logger,
    history: options.history,
  }).start();
  const queryList = new QueryListReconciler({
    store,
    registry: options.registry,
    release: (queryId) => queue.release(queryId),
    intervalMs: config.queue.reconcileInterval,
    graceMs: config.queue.reconcileGrace,
    metrics,
    logger: options.logger,
  }).start();
  const slugs = new QueueSlugs(randomBytes(32));
  const learnSecret = shareSecret(options.redis, config.redis?.keyPrefix ?? '', slugs, options.logger);
  await learnSecret.first;
  const pages = await new QueuedPages({
    store,
    slugs,
    pollWaitMs: config.queue.pollWait,
    metrics,
    logger: options.logger,
    history: options.history,
  }).start();
  return {
    queue,
    pages,
    close: async () => {
      learnSecret.stop();
      await queryList.close();
      await queue.close();
      await pages.close();
      await store.close();
    },
  };
}

/**
 * One secret for every replica sharing a Redis (the first to start writes it; the others read it),
 * so a queued URI one replica handed out is accepted by all. Standalone: the process's own. While
 * Redis is unreachable this retries; URIs signed meanwhile stay valid on this replica.
 */
function shareSecret(
  redis: RedisClient | undefined,
  prefix: string,
  slugs: QueueSlugs,
  logger: Logger,
): { first: Promise<void>; stop(): void } {
  if (redis === undefined) return { first: Promise.resolve(), stop: () => {} };
  const key = `${prefix}queue-uri-secret`;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (): Promise<void> => {
    try {
      await redis.set(key, randomBytes(32).toString('base64'), 'NX');
      const shared = await redis.get(key);
      if (shared !== null) {
        slugs.adopt(Buffer.from(shared, 'base64'));
        return;
      }
    } catch (error) {
      logger.warn('cannot read the shared queue URI secret yet; retrying', { error: String(error) });
    }
    if (!stopped) timer = setTimeout(() => void attempt(), 1_000).unref();
  };
  return {
    first: attempt(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
