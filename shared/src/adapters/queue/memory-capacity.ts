// The counting half of the in-process QueueStore: slots on clusters, places and tokens in admission
// buckets, and the holders (per running query) that know what to give back. Leases expire by `now`.
import type { AdmissionCheck, SlotCandidate, TrackedQuery } from '../../contract/queue-store.js';
import { type AdmissionExceeded, hasRoom, refill, type TokenState } from './queue-rules.js';

/** What a counted query holds: a slot on `cluster` and a place in each bucket, until `lease`. */
interface Holder {
  readonly cluster: string;
  readonly buckets: readonly string[];
  lease: number;
  /** When `bind` moved it to the cluster's query id; undefined while held under a gateway id. */
  readonly boundAt?: number;
}

/** holder or entry id → expiry (epoch ms); a member counts while its expiry is after `now`. */
type Leases = Map<string, number>;

export class Capacity {
  readonly #holders = new Map<string, Holder>();
  /** cluster → holder id → lease expiry. */
  readonly #slots = new Map<string, Leases>();
  /** bucket → holder or (waiting, admitted) entry id → expiry. */
  readonly #places = new Map<string, Leases>();
  /** bucket → its token bucket, and when it will be full again (then it is dropped: absent = full). */
  readonly #tokens = new Map<string, TokenState & { readonly fullAt: number }>();

  holds(id: string): boolean {
    return this.#holders.has(id);
  }

  /** Which limit of `check` one more admission would exceed at `now`, if any (concurrency first). */
  exceeded(check: AdmissionCheck, now: number): AdmissionExceeded | undefined {
    if (check.maxConcurrent !== undefined && live(this.#places.get(check.bucket), now) >= check.maxConcurrent) {
      return 'concurrent';
    }
    if (check.maxPerSecond !== undefined && refill(this.#tokens.get(check.bucket), check, now).tokens < 1)
      return 'rate';
    return undefined;
  }

  /** One token from every rate-limited bucket (callers checked `exceeded` first). */
  takeTokens(checks: readonly AdmissionCheck[], now: number): void {
    for (const check of checks) {
      if (check.maxPerSecond === undefined) continue;
      const { tokens, ts } = refill(this.#tokens.get(check.bucket), check, now);
      const left = tokens - 1;
      const fullAt = check.maxPerSecond > 0 ? ts + ((check.burst - left) / check.maxPerSecond) * 1000 : Infinity;
      this.#tokens.set(check.bucket, { tokens: left, ts, fullAt });
    }
  }

  /** A place in every bucket of `checks` for `id`, until `expiry` (a waiting entry's, or a lease). */
  place(checks: readonly AdmissionCheck[], id: string, expiry: number): void {
    for (const { bucket } of checks) leases(this.#places, bucket).set(id, expiry);
  }

  unplace(checks: readonly AdmissionCheck[], id: string): void {
    for (const { bucket } of checks) this.#places.get(bucket)?.delete(id);
  }

  firstWithRoom(candidates: readonly SlotCandidate[], now: number): string | undefined {
    return candidates.find(({ cluster, limit }) => hasRoom(live(this.#slots.get(cluster), now), limit))?.cluster;
  }

  /** A slot on `cluster` and a place in each bucket, held by `id` until `lease`. */
  hold(id: string, cluster: string, checks: readonly AdmissionCheck[], lease: number): void {
    this.#holders.set(id, { cluster, buckets: checks.map((check) => check.bucket), lease });
    leases(this.#slots, cluster).set(id, lease);
    this.place(checks, id, lease);
  }

  /** Frees what `id` holds; the cluster it held a slot on, or undefined when it held nothing. */
  free(id: string): string | undefined {
    const holder = this.#holders.get(id);
    if (holder === undefined) return undefined;
    this.#holders.delete(id);
    this.#slots.get(holder.cluster)?.delete(id);
    for (const bucket of holder.buckets) this.#places.get(bucket)?.delete(id);
    return holder.cluster;
  }

  /** Moves (or, with `to` = `from`, renews) a live holder to `to` with a fresh lease; false when gone or expired. */
  move(from: string, to: string, leaseMs: number, now: number): boolean {
    const holder = this.#holders.get(from);
    if (holder === undefined || holder.lease <= now) return false;
    this.free(from);
    const lease = now + leaseMs;
    const boundAt = to === from ? holder.boundAt : now;
    this.#holders.set(to, {
      cluster: holder.cluster,
      buckets: holder.buckets,
      lease,
      ...(boundAt === undefined ? {} : { boundAt }),
    });
    leases(this.#slots, holder.cluster).set(to, lease);
    for (const bucket of holder.buckets) leases(this.#places, bucket).set(to, lease);
    return true;
  }

  /** Drops expired slots (and their holders), places and full token buckets; the clusters that got slots back. */
  sweep(now: number): Set<string> {
    const freed = new Set<string>();
    for (const [cluster, slots] of this.#slots) {
      for (const [id, lease] of slots) {
        if (lease > now) continue;
        slots.delete(id);
        this.#holders.delete(id);
        freed.add(cluster);
      }
      if (slots.size === 0) this.#slots.delete(cluster);
    }
    for (const [bucket, places] of this.#places) {
      for (const [id, expiry] of places) if (expiry <= now) places.delete(id);
      if (places.size === 0) this.#places.delete(bucket);
    }
    for (const [bucket, state] of this.#tokens) if (state.fullAt <= now) this.#tokens.delete(bucket);
    return freed;
  }

  /** Live bound holders on `cluster`, oldest binding first. */
  tracked(cluster: string, now: number): TrackedQuery[] {
    const tracked: TrackedQuery[] = [];
    for (const [id, lease] of this.#slots.get(cluster) ?? []) {
      const since = this.#holders.get(id)?.boundAt;
      if (lease > now && since !== undefined) tracked.push({ queryId: id, since });
    }
    return tracked.sort((a, b) => a.since - b.since || (a.queryId < b.queryId ? -1 : 1));
  }

  running(now: number): Map<string, number> {
    return counted(this.#slots, now);
  }

  buckets(now: number): Map<string, number> {
    return counted(this.#places, now);
  }
}

function leases(all: Map<string, Leases>, name: string): Leases {
  let held = all.get(name);
  if (held === undefined) {
    held = new Map();
    all.set(name, held);
  }
  return held;
}

function live(held: Leases | undefined, now: number): number {
  let count = 0;
  for (const expiry of held?.values() ?? []) if (expiry > now) count++;
  return count;
}

function counted(all: Map<string, Leases>, now: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [name, held] of all) {
    const count = live(held, now);
    if (count > 0) counts.set(name, count);
  }
  return counts;
}
