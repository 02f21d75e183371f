// RedisQueueStore.subscribe: one Pub/Sub connection per store, opened on the first subscription and closed
// with the last; the scripts PUBLISH an entry's id when it becomes released or failed.
import { closeRedisClient, createRedisClient, type RedisClient, type RedisClientConfig } from '../redis-client.js';

interface Subscription {
  readonly listener: (id: string) => void;
}

export class SettledChannel {
  readonly #channel: string;
  readonly #newSubscriber: () => RedisClient;
  readonly #timeoutMs: number;
  readonly #subscriptions = new Set<Subscription>();
  #subscriber: RedisClient | undefined;
  #subscribed: Promise<void> | undefined;
  #closed = false;

  constructor(
    channel: string,
    config: RedisClientConfig,
    options: { timeoutMs: number; subscriber?: (() => RedisClient) | undefined; name?: string | undefined },
  ) {
    this.#channel = channel;
    this.#timeoutMs = options.timeoutMs;
    const name = options.name === undefined ? undefined : `${options.name}-queue-subscriber`;
    this.#newSubscriber = options.subscriber ?? (() => createRedisClient(config, { subscriber: true, name }));
  }

  async subscribe(listener: (id: string) => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('RedisQueueStore is closed');
    // An object per call, so the same function subscribed twice is two subscriptions.
    const subscription: Subscription = { listener };
    this.#subscriptions.add(subscription);
    try {
      this.#subscribed ??= this.#connect();
      await this.#subscribed;
    } catch (error) {
      await this.#unsubscribe(subscription);
      throw error;
    }
    return () => this.#unsubscribe(subscription);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriptions.clear();
    await this.#drop();
  }

  async #connect(): Promise<void> {
    const subscriber = this.#newSubscriber();
    this.#subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#notify(message);
    });
    const subscribing = subscriber.subscribe(this.#channel);
    subscribing.catch(() => {}); // settles after the timeout below, when the connection is dropped
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`SUBSCRIBE ${this.#channel} not confirmed within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    try {
      await Promise.race([subscribing, timeout]);
    } catch (error) {
      // Start over on the next subscribe rather than keep a half-open connection queueing SUBSCRIBE.
      if (this.#subscriber === subscriber) await this.#drop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    // Once confirmed, ioredis subscribes again by itself after every reconnect (autoResubscribe).
  }

  async #unsubscribe(subscription: Subscription): Promise<void> {
    if (!this.#subscriptions.delete(subscription)) return;
    if (this.#subscriptions.size === 0) await this.#drop();
  }

  async #drop(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    this.#subscribed = undefined;
    if (subscriber !== undefined) await closeRedisClient(subscriber);
  }

  #notify(id: string): void {
    for (const { listener } of [...this.#subscriptions]) {
      try {
        listener(id);
      } catch (error) {
        // One failing listener must not starve the others.
        process.emitWarning(`RedisQueueStore listener failed: ${String(error)}`);
      }
    }
  }
}
