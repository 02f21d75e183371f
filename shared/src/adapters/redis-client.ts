// The one place that decides how Junction (proxy and operator) talks to Redis — standalone, Sentinel or
// Cluster: commands must fail fast while Redis is down (callers fall back to local state) and the client
// must heal by itself when it returns or fails over.
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** The gateway's and operator's `redis` section (RedisConfig), exactly one of url, sentinel, cluster set. */
export interface RedisClientConfig {
  url?: string | undefined;
  sentinel?:
    | {
        masterName: string;
        nodes: readonly RedisNodeAddress[];
        username?: string | undefined;
        password?: string | undefined;
        db?: number | undefined;
      }
    | undefined;
  cluster?: { nodes: readonly RedisNodeAddress[] } | undefined;
  /** The data nodes' credentials and TLS in sentinel and cluster modes (a URL carries its own). */
  username?: string | undefined;
  password?: string | undefined;
  tls?: boolean | undefined;
  keyPrefix: string;
  /** Milliseconds a command may take before it rejects. */
  commandTimeout: number;
}

/** A connection to standalone or Sentinel-managed Redis (`Redis`), or to a Redis Cluster (`Cluster`). */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** Shown in CLIENT LIST, so an operator can tell Junction's connections apart. */
  name?: string | undefined;
  /** A Pub/Sub connection: waits for Redis instead of failing fast, so its SUBSCRIBE survives outages. */
  subscriber?: boolean;
}

/**
 * How long ioredis waits for a closing Pub/Sub socket before destroying it. A subscriber has no replies
 * worth waiting for, and ioredis arms this timer even for a socket that is already gone (closing while
 * reconnecting), where the 2 s default would keep the process alive for nothing.
 */
export const SUBSCRIBER_DISCONNECT_TIMEOUT_MS = 200;

/** Reconnect delay: short and capped, so a returning Redis (or a promoted replica) is noticed in ~2 s. */
const backoff = (times: number): number =>
  Math.min(50 * 2 ** Math.min(Math.max(times, 1) - 1, 10), 2000) + Math.floor(Math.random() * 100);

/**
 * Creates an ioredis client from the gateway's `redis` config: a `Redis` for a URL or a Sentinel-managed
 * primary, a `Cluster` for Redis Cluster. `keyPrefix` is NOT applied by the client (ioredis' keyPrefix
 * would hide the hash tags from callers); build keys with `redisKeys`.
 *
 * Failure behaviour of a normal (non-subscriber) client, the same in every mode:
 * - before the first connection, commands wait in the offline queue, but at most `commandTimeout`;
 * - once connected, the offline queue is switched off: while Redis is unreachable a command rejects
 *   at once instead of piling up and being replayed, stale, after the reconnect;
 * - a command sent to a Redis that stops answering rejects after `commandTimeout`, and the socket is
 *   replaced if nothing at all arrives for a few timeouts;
 * - reconnects forever with a short capped backoff, so recovery is noticed within about two seconds.
 *   Sentinel: every reconnect asks the sentinels for the current primary (a READONLY reply from a demoted
 *   primary forces one); Cluster: the slot map is refreshed from the nodes that answer (MOVED, CLUSTERDOWN).
 *
 * A listener for 'error' is attached so ioredis does not print every reconnect failure to stderr;
 * callers add their own listener to log or count errors. No error carries a password.
 */
export function createRedisClient(config: RedisClientConfig, options: RedisClientOptions = {}): RedisClient {
  const subscriber = options.subscriber ?? false;
  const perConnection = {
    connectionName: options.name,
    // Commands caught by a dropped connection are flushed on reconnect rather than retried for long.
    maxRetriesPerRequest: subscriber ? null : 1,
    commandTimeout: subscriber ? undefined : config.commandTimeout,
    socketTimeout: subscriber ? undefined : Math.max(4 * config.commandTimeout, 2000),
    ...(subscriber ? { disconnectTimeout: SUBSCRIBER_DISCONNECT_TIMEOUT_MS } : {}),
  } satisfies RedisOptions;
  const client: RedisClient =
    config.cluster === undefined
      ? new Redis({
          ...serverOptions(config),
          ...perConnection,
          retryStrategy: backoff,
          enableOfflineQueue: true,
          enableAutoPipelining: !subscriber,
        })
      : new Cluster(
          config.cluster.nodes.map(({ host, port }) => ({ host, port })),
          {
            redisOptions: { ...perConnection, ...credentials(config) },
            clusterRetryStrategy: backoff,
            enableOfflineQueue: true,
            enableAutoPipelining: !subscriber,
            // Slot-map refreshes are commands too: bounded like them, so a dead seed is skipped quickly.
            slotsRefreshTimeout: Math.max(config.commandTimeout, 1000),
          },
        );
  client.on('error', () => {});
  if (!subscriber) failFastOnceReady(client);
  return client;
}

/**
 * A connection like `client` (same servers, same mode) made for Pub/Sub: no command timeout, and it waits
 * out outages, so its SUBSCRIBE is re-sent by ioredis after every reconnect or failover.
 */
export function duplicateForSubscribing(client: RedisClient): RedisClient {
  const perConnection = {
    enableOfflineQueue: true,
    enableAutoPipelining: false,
  };
  const subscriberOptions = {
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    socketTimeout: undefined,
    disconnectTimeout: SUBSCRIBER_DISCONNECT_TIMEOUT_MS,
  };
  let subscriber: RedisClient;
  if (client instanceof Cluster) {
    const base = client.options.redisOptions ?? {};
    const name = base.connectionName;
    subscriber = client.duplicate([], {
      ...perConnection,
      lazyConnect: false,
      redisOptions: {
        ...base,
        ...subscriberOptions,
        connectionName: name === undefined ? undefined : `${name}-subscriber`,
      },
    });
  } else {
    const name = client.options.connectionName;
    subscriber = client.duplicate({
      ...perConnection,
      ...subscriberOptions,
      connectionName: name === undefined ? undefined : `${name}-subscriber`,
      lazyConnect: false,
    });
  }
  subscriber.on('error', () => {});
  return subscriber;
}

/** The client's command timeout in milliseconds (0 when it has none). */
export function commandTimeoutOf(client: RedisClient): number {
  const options = client instanceof Cluster ? client.options.redisOptions : client.options;
  return options?.commandTimeout ?? 0;
}

/** The client's connection name (CLIENT SETNAME), if it was given one. */
export function connectionNameOf(client: RedisClient): string | undefined {
  return client instanceof Cluster ? client.options.redisOptions?.connectionName : client.options.connectionName;
}

/** Where a config points, for logs: the URL without its password, or the mode and its nodes. Never a secret. */
export function describeRedis(config: RedisClientConfig): string {
  const nodes = (list: readonly RedisNodeAddress[]) => list.map(({ host, port }) => `${host}:${port}`).join(',');
  if (config.sentinel !== undefined)
    return `sentinel master "${config.sentinel.masterName}" via ${nodes(config.sentinel.nodes)}`;
  if (config.cluster !== undefined) return `cluster via ${nodes(config.cluster.nodes)}`;
  return redactUrl(config.url ?? '');
}

function failFastOnceReady(client: RedisClient): void {
  client.once('ready', () => {
    client.options.enableOfflineQueue = false;
  });
}

function credentials(config: RedisClientConfig): RedisOptions {
  const result: RedisOptions = {};
  if (config.username !== undefined) result.username = config.username;
  if (config.password !== undefined) result.password = config.password;
  if (config.tls === true) result.tls = {};
  return result;
}

/** Standalone (URL) or Sentinel connection options. */
function serverOptions(config: RedisClientConfig): RedisOptions {
  const sentinel = config.sentinel;
  if (sentinel === undefined) {
    if (config.url === undefined) throw new Error('redis: needs exactly one of url, sentinel or cluster');
    return connectionOptions(config.url);
  }
  return {
    sentinels: sentinel.nodes.map(({ host, port }) => ({ host, port })),
    name: sentinel.masterName,
    // Always the primary: Junction reads its own writes (a mapping right after the statement POST).
    role: 'master',
    db: sentinel.db ?? 0,
    ...credentials(config),
    ...(sentinel.username === undefined ? {} : { sentinelUsername: sentinel.username }),
    ...(sentinel.password === undefined ? {} : { sentinelPassword: sentinel.password }),
    ...(config.tls === true ? { enableTLSForSentinelMode: true } : {}),
    sentinelRetryStrategy: backoff,
    // A primary demoted by a failover (SENTINEL FAILOVER, or an old primary back as a replica) answers
    // writes with READONLY: reconnect, which asks the sentinels for the new primary. ioredis' own
    // failoverDetector is not used: its sentinel subscriptions outlive quit() and keep the process alive.
    reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
  };
}

/**
 * Closes a client and resolves once its socket is gone, so a shutdown (or a test) leaves nothing
 * running. Pending replies are awaited when connected; otherwise the connection is dropped.
 */
export async function closeRedisClient(client: RedisClient): Promise<void> {
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

export * from './redis-keys.js';
