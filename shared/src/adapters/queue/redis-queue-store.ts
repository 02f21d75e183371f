// The QueueStore in Redis, shared by every gateway replica: each method that reads and then writes is one
// Lua script (EVALSHA via defineCommand), so replicas never both take a last slot or dispatch one entry.
//
// Keys: all under `${prefix}{queue}:` (one hash tag, one Redis Cluster slot), listed with their types in
// RedisQueueKeys (redis-client.ts); the scripts' KEYS/ARGV layout is in redis-lua-common.ts. Time is the
// caller's `now`, passed to every script. Everything expires: entries and holders by PX TTLs above their
// longest legitimate life plus `retainMs`, every set and list by a TTL extended on each write; slot and
// place members by their scores, removed by sweep. Semantics where the contract is silent: queue-rules.ts.
// Needs Redis >= 4.0 (HSET with several fields; nothing newer is used); tested on 7.0.
import type {
  AdmitRequest,
  AdmitResult,
  Dispatched,
  EntryState,
  QueuedEntry,
  QueueSnapshot,
  QueueStore,
  SlotCandidate,
  SweepResult,
  TrackedQuery,
} from '../../contract/queue-store.js';
import {
  connectionNameOf,
  type RedisClient,
  type RedisClientConfig,
  type RedisQueueKeys,
  redisKeys,
} from '../redis-client.js';
import {
  type AdmissionExceeded,
  admissionMessage,
  dispatchTimeoutMessage,
  QUEUE_DISPATCH_TIMEOUT,
  QUEUE_WAIT_EXCEEDED,
  queueFullMessage,
  waitExceededMessage,
} from './queue-rules.js';
import { BIND, CANCEL, COMPLETE, FAIL, FORGET, POLL, RELEASE, RENEW } from './redis-lua-entries.js';
import { ADMIT, DISPATCH } from './redis-lua-queue.js';
import { LIST, SNAPSHOT, SWEEP, TRACKED } from './redis-lua-sweep.js';
import { SettledChannel } from './redis-settled-channel.js';

export interface RedisQueueStoreOptions {
  /**
   * How long a released or failed entry waits for its poll, and the margin every TTL adds to a key's
   * longest legitimate life. Keep it above the sweep's abandonAfterMs. Default 15 minutes.
   */
  retainMs?: number;
  /** Entries each sweep rule (maxWait, stuck, abandonment, expired slots per cluster) handles per call. */
  sweepBatch?: number;
  /** How long `subscribe` waits for Redis to confirm; default max(commandTimeout, 2000). */
  subscribeTimeoutMs?: number;
  /** Creates the Pub/Sub connection (default: createRedisClient(config, { subscriber: true })). */
  subscriber?: () => RedisClient;
}

/** Every script the store runs (exported so a test can check all of them). */
export const SCRIPTS = {
  ADMIT,
  DISPATCH,
  BIND,
  RELEASE,
  RENEW,
  COMPLETE,
  FAIL,
  POLL,
  FORGET,
  CANCEL,
  SWEEP,
  SNAPSHOT,
  LIST,
  TRACKED,
};
type ScriptName = keyof typeof SCRIPTS;
type Reply = null | number | Buffer | string | Reply[];
type ScriptCall = (numberOfKeys: number, ...args: Array<string | Buffer>) => Promise<Reply>;

const command = (name: ScriptName) => `junctionQueue${name}`;
const text = (reply: Reply | undefined): string => (reply === null || reply === undefined ? '' : String(reply));

export class RedisQueueStore implements QueueStore {
  readonly #redis: RedisClient;
  readonly #keys: RedisQueueKeys;
  readonly #retainMs: number;
  readonly #sweepBatch: number;
  readonly #settled: SettledChannel;

  /**
   * @param redis a client from `createRedisClient`, shared with other users: the store defines its scripts
   *   on it but does not close it. Its command timeout bounds every call; while Redis is down calls reject.
   * @param config the same config, for the store's own Pub/Sub connection (the only one it closes).
   */
  constructor(redis: RedisClient, config: RedisClientConfig, options: RedisQueueStoreOptions = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(config.keyPrefix).queue;
    this.#retainMs = options.retainMs ?? 15 * 60_000;
    this.#sweepBatch = options.sweepBatch ?? 1000;
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(command(name as ScriptName), { lua });
    this.#settled = new SettledChannel(this.#keys.settled, config, {
      timeoutMs: options.subscribeTimeoutMs ?? Math.max(config.commandTimeout, 2000),
      subscriber: options.subscriber,
      name: connectionNameOf(redis),
    });
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const { id, group, priority, shareKey, candidates, admission, info } = request;
    const k = this.#keys;
    const checks = admission.map((check) => ({
      bucket: check.bucket,
      ...(check.maxConcurrent === undefined ? {} : { maxConcurrent: check.maxConcurrent }),
      ...(check.maxPerSecond === undefined ? {} : { maxPerSecond: check.maxPerSecond }),
      burst: check.burst,
      onExceed: check.onExceed,
    }));
    const keys = [
      k.entry(id),
      k.holder(id),
      k.groupEntries(group),
      k.classes(group),
      k.rotation(group, priority),
      k.shareList(group, priority, shareKey),
      ...candidates.map((candidate) => k.slots(candidate.cluster)),
      ...admission.flatMap((check) => [k.places(check.bucket), k.tokens(check.bucket)]),
    ];
    const reply = await this.#run('ADMIT', request.now, keys, [
      id,
      group,
      String(priority),
      shareKey,
      String(request.maxQueued),
      String(request.maxWaitMs),
      String(request.leaseMs),
      JSON.stringify(candidates.map(slotCandidate)),
      JSON.stringify(checks),
      request.payload,
      info.user,
      info.source,
      info.sql,
      info.className,
      waitExceededMessage(group, request.maxWaitMs),
    ]);
    const [outcome, detail, index, exceeded] = reply as Reply[];
    if (text(outcome) === 'run') return { outcome: 'run', cluster: text(detail) };
    if (text(outcome) === 'queued') return { outcome: 'queued' };
    if (text(detail) === 'queue-full') {
      return { outcome: 'rejected', reason: 'queue-full', message: queueFullMessage(group, request.maxQueued) };
    }
    const check = admission[Number(index) - 1];
    if (check === undefined) throw new Error(`unexpected admit reply ${JSON.stringify(reply)}`);
    const message = admissionMessage(check, text(exceeded) as AdmissionExceeded);
    return { outcome: 'rejected', reason: 'admission', message };
  }

  async bind(id: string, queryId: string, leaseMs: number, now: number): Promise<void> {
    const keys = [this.#keys.holder(id), this.#keys.holder(queryId)];
    await this.#run('BIND', now, keys, [id, queryId, String(leaseMs)]);
  }

  async release(queryIdOrId: string, now: number): Promise<{ cluster: string | undefined }> {
    const reply = await this.#run('RELEASE', now, [this.#keys.holder(queryIdOrId)], [queryIdOrId]);
    return { cluster: reply === null ? undefined : text(reply) };
  }

  async renew(queryId: string, leaseMs: number, now: number): Promise<void> {
    await this.#run('RENEW', now, [this.#keys.holder(queryId)], [queryId, String(leaseMs)]);
  }

  async dispatch(
    group: string,
    candidates: readonly SlotCandidate[],
    leaseMs: number,
    now: number,
    max?: number,
  ): Promise<Dispatched[]> {
    if (max !== undefined && max <= 0) return [];
    const k = this.#keys;
    const keys = [
      k.groupEntries(group),
      k.classes(group),
      ...candidates.map((candidate) => k.slots(candidate.cluster)),
    ];
    const args = [group, String(leaseMs), String(max ?? Number.MAX_SAFE_INTEGER)];
    args.push(JSON.stringify(candidates.map(slotCandidate)));
    const reply = (await this.#run('DISPATCH', now, keys, args, true)) as Buffer[];
    const dispatched: Dispatched[] = [];
    for (let i = 0; i + 3 < reply.length; i += 4) {
      const [id, cluster, payload, enqueuedAt] = reply.slice(i, i + 4) as [Buffer, Buffer, Buffer, Buffer];
      dispatched.push({ id: id.toString(), cluster: cluster.toString(), payload, enqueuedAt: Number(`${enqueuedAt}`) });
    }
    return dispatched;
  }

  async complete(id: string, response: Buffer, now: number): Promise<boolean> {
    return (await this.#run('COMPLETE', now, [this.#keys.entry(id)], [id, response])) === 1;
  }

  async fail(id: string, errorName: string, message: string, now: number): Promise<{ cluster: string | undefined }> {
    const keys = [this.#keys.entry(id), this.#keys.holder(id)];
    const reply = await this.#run('FAIL', now, keys, [id, errorName, message]);
    return { cluster: reply === null ? undefined : text(reply) };
  }

  async poll(id: string, now: number): Promise<EntryState | undefined> {
    const reply = (await this.#run('POLL', now, [this.#keys.entry(id)], [id], true)) as Array<Buffer | null> | null;
    if (reply === null) return undefined;
    const [state, group, enqueued, cluster, response, releasedAt, errorName, message] = reply;
    const base = { group: text(group), enqueuedAt: Number(text(enqueued)) };
    switch (text(state)) {
      case 'queued':
        return { state: 'queued', ...base };
      case 'dispatching':
        return { state: 'dispatching', group: base.group, cluster: text(cluster), enqueuedAt: base.enqueuedAt };
      case 'released':
        return {
          state: 'released',
          group: base.group,
          cluster: text(cluster),
          response: response ?? Buffer.alloc(0),
          enqueuedAt: base.enqueuedAt,
          releasedAt: Number(text(releasedAt)),
        };
      default:
        return { state: 'failed', ...base, errorName: text(errorName), message: text(message) };
    }
  }

  async forget(id: string): Promise<void> {
    await this.#run('FORGET', 0, [this.#keys.entry(id)], [id]);
  }

  async cancel(id: string, now: number): Promise<boolean> {
    return (await this.#run('CANCEL', now, [this.#keys.entry(id)], [id])) === 1;
  }

  async sweep(options: { abandonAfterMs: number; dispatchTimeoutMs: number; now: number }): Promise<SweepResult> {
    // The stuck message is the same for every entry but its cluster: split around a placeholder.
    const [before = '', after = ''] = dispatchTimeoutMessage('\u0000', options.dispatchTimeoutMs).split('\u0000');
    const reply = (await this.#run(
      'SWEEP',
      options.now,
      [],
      [
        String(options.abandonAfterMs),
        String(options.dispatchTimeoutMs),
        String(this.#sweepBatch),
        QUEUE_WAIT_EXCEEDED,
        QUEUE_DISPATCH_TIMEOUT,
        before,
        after,
      ],
    )) as Reply[];
    const [expired, abandoned, stuck, ...freed] = reply;
    return { freed: freed.map(text), expired: Number(expired), abandoned: Number(abandoned), stuck: Number(stuck) };
  }

  async queuedGroups(): Promise<string[]> {
    return (await this.#redis.smembers(this.#keys.groups)).sort();
  }

  async snapshot(now: number): Promise<QueueSnapshot> {
    const [running, buckets, groups] = (await this.#run('SNAPSHOT', now, [], [])) as [Reply[], Reply[], Reply[][]];
    const queued = new Map<string, number[]>();
    for (const [group, ...pairs] of [...groups].sort((a, b) => text(a[0]).localeCompare(text(b[0])))) {
      const counts: number[] = [];
      for (let i = 0; i + 1 < pairs.length; i += 2) counts[Number(pairs[i])] = Number(pairs[i + 1]);
      queued.set(
        text(group),
        Array.from(counts, (count) => count ?? 0),
      );
    }
    return { running: counts(running), queued, buckets: counts(buckets) };
  }

  async tracked(cluster: string, now: number): Promise<TrackedQuery[]> {
    const reply = (await this.#run('TRACKED', now, [this.#keys.slots(cluster)], [])) as Reply[][];
    return reply
      .map(([queryId, since]) => ({ queryId: text(queryId), since: Number(text(since)) }))
      .sort((a, b) => a.since - b.since || (a.queryId < b.queryId ? -1 : 1));
  }

  async list(group: string | undefined, limit: number): Promise<QueuedEntry[]> {
    if (limit <= 0) return [];
    const set = group === undefined ? this.#keys.active : this.#keys.groupEntries(group);
    const reply = (await this.#run('LIST', 0, [set], [String(limit)])) as string[][];
    return reply.map(([id, entryGroup, priority, shareKey, state, enqueuedAt, user, source, sql, className]) => ({
      id: text(id),
      group: text(entryGroup),
      priority: Number(priority),
      shareKey: text(shareKey),
      state: text(state) as QueuedEntry['state'],
      enqueuedAt: Number(enqueuedAt),
      user: text(user),
      source: text(source),
      sql: text(sql),
      className: text(className),
    }));
  }

  subscribe(listener: (id: string) => void): Promise<() => Promise<void>> {
    return this.#settled.subscribe(listener);
  }

  /** Ends subscriptions and closes the store's Pub/Sub connection; the client passed in stays open. */
  close(): Promise<void> {
    return this.#settled.close();
  }

  /** Runs a script with the common KEYS and ARGV (redis-lua-common.ts) in front of its own. */
  #run(name: ScriptName, now: number, keys: string[], args: Array<string | Buffer>, buffers = false): Promise<Reply> {
    const k = this.#keys;
    const common = [k.clusters, k.buckets, k.groups, k.active, k.deadlines, k.polls, k.dispatching, k.seq];
    const allKeys = [...common, ...keys];
    const call = (this.#redis as unknown as Record<string, ScriptCall>)[`${command(name)}${buffers ? 'Buffer' : ''}`];
    if (call === undefined) throw new Error(`script ${name} is not defined on this client`);
    const head = [k.base, String(now), String(this.#retainMs), k.settled];
    return call.call(this.#redis, allKeys.length, ...allKeys, ...head, ...args);
  }
}

function slotCandidate(candidate: SlotCandidate): { cluster: string; limit?: number } {
  return candidate.limit === undefined
    ? { cluster: candidate.cluster }
    : { cluster: candidate.cluster, limit: candidate.limit };
}

function counts(pairs: Reply[]): Map<string, number> {
  const result = new Map<string, number>();
  for (let i = 0; i + 1 < pairs.length; i += 2) result.set(text(pairs[i]), Number(pairs[i + 1]));
  return result;
}
