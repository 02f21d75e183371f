// Keeps the leases of running managed queries alive as their clients poll, writing to the store at
// most once per clientTimeout / 10 per query, fire-and-forget.
import type { QueueStore } from '@junction/shared';

/** Queries remembered at most; the oldest renewals are forgotten first (at worst renewed once more). */
const MAX_REMEMBERED = 100_000;
const FORGET_DOWN_TO = 90_000;

export class LeaseRenewals {
  readonly #renewed = new Map<string, number>();

  constructor(
    private readonly store: QueueStore,
    private readonly clientTimeoutMs: number,
    private readonly failed: (error: unknown) => void,
  ) {}

  renew(queryId: string, now: number): void {
    const last = this.#renewed.get(queryId);
    if (last !== undefined && now - last < this.clientTimeoutMs / 10) return;
    this.#renewed.delete(queryId);
    this.#renewed.set(queryId, now);
    if (this.#renewed.size > MAX_REMEMBERED) {
      for (const key of this.#renewed.keys()) {
        this.#renewed.delete(key);
        if (this.#renewed.size <= FORGET_DOWN_TO) break;
      }
    }
    this.store.renew(queryId, this.clientTimeoutMs, now).catch((error: unknown) => {
      this.#renewed.delete(queryId);
      this.failed(error);
    });
  }
}
