// What both QueueStores must say and compute the same way: the error names and messages of rejections
// and failures, and the token-bucket arithmetic (the Redis scripts repeat it operation for operation).
import type { AdmissionCheck } from '../../contract/queue-store.js';

/*
 * Semantics both stores keep where the contract (contract/queue-store.ts) is silent:
 *
 * Time. A lease, place or deadline with expiry `e` is live while e > now; e <= now is expired. Expired
 * slots and places stop counting at once, before any sweep; sweep removes them and reports the clusters.
 * Deadlines (enqueuedAt + maxWaitMs), abandonment (lastPoll + abandonAfterMs) and stuck dispatches
 * (dispatchedAt + dispatchTimeoutMs) are reached at <= now too.
 *
 * admit. 1. Every admission check, in order, concurrency before rate within a check. A 'Reject' check over
 * its limit rejects (the first such check is named), even when a 'Queue' check is also over; nothing is
 * counted. A 'Queue' check over its limit holds the request back: it is queued even if a slot is free.
 * 2. Not held back, and no entry of the group in state 'queued' with priority <= its own (held-back entries
 * included: they are ahead in the line): the first candidate with room → 'run'. 3. Otherwise it would be
 * queued: the group's queued + dispatching entries >= maxQueued → 'queue-full', nothing counted. A request
 * that runs is never rejected for a full queue. The gateway should dispatch the group after a 'queued'
 * outcome: an entry queued behind held-back ones may be dispatchable at once. An id already used by an
 * entry or a running query is refused (throws): it would silently overwrite what that id holds.
 *
 * Buckets. Every check holds a place in its bucket for every admitted query (also without maxConcurrent),
 * so snapshot().buckets shows what each user or source has running or admitted. A token is taken when the
 * request is admitted (run, or queued past its checks); a held-back entry takes its tokens and places when
 * dispatch admits it. A bucket never seen is full (burst tokens). A `now` behind the bucket's last update
 * refills nothing. A queued, admitted entry's places expire at enqueuedAt + maxWaitMs + leaseMs, after the
 * sweep that fails it for maxWait; on dispatch they follow the slot's lease.
 *
 * dispatch. Classes 0, 1, …; in a class, share keys take turns: the rotation holds the keys with queued
 * entries, a new key joins at the back, a key that was served goes to the back, FIFO within a key. A
 * held-back head entry is re-checked against all its checks (either kind: it was accepted into the queue, so
 * it waits, it is never rejected later); over → its key is skipped for this call and keeps its turn. No
 * candidate with room → dispatch stops (capacity is the group's). An entry past its maxWait that no sweep
 * has failed yet may still be dispatched: running it late beats failing it.
 *
 * Leases. renew and bind act only on a live lease: once expired, its place may be someone else's. release
 * frees what a holder holds even after its lease expired (and reports its cluster), so the caller dispatches.
 *
 * Entry life. complete: dispatching → released (else false). fail: queued or dispatching → failed (else
 * no-op). cancel: queued only. forget: released or failed only. admit counts as the entry's first poll.
 * sweep runs, in this order: expired leases; queued entries past maxWait → failed (EXCEEDED_TIME_LIMIT);
 * dispatching past dispatchTimeoutMs → failed (QUEUE_DISPATCH_TIMEOUT), slot freed; then entries not polled
 * for abandonAfterMs → removed: queued ones like cancel, released and failed ones deleted, dispatching ones
 * never (the stuck rule owns them). subscribe listeners hear of released and failed entries after the
 * change, never inside the caller's await; abandoned removals are not announced (nobody is polling).
 *
 * Reads. list is in admission order (a store-wide sequence), not by the callers' `now`. snapshot leaves out
 * zero counts; a group's queued array runs from class 0 to its highest class with entries (zeros between).
 * queuedGroups is sorted.
 */

/** `errorName` of an entry that waited longer than its group's maxWait (Trino's name for max-queued-time). */
export const QUEUE_WAIT_EXCEEDED = 'EXCEEDED_TIME_LIMIT';
/** `errorName` of an entry whose dispatching replica did not complete it within `dispatchTimeoutMs`. */
export const QUEUE_DISPATCH_TIMEOUT = 'QUEUE_DISPATCH_TIMEOUT';

/** Which part of an admission check is over its limit. */
export type AdmissionExceeded = 'concurrent' | 'rate';

export function queueFullMessage(group: string, maxQueued: number): string {
  return `Routing group "${group}" already has ${maxQueued} queued queries (its queue.maxQueued is ${maxQueued})`;
}

export function admissionMessage(check: AdmissionCheck, exceeded: AdmissionExceeded): string {
  if (exceeded === 'concurrent') {
    return `Admission limit "${check.bucket}" allows at most ${check.maxConcurrent} concurrent queries`;
  }
  return `Admission limit "${check.bucket}" allows at most ${check.maxPerSecond} queries per second (burst ${check.burst})`;
}

export function waitExceededMessage(group: string, maxWaitMs: number): string {
  return `Query waited in the queue of routing group "${group}" longer than its maxWait of ${maxWaitMs / 1000} s`;
}

export function dispatchTimeoutMessage(cluster: string, dispatchTimeoutMs: number): string {
  return (
    `Query was not handed to cluster "${cluster}" within ${dispatchTimeoutMs} ms ` +
    '(the gateway replica sending it may have stopped); submit it again'
  );
}

/** A token bucket as stored: tokens left at `ts` (epoch ms). A bucket never seen is full. */
export interface TokenState {
  readonly tokens: number;
  readonly ts: number;
}

/**
 * The bucket's tokens at `now`: refilled at `maxPerSecond` since `ts`, capped at `burst`. A `now` behind
 * `ts` (another replica's clock, a step back) refills nothing and never moves `ts` backwards.
 */
export function refill(state: TokenState | undefined, check: AdmissionCheck, now: number): TokenState {
  if (state === undefined) return { tokens: check.burst, ts: now };
  const elapsed = Math.max(0, now - state.ts);
  const rate = check.maxPerSecond ?? 0;
  return { tokens: Math.min(check.burst, state.tokens + (elapsed * rate) / 1000), ts: Math.max(state.ts, now) };
}

/** Whether a slot candidate with `count` live slots has room for one more (unlimited always has). */
export function hasRoom(count: number, limit: number | undefined): boolean {
  return limit === undefined || count < limit;
}
