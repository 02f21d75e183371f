// End detection by the cluster's query list: every `queue.reconcileInterval`, each replica asks every
// cluster on which Junction counts queries for its list (`GET /v1/query`, as the QueryList health check
// does) and frees the slots of queries the cluster reports FINISHED or FAILED, or no longer lists at all
// — queries whose end no page, DELETE or lease expiry has announced yet (a client that stopped polling
// while the coordinator already dropped or killed the query). Idempotent on every replica: the store's
// release frees a slot once, so only the replica that freed it counts it.
import { type ClusterEntry, type Logger, PROBE_USER, type QueueStore, type Registry } from '@junction/shared';
import { request } from 'undici';
import type { QueueMetrics } from './metrics.js';

export interface QueryListOptions {
  readonly store: QueueStore;
  readonly registry: () => Registry;
  /** Frees a query's places and fills the slot (QueryQueue.release); the cluster it freed, if any. */
  readonly release: (queryId: string) => Promise<string | undefined>;
  /** queue.reconcileInterval; 0 = never. */
  readonly intervalMs: number;
  /**
   * queue.reconcileGrace: queries bound more recently are not judged by their absence (Trino lists a
   * query only once its client has polled its queued URI).
   */
  readonly graceMs: number;
  readonly metrics: QueueMetrics;
  readonly logger: Logger;
  /** Injectable clock (epoch ms) for tests. */
  readonly now?: () => number;
}

/** Trino's terminal query states; a listed query in any other state still runs. */
const DONE_STATES = new Set(['FINISHED', 'FAILED']);

export type QueryListReason = 'done' | 'unlisted';

export class QueryListReconciler {
  readonly #options: QueryListOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<number> | undefined;
  #closed = false;
  /** Clusters whose list could not be read last round: warned once until it can be read again. */
  readonly #unreadable = new Set<string>();

  constructor(options: QueryListOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Rounds on a timer (unref'd); none when the interval is 0. */
  start(): this {
    if (this.#options.intervalMs > 0) {
      this.#timer = setInterval(() => {
        this.#round ??= this.reconcile().finally(() => {
          this.#round = undefined;
        });
      }, this.#options.intervalMs);
      this.#timer.unref();
    }
    return this;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#round;
  }

  /** One round over every cluster with counted queries; resolves with how many slots it freed. Never rejects. */
  async reconcile(): Promise<number> {
    const registry = this.#options.registry();
    if (!registry.managesQueries || this.#closed) return 0;
    let running: ReadonlyMap<string, number>;
    try {
      running = (await this.#options.store.snapshot(this.#now())).running;
    } catch (error) {
      this.#options.logger.debug('query list reconciliation: store unreachable', { error: String(error) });
      return 0;
    }
    const clusters = [...running.keys()]
      .map((name) => registry.clusters.get(name))
      .filter((cluster): cluster is ClusterEntry => cluster !== undefined);
    const freed = await Promise.all(clusters.map((cluster) => this.#reconcileCluster(cluster)));
    return freed.reduce((sum, count) => sum + count, 0);
  }

  async #reconcileCluster(cluster: ClusterEntry): Promise<number> {
    const { store, graceMs, logger } = this.#options;
    try {
      // Tracked before listed: every id was bound before the list was asked for, so the grace
      // period is measured from this moment, not from when the answer arrived.
      const startedAt = this.#now();
      const tracked = await store.tracked(cluster.name, startedAt);
      if (tracked.length === 0) return 0;
      const listed = await fetchQueryList(cluster);
      if (this.#unreadable.delete(cluster.name)) logger.info('query list readable again', { cluster: cluster.name });
      let freed = 0;
      for (const { queryId, since } of tracked) {
        const reason = endedBy(listed.get(queryId), since, startedAt - graceMs);
        if (reason === undefined || this.#closed) continue;
        if ((await this.#options.release(queryId)) === undefined) continue;
        freed++;
        this.#options.metrics.listReleased(cluster.name, reason);
        logger.info('freed the slot of a query its cluster no longer runs', { cluster: cluster.name, queryId, reason });
      }
      return freed;
    } catch (error) {
      if (!this.#unreadable.has(cluster.name)) {
        this.#unreadable.add(cluster.name);
        logger.warn('cannot read the query list; its queries stay counted', {
          cluster: cluster.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      return 0;
    }
  }
}

/** Why a counted query is over by its cluster's list (`state` undefined = not listed), or undefined. */
export function endedBy(state: string | undefined, since: number, cutoff: number): QueryListReason | undefined {
  if (state === undefined) return since <= cutoff ? 'unlisted' : undefined;
  return DONE_STATES.has(state) ? 'done' : undefined;
}

/** Query id → state from a cluster's `GET /v1/query` (Trino's BasicQueryInfo list). Throws when unreadable. */
export async function fetchQueryList(cluster: Pick<ClusterEntry, 'url' | 'healthCheck'>): Promise<Map<string, string>> {
  const response = await request(`${cluster.url.replace(/\/+$/, '')}/v1/query`, {
    method: 'GET',
    headers: { 'x-trino-user': PROBE_USER, 'user-agent': 'junction-query-list', accept: 'application/json' },
    headersTimeout: cluster.healthCheck.timeoutSeconds * 1000,
    bodyTimeout: cluster.healthCheck.timeoutSeconds * 1000,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET /v1/query: HTTP ${response.statusCode}`);
  const list: unknown = JSON.parse(text);
  if (!Array.isArray(list)) throw new Error('GET /v1/query: expected a JSON array of queries');
  const states = new Map<string, string>();
  for (const query of list) {
    const { queryId, state } = (query ?? {}) as { queryId?: unknown; state?: unknown };
    // An entry not in Trino's shape proves nothing: the list is judged unreadable rather than empty.
    if (typeof queryId !== 'string' || typeof state !== 'string') {
      throw new Error('GET /v1/query: an entry without a string queryId and state');
    }
    states.set(queryId, state);
  }
  return states;
}
