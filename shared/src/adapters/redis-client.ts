// The one place that decides how Junction (proxy and operator) talks to Redis: commands must fail fast
// while Redis is down (callers fall back to local state) and the client must heal by itself when it returns.
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisClientConfig {
  url: string;
  keyPrefix: string;
  /** Milliseconds a command may take before it rejects. */
  commandTimeout: number;
}

export interface RedisClientOptions {
  /** Shown in CLIENT LIST, so an operator can tell Junction's connections apart. */
  name?: string;
  /** A Pub/Sub connection: waits for Redis instead of failing fast, so its SUBSCRIBE survives outages. */
  subscriber?: boolean;
}

/**
 * How long ioredis waits for a closing Pub/Sub socket before destroying it. A subscriber has no replies
 * worth waiting for, and ioredis arms this timer even for a socket that is already gone (closing while
 * reconnecting), where the 2 s default would keep the process alive for nothing.
 */
export const SUBSCRIBER_DISCONNECT_TIMEOUT_MS = 200;

/**
 * Creates an ioredis client from the gateway's `redis` config. `keyPrefix` is NOT applied by the
 * client (ioredis' keyPrefix would hide the hash tags from callers); build keys with `redisKeys`.
 *
 * Failure behaviour of a normal (non-subscriber) client:
 * - before the first connection, commands wait in the offline queue, but at most `commandTimeout`;
 * - once connected, the offline queue is switched off: while Redis is unreachable a command rejects
 *   at once instead of piling up and being replayed, stale, after the reconnect;
 * - a command sent to a Redis that stops answering rejects after `commandTimeout`, and the socket is
 *   replaced if nothing at all arrives for a few timeouts;
 * - reconnects forever with a short capped backoff, so recovery is noticed within about two seconds.
 *
 * A listener for 'error' is attached so ioredis does not print every reconnect failure to stderr;
 * callers add their own listener to log or count errors. No error carries the URL's password.
 */
export function createRedisClient(config: RedisClientConfig, options: RedisClientOptions = {}): Redis {
  const subscriber = options.subscriber ?? false;
  const settings: RedisOptions = {
    ...connectionOptions(config.url),
    connectionName: options.name,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 10), 2000) + Math.floor(Math.random() * 100),
    enableOfflineQueue: true,
    enableAutoPipelining: !subscriber,
    // Commands caught by a dropped connection are flushed on reconnect rather than retried for long.
    maxRetriesPerRequest: subscriber ? null : 1,
    commandTimeout: subscriber ? undefined : config.commandTimeout,
    socketTimeout: subscriber ? undefined : Math.max(4 * config.commandTimeout, 2000),
    ...(subscriber ? { disconnectTimeout: SUBSCRIBER_DISCONNECT_TIMEOUT_MS } : {}),
  };
  const client = new Redis(settings);
  client.on('error', () => {});
  if (!subscriber) {
    client.once('ready', () => {
      client.options.enableOfflineQueue = false;
    });
  }
  return client;
}

/**
 * Closes a client and resolves once its socket is gone, so a shutdown (or a test) leaves nothing
 * running. Pending replies are awaited when connected; otherwise the connection is dropped.
 */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'reconnecting' || client.status === 'close') {
    // No socket to wait for: disconnect() only cancels the pending reconnect, and 'end' never comes.
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once('end', () => resolve());
    // ioredis destroys a socket that will not close within 2 s; do not wait much longer than that.
    timer = setTimeout(resolve, 3000);
    timer.unref();
  });
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
  await ended;
  clearTimeout(timer);
}

/** Parses a redis:// or rediss:// URL into ioredis options; errors name the URL without its password. */
export function connectionOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Node's URL error carries the input (password included) in a property; never rethrow it.
    throw new Error(`invalid Redis URL "${redactUrl(url)}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`invalid Redis URL "${redactUrl(url)}": the scheme must be redis:// or rediss://`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new Error(`invalid Redis URL "${redactUrl(url)}": the path must be a database number`);
  }
  const result: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: db === '' ? 0 : Number(db),
  };
  if (parsed.username !== '') result.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') result.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') result.tls = {};
  return result;
}

/**
 * The URL with its credentials hidden (all of them when no "user:" part shows which is the password),
 * for logs and error messages. Works on the raw text, so a URL that does not parse is just as safe.
 */
export function redactUrl(url: string): string {
  // Works on unparseable input too, so the message for a broken URL is safe as well.
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@/i.exec(url);
  if (match === null) return url;
  const [whole, scheme = '', userinfo = ''] = match;
  const colon = userinfo.indexOf(':');
  const hidden = colon === -1 ? '***' : `${userinfo.slice(0, colon)}:***`;
  return `${scheme}${hidden}@${url.slice(whole.length)}`;
}

export interface RedisKeys {
  /** Query id → cluster mapping. */
  query(queryId: string): string;
  /** OAuth2 token id → issuing cluster. */
  oauth(tokenId: string): string;
  /** Queries routed to a cluster, counted across replicas. All share one hash tag so one MGET reads them. */
  routed(cluster: string): string;
  /**
   * What the operator leader publishes. One hash tag, so the publish script (which touches several of
   * them) runs in Redis Cluster and readers find them on one node.
   */
  readonly registry: {
    /** The snapshot JSON: { generation, publishedAt, clusters, groups }. */
    readonly snapshot: string;
    /** The counter every publish INCRs, across leaders. */
    readonly generation: string;
    /** Hash: field = cluster name, value = JSON ClusterHealth. */
    readonly health: string;
    /** PUBLISH channel; the message is the new generation. */
    readonly changed: string;
  };
  /**
   * Query management's shared state (RedisQueueStore). Every key starts with `base` and so carries the
   * `{queue}` hash tag: one slot in Redis Cluster, so one script may touch any of them. Scripts derive
   * the per-id/cluster/bucket keys from `base` passed in ARGV exactly as these functions do.
   */
  readonly queue: RedisQueueKeys;
}

export interface RedisQueueKeys {
  /** `${prefix}{queue}:`, the start of every queue key. */
  readonly base: string;
  /** Hash: one queue entry (state, payload, info, admission checks, times). */
  entry(id: string): string;
  /** Hash: what a running query holds (cluster, buckets, lease), under the gateway id, then the cluster's query id. */
  holder(id: string): string;
  /** Sorted set: slots held on a cluster, member = holder id, score = lease expiry. */
  slots(cluster: string): string;
  /** Sorted set: places held in an admission bucket, member = holder or entry id, score = expiry. */
  places(bucket: string): string;
  /** Hash: an admission bucket's token bucket (tokens, ts). */
  tokens(bucket: string): string;
  /** Sorted set: a group's entries in state queued or dispatching, score = admission sequence. */
  groupEntries(group: string): string;
  /** Sorted set: the priority classes of a group that have queued entries, score = class index. */
  classes(group: string): string;
  /** List: the share keys of a (group, class) with queued entries, in turn order. */
  rotation(group: string, priority: number): string;
  /** List: the queued entry ids of one share key in a (group, class), FIFO. */
  shareList(group: string, priority: number, shareKey: string): string;
  /** Set: groups with queued entries. */
  readonly groups: string;
  /** Set: clusters that may have slots (swept). */
  readonly clusters: string;
  /** Set: buckets that may have places (swept). */
  readonly buckets: string;
  /** Sorted set: every entry in state queued or dispatching, score = admission sequence. */
  readonly active: string;
  /** Sorted set: queued entries by maxWait deadline. */
  readonly deadlines: string;
  /** Sorted set: entries by last poll. */
  readonly polls: string;
  /** Sorted set: dispatching entries by dispatch time. */
  readonly dispatching: string;
  /** Counter: the admission sequence (FIFO order across replicas). */
  readonly seq: string;
  /** PUBLISH channel; the message is the id of an entry that became released or failed. */
  readonly settled: string;
}

export function redisKeys(prefix: string): RedisKeys {
  const registry = `${prefix}{registry}`;
  const base = `${prefix}{queue}:`;
  return {
    query: (queryId) => `${prefix}q:${queryId}`,
    oauth: (tokenId) => `${prefix}o:${tokenId}`,
    routed: (cluster) => `${prefix}{load}:routed:${cluster}`,
    registry: Object.freeze({
      snapshot: `${registry}:snapshot`,
      generation: `${registry}:generation`,
      health: `${registry}:health`,
      changed: `${registry}:changed`,
    }),
    queue: Object.freeze({
      base,
      entry: (id: string) => `${base}e:${id}`,
      holder: (id: string) => `${base}h:${id}`,
      slots: (cluster: string) => `${base}s:${cluster}`,
      places: (bucket: string) => `${base}b:${bucket}`,
      tokens: (bucket: string) => `${base}t:${bucket}`,
      groupEntries: (group: string) => `${base}g:${group}`,
      classes: (group: string) => `${base}c:${group}`,
      rotation: (group: string, priority: number) => `${base}r:${group}:${priority}`,
      shareList: (group: string, priority: number, shareKey: string) => `${base}l:${group}:${priority}:${shareKey}`,
      groups: `${base}groups`,
      clusters: `${base}clusters`,
      buckets: `${base}buckets`,
      active: `${base}active`,
      deadlines: `${base}deadlines`,
      polls: `${base}polls`,
      dispatching: `${base}dispatching`,
      seq: `${base}seq`,
      settled: `${base}settled`,
    }),
  };
}
