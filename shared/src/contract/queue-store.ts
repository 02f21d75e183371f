// Query management's shared state, as one contract every implementation (memory, Redis) keeps:
// slots on clusters with a `maxRunningQueries`, the queue of each routing group (priority classes,
// FIFO within a class, turns between fair-share keys), admission buckets per user or source, and
// the leases that give capacity back when a replica or a client disappears.
//
// Atomicity: every method is one indivisible step across all replicas sharing the store. Two
// callers never both take the last slot, an entry is dispatched at most once, a bucket never admits
// past its limit. Time: callers pass `now` (epoch ms); stores never read a clock, so every replica
// and every test agrees on what "expired" means for a given call.

/** A member of the group a query may run on, in the order the group's strategy prefers. */
export interface SlotCandidate {
  readonly cluster: string;
  /** TrinoCluster.spec.maxRunningQueries; undefined = unlimited (always has room, still counted). */
  readonly limit: number | undefined;
}

/** One admission limit a request is subject to, for the value of its key in this request. */
export interface AdmissionCheck {
  /** Identifies the counted bucket: `<group>/<limit name>/<key value>`. */
  readonly bucket: string;
  /** Queries admitted under this bucket (running, or admitted and waiting for a slot) at most. */
  readonly maxConcurrent: number | undefined;
  /** Token bucket refilled at this rate (submissions per second, may be fractional)… */
  readonly maxPerSecond: number | undefined;
  /** …holding at most this many tokens (a burst); ≥ 1. */
  readonly burst: number;
  /** Over the limit: 'Reject' fails the submission at once; 'Queue' holds it until the bucket has room. */
  readonly onExceed: 'Queue' | 'Reject';
}

/** What is shown about a queued query (admin API, dashboard); never credentials. */
export interface EntryInfo {
  readonly user: string;
  readonly source: string;
  /** The SQL, already truncated by the caller. */
  readonly sql: string;
  /** The priority class's name, for people. */
  readonly className: string;
}

export interface AdmitRequest {
  /** A new gateway query id (Trino-shaped, unique across replicas): the entry's id if queued, the slot's until bound. */
  readonly id: string;
  readonly group: string;
  /** Index of the priority class: 0 is served first. */
  readonly priority: number;
  /** Fair-share key value ('' when the group shares no turns): keys take turns within a class. */
  readonly shareKey: string;
  /** Routable members now (Healthy, enabled, weight > 0), in preference order; may be empty (all asleep). */
  readonly candidates: readonly SlotCandidate[];
  readonly admission: readonly AdmissionCheck[];
  /** RoutingGroup.spec.queue.maxQueued: entries of the group at most; one more is rejected. */
  readonly maxQueued: number;
  /** RoutingGroup.spec.queue.maxWaitSeconds in ms: a queued entry older than this fails (sweep). */
  readonly maxWaitMs: number;
  /** Slot and bucket lease: a query not renewed for this long frees its place (clients gone). */
  readonly leaseMs: number;
  /** Opaque to the store: the request to send once dispatched (the gateway serialises, maybe encrypts). */
  readonly payload: Buffer;
  readonly info: EntryInfo;
  readonly now: number;
}

export type RejectReason = 'queue-full' | 'admission';

export type AdmitResult =
  /** A slot is held on `cluster` under the request's id until `bind` moves it to the cluster's query id. */
  | { readonly outcome: 'run'; readonly cluster: string }
  /** Stored as a queue entry under the request's id. */
  | { readonly outcome: 'queued' }
  /** Nothing was stored or counted. `message` names the group or bucket and the limit. */
  | { readonly outcome: 'rejected'; readonly reason: RejectReason; readonly message: string };

export type EntryState =
  | { readonly state: 'queued'; readonly group: string; readonly enqueuedAt: number }
  /** Taken by a replica that is sending it to `cluster` now. */
  | { readonly state: 'dispatching'; readonly group: string; readonly cluster: string; readonly enqueuedAt: number }
  /** Sent; `response` is the cluster's answer (opaque, serialised by the gateway), relayed on the next poll. */
  | {
      readonly state: 'released';
      readonly group: string;
      readonly cluster: string;
      readonly response: Buffer;
      readonly enqueuedAt: number;
      readonly releasedAt: number;
    }
  | {
      readonly state: 'failed';
      readonly group: string;
      readonly errorName: string;
      readonly message: string;
      readonly enqueuedAt: number;
    };

export interface Dispatched {
  readonly id: string;
  readonly cluster: string;
  readonly payload: Buffer;
  readonly enqueuedAt: number;
}

export interface QueuedEntry extends EntryInfo {
  readonly id: string;
  readonly group: string;
  readonly priority: number;
  readonly shareKey: string;
  readonly state: EntryState['state'];
  readonly enqueuedAt: number;
}

export interface QueueSnapshot {
  /** Counted queries per cluster (slots held, leases not expired). */
  readonly running: ReadonlyMap<string, number>;
  /** Queued (state 'queued') entries per group, per priority class index. */
  readonly queued: ReadonlyMap<string, readonly number[]>;
  /** Admitted count per admission bucket. */
  readonly buckets: ReadonlyMap<string, number>;
}

/** A query counted on a cluster under the cluster's own query id (bound), as `tracked` lists it. */
export interface TrackedQuery {
  /** The cluster's query id (what its `GET /v1/query` lists). */
  readonly queryId: string;
  /** When the slot was bound to this id (epoch ms): the cluster answered the POST by then. */
  readonly since: number;
}

export interface SweepResult {
  /** Clusters that got a slot back (dispatch their groups). */
  readonly freed: readonly string[];
  /** Entries failed for waiting longer than their maxWait. */
  readonly expired: number;
  /** Entries removed because nobody polled them for `abandonAfterMs`. */
  readonly abandoned: number;
  /** Entries failed because the replica dispatching them did not complete within `dispatchTimeoutMs`. */
  readonly stuck: number;
}

export interface QueueStore {
  /** Admission, then a slot on the first candidate with room, else a queue entry (or a rejection). */
  admit(request: AdmitRequest): Promise<AdmitResult>;
  /**
   * The cluster answered with its own query id: the slot and bucket places held under `id` (gateway id)
   * now follow `queryId`, with a fresh lease. Unknown `id` (already released or expired): no-op.
   */
  bind(id: string, queryId: string, leaseMs: number, now: number): Promise<void>;
  /** The query ended (terminal page, DELETE, no longer listed, its POST failed): frees its places. Idempotent. */
  release(queryIdOrId: string, now: number): Promise<{ cluster: string | undefined }>;
  /** The client still polls: pushes the query's leases out to now + leaseMs. No-op when unknown. */
  renew(queryId: string, leaseMs: number, now: number): Promise<void>;
  /**
   * Takes queued entries of `group` that now fit, in order (class, then turns between share keys, then
   * FIFO), holds a slot and their buckets for each, marks them dispatching. At most `max` entries.
   */
  dispatch(
    group: string,
    candidates: readonly SlotCandidate[],
    leaseMs: number,
    now: number,
    max?: number,
  ): Promise<Dispatched[]>;
  /**
   * A dispatched entry's POST was answered: the entry is released with `response`. False when the entry
   * is no longer dispatching (failed meanwhile, e.g. by sweep as stuck, or unknown): nobody will relay
   * the answer, so the caller should cancel the query it just created on the cluster.
   */
  complete(id: string, response: Buffer, now: number): Promise<boolean>;
  /**
   * The entry fails (wake timeout, forward failed, …): its places are freed; the next poll reports it.
   * `cluster` names the cluster whose slot it held (a dispatched, not yet bound entry), so the caller can
   * dispatch that cluster's groups; undefined when it held none. No-op for released, failed or unknown.
   */
  fail(id: string, errorName: string, message: string, now: number): Promise<{ cluster: string | undefined }>;
  /** A poll of the queued query: marks it polled (against abandonment) and returns its state. */
  poll(id: string, now: number): Promise<EntryState | undefined>;
  /** The client is done with a released or failed entry (its answer was delivered); forget it. */
  forget(id: string): Promise<void>;
  /** DELETE of a queued query: removed and never dispatched. False when unknown or already dispatched. */
  cancel(id: string, now: number): Promise<boolean>;
  /** Expired leases free places; over-maxWait entries fail; unpolled entries go; stuck dispatches fail. */
  sweep(options: { abandonAfterMs: number; dispatchTimeoutMs: number; now: number }): Promise<SweepResult>;
  /** Groups that have entries in state 'queued'. */
  queuedGroups(): Promise<string[]>;
  snapshot(now: number): Promise<QueueSnapshot>;
  /**
   * Queries counted on `cluster` now under the cluster's query ids (bound, lease not expired), oldest
   * first. Slots still held under a gateway id (their POST has not been answered) are left out.
   */
  tracked(cluster: string, now: number): Promise<TrackedQuery[]>;
  /** Queued and dispatching entries (of one group, or all), oldest first, at most `limit`. */
  list(group: string | undefined, limit: number): Promise<QueuedEntry[]>;
  /** `listener(id)` runs when an entry becomes released or failed, on any replica. */
  subscribe(listener: (id: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
