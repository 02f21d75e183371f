// The RegistryStore in Redis: the operator leader publishes the registry and cluster health here, every
// proxy replica reads them. All keys live under one hash tag (redisKeys(prefix).registry).
import type { ClusterHealth } from '../contract/model.js';
import {
  fromStoredHealth,
  fromStoredSnapshot,
  type RegistryResources,
  type RegistrySnapshot,
  type RegistryStore,
  toStoredHealth,
  toStoredResources,
} from '../contract/registry-store.js';
import {
  closeRedisClient,
  commandTimeoutOf,
  duplicateForSubscribing,
  type RedisClient,
  type RedisKeys,
  redisKeys,
} from './redis-client.js';

// KEYS: generation, snapshot. ARGV: floor, snapshot JSON without its opening brace, channel.
// The floor is the highest generation this writer has seen: if Redis lost its data (a restart without
// persistence), the counter would start again at 1 and every reader would ignore the "older" snapshots.
const PUBLISH_SCRIPT = `
local generation = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if generation <= floor then
  generation = floor + 1
  redis.call('SET', KEYS[1], generation)
end
redis.call('SET', KEYS[2], '{"generation":' .. generation .. ',' .. ARGV[2])
redis.call('PUBLISH', ARGV[3], generation)
return generation
`;

export interface RedisRegistryStoreOptions {
  /** Creates the dedicated Pub/Sub connection (default: a duplicate of the client that waits out outages). */
  subscriber?: () => RedisClient;
  /** How long `subscribe` waits for Redis to confirm; default max(commandTimeout, 2000) — it may need a
   * fresh connection (TCP, TLS, AUTH), which one command timeout is not meant to cover. */
  subscribeTimeoutMs?: number;
}

interface Subscription {
  readonly listener: (generation: number) => void;
}

export class RedisRegistryStore implements RegistryStore {
  readonly #redis: RedisClient;
  readonly #keys: RedisKeys['registry'];
  readonly #newSubscriber: () => RedisClient;
  readonly #subscribeTimeoutMs: number;
  readonly #subscriptions = new Set<Subscription>();
  #subscriber: RedisClient | undefined;
  #subscribed: Promise<void> | undefined;
  /** Highest generation published or read through this store: the floor for the next publish. */
  #highest = 0;
  #closed = false;

  /**
   * @param redis a client from `createRedisClient` (its command timeout bounds every command); shared with
   *   other users, so `close` leaves it open: whoever created it quits it.
   */
  constructor(redis: RedisClient, keyPrefix: string, options: RedisRegistryStoreOptions = {}) {
    this.#redis = redis;
    this.#keys = redisKeys(keyPrefix).registry;
    this.#newSubscriber = options.subscriber ?? (() => duplicateForSubscribing(redis));
    this.#subscribeTimeoutMs = options.subscribeTimeoutMs ?? Math.max(commandTimeoutOf(redis), 2000);
  }

  async publish(resources: RegistryResources): Promise<number> {
    const stored = toStoredResources(resources);
    const body = JSON.stringify({ publishedAt: new Date().toISOString(), ...stored });
    const { generation, snapshot, changed } = this.#keys;
    const reply = await this.#redis.eval(
      PUBLISH_SCRIPT,
      2,
      generation,
      snapshot,
      this.#highest,
      body.slice(1),
      changed,
    );
    const published = Number(reply);
    this.#highest = Math.max(this.#highest, published);
    return published;
  }

  async read(): Promise<RegistrySnapshot | undefined> {
    const raw = await this.#redis.get(this.#keys.snapshot);
    if (raw === null) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new Error(`registry snapshot at ${this.#keys.snapshot} is not JSON: ${(error as Error).message}`);
    }
    const snapshot = fromStoredSnapshot(json, `registry snapshot at ${this.#keys.snapshot}`);
    this.#highest = Math.max(this.#highest, snapshot.generation);
    return snapshot;
  }

  async subscribe(listener: (generation: number) => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('RedisRegistryStore is closed');
    // An object per call, so the same function subscribed twice is two subscriptions.
    const subscription: Subscription = { listener };
    this.#subscriptions.add(subscription);
    try {
      await this.#ensureSubscribed();
    } catch (error) {
      await this.#unsubscribe(subscription);
      throw error;
    }
    return () => this.#unsubscribe(subscription);
  }

  async writeHealth(cluster: string, health: ClusterHealth): Promise<void> {
    const stored = toStoredHealth(cluster, health);
    await this.#redis.hset(this.#keys.health, cluster, JSON.stringify(stored));
  }

  async removeHealth(cluster: string): Promise<void> {
    await this.#redis.hdel(this.#keys.health, cluster);
  }

  /** Every cluster's health; an entry that does not parse (a foreign or older writer) is left out. */
  async readHealth(): Promise<Map<string, ClusterHealth>> {
    const entries = await this.#redis.hgetall(this.#keys.health);
    const health = new Map<string, ClusterHealth>();
    for (const [cluster, raw] of Object.entries(entries)) {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        continue;
      }
      const stored = fromStoredHealth(json);
      if (stored !== undefined) health.set(cluster, stored);
    }
    return health;
  }

  /** Ends every subscription and closes the subscriber connection; the client passed in stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriptions.clear();
    await this.#dropSubscriber();
  }

  #ensureSubscribed(): Promise<void> {
    this.#subscribed ??= this.#connectSubscriber();
    return this.#subscribed;
  }

  async #connectSubscriber(): Promise<void> {
    const subscriber = this.#newSubscriber();
    this.#subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => this.#notify(channel, message));
    const subscribing = subscriber.subscribe(this.#keys.changed);
    subscribing.catch(() => {}); // settles after a timeout below, when the connection is dropped
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`SUBSCRIBE ${this.#keys.changed} not confirmed within ${this.#subscribeTimeoutMs} ms`)),
        this.#subscribeTimeoutMs,
      );
    });
    try {
      await Promise.race([subscribing, timeout]);
    } catch (error) {
      // Start over on the next subscribe rather than leave a half-open connection queueing SUBSCRIBE.
      if (this.#subscriber === subscriber) await this.#dropSubscriber();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    // Once confirmed, ioredis re-subscribes by itself after every reconnect.
  }

  async #unsubscribe(subscription: Subscription): Promise<void> {
    if (!this.#subscriptions.delete(subscription)) return;
    if (this.#subscriptions.size === 0) await this.#dropSubscriber();
  }

  async #dropSubscriber(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    this.#subscribed = undefined;
    if (subscriber !== undefined) await closeRedisClient(subscriber);
  }

  #notify(channel: string, message: string): void {
    if (channel !== this.#keys.changed) return;
    const generation = Number(message);
    if (!Number.isSafeInteger(generation)) return;
    for (const { listener } of [...this.#subscriptions]) {
      try {
        listener(generation);
      } catch (error) {
        // One failing listener must not starve the others of the notification.
        process.emitWarning(`RedisRegistryStore listener failed: ${String(error)}`);
      }
    }
  }
}
