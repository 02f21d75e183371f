// Query management on the proxy: admission of new queries of managed groups (run now, queue or
// reject), counting every admitted query until it ends (its last page, a DELETE, or its lease
// running out), and sending queued queries the moment a slot frees — here or on any replica.

import type { IncomingMessage } from 'node:http';
import type {
  ClusterEntry,
  GatewayConfig,
  GroupEntry,
  Logger,
  QueueStore,
  Registry,
  RuleRequest,
  RuleSql,
} from '@junction/shared';
import type { QueryHistory } from '../history/query-history.js';
import { AdmissionLimitError, type GatewayError, QueueFullError, UpstreamUnreachableError } from '../http/errors.js';
import { newQueuedQueryId } from '../http/gateway-query-ids.js';
import { SerialRefresh } from '../registry/refresh.js';
import type { Router } from '../routing/router.js';
import type { Statement } from '../sql/statement.js';
import type { QueryOwners } from '../sticky/query-owners.js';
import { recordStatementAnswer } from '../sticky/statement-answer.js';
import type { SubmitResult } from '../upstream/forwarder.js';
import type { Forwarders } from '../upstream/forwarders.js';
import { isManaged, placement } from './admission.js';
import { cancelOnCluster } from './cancel-on-cluster.js';
import { LeaseRenewals } from './lease-renewals.js';
import type { QueueMetrics } from './metrics.js';
import { type PageListener, pageEnds } from './page-end.js';
import { loadRequest, type StoredRequest, storeRequest, storeResponse } from './stored.js';

export interface QueryQueueOptions {
  readonly store: QueueStore;
  readonly settings: GatewayConfig['queue'];
  /** How long a replica may take to send a dispatched query before others give up on it. */
  readonly dispatchTimeoutMs: number;
  readonly registry: () => Registry;
  readonly router: Router;
  readonly owners: QueryOwners;
  readonly forwarders: Forwarders;
  /** The headers a stored request is sent with to `cluster` (X-Forwarded-*, cluster prefix). */
  readonly upstreamHeaders: (stored: StoredRequest, cluster: ClusterEntry) => string[];
  readonly markUnreachable: (cluster: string, message: string) => void;
  readonly metrics: QueueMetrics;
  readonly logger: Logger;
  /** Query history: told when a waiting query is sent. */
  readonly history?: QueryHistory | undefined;
  /** Injectable clock (epoch ms) for tests. */
  readonly now?: () => number;
}

export type Admission =
  /** A slot is held on `cluster` under `id` until the cluster's answer names the query. */
  | { readonly outcome: 'run'; readonly cluster: ClusterEntry; readonly id: string }
  | { readonly outcome: 'queued'; readonly id: string }
  | { readonly outcome: 'rejected'; readonly error: GatewayError };

export interface AdmissionInput {
  readonly req: IncomingMessage;
  readonly target: string;
  readonly statement: Statement;
  readonly group: GroupEntry;
  readonly request: RuleRequest;
  /** What conditions see as `sql`, asked for only by those that read it. */
  readonly sql: () => RuleSql;
  readonly candidates: readonly ClusterEntry[];
}

export class QueryQueue {
  readonly #options: QueryQueueOptions;
  readonly #now: () => number;
  readonly #dispatching = new Map<string, SerialRefresh>();
  readonly #renewals: LeaseRenewals;
  readonly #sweep: SerialRefresh;
  #timers: NodeJS.Timeout[] = [];
  #closed = false;
  #failing = false;

  constructor(options: QueryQueueOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#renewals = new LeaseRenewals(options.store, options.settings.clientTimeout, (error) =>
      this.#storeFailed('renew', error),
    );
    this.#sweep = new SerialRefresh(
      () => this.#sweepOnce(),
      () => this.#closed,
    );
  }

  get store(): QueueStore {
    return this.#options.store;
  }

  /** Dispatch and sweep rounds on timers (unref'd: they never keep the process alive). */
  start(): this {
    const { dispatchInterval, sweepInterval } = this.#options.settings;
    const dispatch = setInterval(() => void this.#dispatchQueuedGroups(), dispatchInterval);
    const sweep = setInterval(() => void this.#sweep.run(), sweepInterval);
    for (const timer of [dispatch, sweep]) timer.unref();
    this.#timers = [dispatch, sweep];
    return this;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.all([this.#sweep.running, ...[...this.#dispatching.values()].map((round) => round.running)]);
  }

  /** True when new queries of `group` must pass admission (a member with a limit, or admission limits). */
  manages(group: GroupEntry, registry: Registry): boolean {
    if (!registry.managesQueries) return false;
    const fallback = group.fallbackGroup === undefined ? undefined : registry.groups.get(group.fallbackGroup);
    return isManaged(group, (name) => registry.clusters.get(name)?.maxRunningQueries, fallback);
  }

  async admit(input: AdmissionInput): Promise<Admission> {
    const { group, request, statement } = input;
    const place = placement(group, request, input.sql);
    const id = newQueuedQueryId();
    const result = await this.#options.store.admit({
      id,
      group: group.name,
      priority: place.priority,
      shareKey: place.shareKey,
      candidates: input.candidates.map((cluster) => ({ cluster: cluster.name, limit: cluster.maxRunningQueries })),
      admission: place.admission,
      maxQueued: group.queue.maxQueued,
      maxWaitMs: group.queue.maxWaitMs,
      leaseMs: this.#options.settings.clientTimeout,
      payload: storeRequest(input.req, input.target, statement.body, statement.upstreamExtraHeaders),
      info: {
        user: request.user,
        source: request.source,
        sql: statement.sql.slice(0, this.#options.settings.sqlPreviewBytes),
        className: place.className,
      },
      now: this.#now(),
    });
    const { metrics } = this.#options;
    switch (result.outcome) {
      case 'run': {
        const cluster = input.candidates.find((candidate) => candidate.name === result.cluster);
        if (cluster === undefined) throw new Error(`admission chose "${result.cluster}", which was no candidate`);
        this.#options.router.countRouted(cluster.name);
        metrics.admitted(group.name, 'run');
        return { outcome: 'run', cluster, id };
      }
      case 'queued':
        metrics.admitted(group.name, 'queued');
        // It may fit at once (it queued behind entries an admission limit holds back).
        this.#kickGroup(group.name);
        return { outcome: 'queued', id };
      case 'rejected':
        metrics.rejected(group.name, result.reason);
        return {
          outcome: 'rejected',
          error:
            result.reason === 'queue-full'
              ? new QueueFullError(result.message)
              : new AdmissionLimitError(result.message),
        };
    }
  }

  /**
   * The cluster answered the POST of an admitted query: its slot now follows the cluster's query id,
   * or is given back when no query started or it ended in its first answer.
   */
  async started(id: string, queryId: string | undefined, result: SubmitResult): Promise<void> {
    const goesOn = result.statusCode === 200 && pageEnds(result.body.subarray(0, 4096)) === 'more';
    if (queryId !== undefined && goesOn) {
      await this.#options.store.bind(id, queryId, this.#options.settings.clientTimeout, this.#now());
    } else {
      await this.release(id);
    }
  }

  /** A follow-up of a running query: renews its lease (polls) and listens for its end (page-end.ts watchQuery). */
  follow(queryId: string, method: string): PageListener {
    if (method !== 'DELETE') this.#renewals.renew(queryId, this.#now());
    return { ended: () => void this.release(queryId) };
  }

  /** The query ended (or never started): frees what it held, fills the slot; the cluster freed. Never rejects. */
  async release(queryIdOrId: string): Promise<string | undefined> {
    try {
      const { cluster } = await this.#options.store.release(queryIdOrId, this.#now());
      this.#storeBack();
      if (cluster !== undefined) this.#kickCluster(cluster);
      return cluster;
    } catch (error) {
      this.#storeFailed('release', error);
    }
    return undefined;
  }

  /** Runs a dispatch round for every group a freed slot on `cluster` can serve (members and fallbacks). */
  #kickCluster(cluster: string): void {
    const registry = this.#options.registry();
    for (const group of registry.groups.values()) {
      const fallback = group.fallbackGroup === undefined ? undefined : registry.groups.get(group.fallbackGroup);
      if (group.members.includes(cluster) || fallback?.members.includes(cluster)) this.#kickGroup(group.name);
    }
  }

  #kickGroup(name: string): void {
    if (this.#closed) return;
    let round = this.#dispatching.get(name);
    if (round === undefined) {
      round = new SerialRefresh(
        () => this.#dispatchGroup(name),
        () => this.#closed,
      );
      this.#dispatching.set(name, round);
    }
    void round.run();
  }

  async #dispatchQueuedGroups(): Promise<void> {
    try {
      for (const name of await this.#options.store.queuedGroups()) this.#kickGroup(name);
      this.#storeBack();
    } catch (error) {
      this.#storeFailed('dispatch', error);
    }
  }

  async #dispatchGroup(name: string): Promise<void> {
    const registry = this.#options.registry();
    const group = registry.groups.get(name);
    if (group === undefined) return;
    const roundStarted = performance.now();
    const candidates = this.#options.router.candidates(registry, group);
    if (candidates.length === 0) return;
    try {
      const dispatched = await this.#options.store.dispatch(
        name,
        candidates.map((cluster) => ({ cluster: cluster.name, limit: cluster.maxRunningQueries })),
        this.#options.settings.clientTimeout,
        this.#now(),
      );
      for (const entry of dispatched) void this.#send(entry, group, registry, roundStarted);
    } catch (error) {
      this.#storeFailed('dispatch', error);
    }
  }

  /** Sends a dispatched entry's stored POST; its client's next poll relays the answer. */
  async #send(
    entry: { id: string; cluster: string; payload: Buffer; enqueuedAt: number },
    group: GroupEntry,
    registry: Registry,
    roundStarted: number,
  ): Promise<void> {
    const { store, metrics, forwarders, owners } = this.#options;
    const cluster = registry.clusters.get(entry.cluster);
    try {
      if (cluster === undefined) {
        await store.fail(entry.id, 'NO_HEALTHY_CLUSTER', `Cluster "${entry.cluster}" left the registry`, this.#now());
        return;
      }
      const stored = loadRequest(entry.payload);
      this.#options.router.countRouted(cluster.name);
      metrics.handover((performance.now() - roundStarted) / 1000);
      metrics.waited(group.name, 'sent', (this.#now() - entry.enqueuedAt) / 1000);
      let result: SubmitResult;
      try {
        result = await forwarders
          .get(cluster)
          .submit(stored.target, this.#options.upstreamHeaders(stored, cluster), stored.body);
      } catch (error) {
        const failure = error as GatewayError;
        if (error instanceof UpstreamUnreachableError && error.beforeSend) {
          this.#options.markUnreachable(cluster.name, error.message);
        }
        const freed = await store.fail(
          entry.id,
          failure.errorName ?? 'UPSTREAM_UNREACHABLE',
          String(failure.message),
          this.#now(),
        );
        if (freed.cluster !== undefined) this.#kickCluster(freed.cluster);
        return;
      }
      const queryId = await recordStatementAnswer(owners, cluster.name, result);
      if (queryId !== undefined)
        this.#options.history?.sent(entry.id, queryId, cluster.name, entry.enqueuedAt, result.body);
      await this.started(entry.id, queryId, result);
      if (!(await store.complete(entry.id, storeResponse(result), this.#now())) && queryId !== undefined) {
        // Given up on meanwhile (a sweep judged this send stuck): nobody will relay the answer, so the
        // query must not run unseen. Trino's DELETE /v1/query/{id} kills it.
        await this.release(queryId);
        await cancelOnCluster(cluster, queryId, stored);
      }
    } catch (error) {
      // The store is unreachable: the entry stays "dispatching" until a sweep fails it.
      this.#storeFailed('send', error);
    }
  }

  async #sweepOnce(): Promise<void> {
    const { store, metrics, settings } = this.#options;
    try {
      const now = this.#now();
      const swept = await store.sweep({
        abandonAfterMs: settings.clientTimeout,
        dispatchTimeoutMs: this.#options.dispatchTimeoutMs,
        now,
      });
      for (const cluster of swept.freed) this.#kickCluster(cluster);
      metrics.snapshot(await store.snapshot(now), this.#options.registry());
      this.#storeBack();
    } catch (error) {
      this.#storeFailed('sweep', error);
    }
  }

  #storeFailed(what: string, error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.#options.logger.warn('query queue store unreachable; queued queries wait until it is back', {
      operation: what,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  #storeBack(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#options.logger.info('query queue store reachable again');
  }
}
