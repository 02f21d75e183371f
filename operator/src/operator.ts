// Wires the operator together: informers feed a Reconciler that exists only while this replica leads;
// standbys keep their caches warm. close() stops leading first (releasing the Lease), then the rest.
import { hostname } from 'node:os';
import type { RedisClient } from '@junction/shared';
import {
  closeRedisClient,
  createAdminAuthenticator,
  createLogger,
  createRedisClient,
  type Logger,
  listenAdminServer,
  type OperatorConfig,
  RedisQueueStore,
  RedisRegistryStore,
  type RegistryStore,
  type ResourceKind,
  ServerDrain,
} from '@junction/shared';
import { createOperatorAdminServer } from './admin.js';
import { Informer } from './informer.js';
import { Kube } from './kube.js';
import type { KubeObject } from './kube-types.js';
import { LeaderElector } from './leader.js';
import { OperatorMetrics } from './metrics.js';
import { Reconciler } from './reconcile.js';

export interface OperatorOverrides {
  /** Test-only: test/operator/operator.test.ts silences the operator's logs (or turns them up). */
  readonly logger?: Logger;
}

export interface RunningOperator {
  readonly identity: string;
  readonly adminUrl: string;
  readonly metrics: OperatorMetrics;
  isLeader(): boolean;
  /** The running reconciler while leading. Test-only: test/operator waits on its idle(). */
  reconciler(): Reconciler | undefined;
  close(): Promise<void>;
}

/** Admin answers are small and quick; a client that will not take one does not hold up the exit. */
const ADMIN_DRAIN_TIMEOUT_MS = 2_000;

export function defaultIdentity(): string {
  return `${hostname()}-${process.pid}`;
}

export async function startOperator(
  config: OperatorConfig,
  overrides: OperatorOverrides = {},
): Promise<RunningOperator> {
  const logger = overrides.logger ?? createLogger(config.logging.level, 'operator');
  const election = config.leaderElection;
  const identity = election.identity ?? defaultIdentity();
  const metrics = new OperatorMetrics();
  const kube = new Kube({
    kubeconfig: config.kubernetes.kubeconfig,
    namespace: config.kubernetes.namespace,
    instance: identity,
  });
  // Connected only once the admin port is ours, so a failed start leaves no connection behind.
  let redis: RedisClient | undefined;
  let store: RegistryStore | undefined;
  // Read only (snapshot): its Pub/Sub connection is never opened.
  let queueStore: RedisQueueStore | undefined;
  const openStore = (): RegistryStore => {
    if (store === undefined) {
      redis = createRedisClient(config.redis, { name: 'junction-operator' });
      store = new RedisRegistryStore(redis, config.redis.keyPrefix);
      queueStore = new RedisQueueStore(redis, config.redis);
    }
    return store;
  };

  let reconciler: Reconciler | undefined;
  const informer = (kind: ResourceKind) =>
    new Informer<KubeObject>(kube.cacheSource(kind), {
      kind,
      logger,
      onChange: (_event, object) => reconciler?.changed(kind, object),
      onRestart: () => metrics.watchRestarted(kind),
      onListed: () => metrics.watchStarted(kind),
    });
  const clusters = informer('TrinoCluster');
  const groups = informer('RoutingGroup');

  let elector: LeaderElector | undefined;
  const isLeader = () => (elector ? elector.isLeader() : reconciler !== undefined);
  const lead = () => {
    reconciler = new Reconciler({
      store: openStore(),
      kube,
      clusters: () => clusters.list(),
      groups: () => groups.list(),
      isLeader,
      metrics,
      logger,
      probeConcurrency: config.probe.concurrency,
      ...(queueStore === undefined ? {} : { queue: queueStore }),
      queueIntervalMs: config.queueStatus.intervalSeconds * 1000,
    });
    reconciler.start();
    metrics.leader(true);
  };
  const standDown = async () => {
    metrics.leader(false);
    const running = reconciler;
    reconciler = undefined;
    await running?.stop();
  };
  if (election.enabled) {
    elector = new LeaderElector({
      leases: kube.leases,
      leaseName: election.leaseName,
      identity,
      leaseDurationMs: election.leaseDurationSeconds * 1000,
      renewDeadlineMs: election.renewDeadlineSeconds * 1000,
      retryPeriodMs: election.retryPeriodSeconds * 1000,
      onStartedLeading: lead,
      onStoppedLeading: standDown,
      onNewLeader: (holder) => logger.info('leader observed', { leader: holder ?? null }),
      logger,
    });
  }
  metrics.leader(false);

  const admin = createOperatorAdminServer({
    auth: createAdminAuthenticator(config.admin.auth),
    metrics,
    notReadyReasons: () => {
      const reasons: string[] = [];
      for (const [kind, cache] of [
        ['TrinoCluster', clusters],
        ['RoutingGroup', groups],
      ] as const) {
        metrics.synced(kind, cache.synced);
        if (!cache.synced) reasons.push(`${kind} cache not synced`);
      }
      if (elector && !elector.inContact) reasons.push('cannot read the leader Lease');
      if (closed) reasons.push('shutting down');
      return reasons;
    },
    role: () => ({ identity, leader: isLeader(), currentLeader: elector ? elector.leader : identity }),
  });
  const adminDrain = ServerDrain.attach(admin);
  const adminUrl = await listenAdminServer(admin, config.admin.host, config.admin.port);
  openStore();

  clusters.start();
  groups.start();
  let closed = false;
  // Leading needs full caches, and campaigning must not block on them: start campaigning once synced.
  void Promise.all([clusters.waitForSync(), groups.waitForSync()]).then(() => {
    if (closed) return;
    logger.info('caches synced', { identity, leaderElection: election.enabled });
    if (elector) elector.start();
    else lead();
  });

  return {
    identity,
    adminUrl,
    metrics,
    isLeader,
    reconciler: () => reconciler,
    async close() {
      if (closed) return;
      closed = true;
      if (elector) await elector.stop();
      else await standDown();
      await Promise.all([clusters.stop(), groups.stop()]);
      // A scrape or probe under way gets its answer; idle keep-alive connections close at once.
      const { forced } = await adminDrain.close(ADMIN_DRAIN_TIMEOUT_MS);
      if (forced) logger.warn('admin drain timeout: cut the connections still open', { ms: ADMIN_DRAIN_TIMEOUT_MS });
      if (redis) {
        await store?.close();
        await queueStore?.close();
        await closeRedisClient(redis);
      }
    },
  };
}
