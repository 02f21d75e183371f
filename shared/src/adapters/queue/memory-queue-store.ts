// The in-process QueueStore (one process; and the model the Redis store is tested against). No timers:
// time is the caller's `now`. Semantics where the contract is silent are written down in queue-rules.ts.
import type {
  AdmissionCheck,
  AdmitRequest,
  AdmitResult,
  Dispatched,
  EntryInfo,
  EntryState,
  QueuedEntry,
  QueueSnapshot,
  QueueStore,
  SlotCandidate,
  SweepResult,
  TrackedQuery,
} from '../../contract/queue-store.js';
import { Capacity } from './memory-capacity.js';
import { GroupQueues } from './memory-group-queues.js';
import {
  admissionMessage,
  dispatchTimeoutMessage,
  QUEUE_DISPATCH_TIMEOUT,
  QUEUE_WAIT_EXCEEDED,
  queueFullMessage,
  waitExceededMessage,
} from './queue-rules.js';

interface Entry {
  readonly id: string;
  readonly group: string;
  readonly priority: number;
  readonly shareKey: string;
  readonly payload: Buffer;
  readonly info: EntryInfo;
  readonly checks: readonly AdmissionCheck[];
  readonly enqueuedAt: number;
  readonly deadline: number;
  readonly maxWaitMs: number;
  /** Passed its admission checks (tokens taken, places held); false while held back by a Queue limit. */
  admitted: boolean;
  lastPolledAt: number;
  state: EntryState['state'];
  cluster?: string;
  dispatchedAt?: number;
  response?: Buffer;
  releasedAt?: number;
  errorName?: string;
  message?: string;
}

export class MemoryQueueStore implements QueueStore {
  /** Insertion order is admission order: `list` reads it oldest first. */
  readonly #entries = new Map<string, Entry>();
  readonly #capacity = new Capacity();
  readonly #lines = new GroupQueues();
  /** group → ids in state queued or dispatching (what maxQueued counts). */
  readonly #active = new Map<string, Set<string>>();
  readonly #listeners = new Set<{ readonly listener: (id: string) => void }>();
  #closed = false;

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const { id, group, admission, now } = request;
    if (this.#entries.has(id) || this.#capacity.holds(id)) throw new Error(`queue id ${id} is already in use`);
    let heldBack = false;
    for (const check of admission) {
      const exceeded = this.#capacity.exceeded(check, now);
      if (exceeded === undefined) continue;
      if (check.onExceed === 'Reject') {
        return { outcome: 'rejected', reason: 'admission', message: admissionMessage(check, exceeded) };
      }
      heldBack = true;
    }
    if (!heldBack && !this.#lines.waitingAtOrAbove(group, request.priority)) {
      const cluster = this.#capacity.firstWithRoom(request.candidates, now);
      if (cluster !== undefined) {
        const lease = now + request.leaseMs;
        this.#capacity.takeTokens(admission, now);
        this.#capacity.hold(id, cluster, admission, lease);
        return { outcome: 'run', cluster };
      }
    }
    const active = this.#active.get(group) ?? new Set<string>();
    if (active.size >= request.maxQueued) {
      return { outcome: 'rejected', reason: 'queue-full', message: queueFullMessage(group, request.maxQueued) };
    }
    const deadline = now + request.maxWaitMs;
    if (!heldBack) {
      this.#capacity.takeTokens(admission, now);
      this.#capacity.place(admission, id, deadline + request.leaseMs);
    }
    const entry: Entry = {
      id,
      group,
      priority: request.priority,
      shareKey: request.shareKey,
      payload: Buffer.from(request.payload),
      info: {
        user: request.info.user,
        source: request.info.source,
        sql: request.info.sql,
        className: request.info.className,
      },
      checks: admission.map((check) => ({ ...check })),
      enqueuedAt: now,
      deadline,
      maxWaitMs: request.maxWaitMs,
      admitted: !heldBack,
      lastPolledAt: now,
      state: 'queued',
    };
    this.#entries.set(id, entry);
    this.#active.set(group, active.add(id));
    this.#lines.push(entry);
    return { outcome: 'queued' };
  }

  async bind(id: string, queryId: string, leaseMs: number, now: number): Promise<void> {
    this.#capacity.move(id, queryId, leaseMs, now);
  }

  async release(queryIdOrId: string, _now: number): Promise<{ cluster: string | undefined }> {
    return { cluster: this.#capacity.free(queryIdOrId) };
  }

  async renew(queryId: string, leaseMs: number, now: number): Promise<void> {
    this.#capacity.move(queryId, queryId, leaseMs, now);
  }

  async dispatch(
    group: string,
    candidates: readonly SlotCandidate[],
    leaseMs: number,
    now: number,
    max = Number.POSITIVE_INFINITY,
  ): Promise<Dispatched[]> {
    const dispatched: Dispatched[] = [];
    for (const priority of this.#lines.classes(group)) {
      const blocked = new Set<string>();
      while (dispatched.length < max) {
        const head = this.#lines.heads(group, priority).find(({ shareKey }) => !blocked.has(shareKey));
        if (head === undefined) break;
        const entry = this.#entries.get(head.id) as Entry;
        if (!entry.admitted && entry.checks.some((check) => this.#capacity.exceeded(check, now) !== undefined)) {
          blocked.add(head.shareKey);
          continue;
        }
        const cluster = this.#capacity.firstWithRoom(candidates, now);
        if (cluster === undefined) return dispatched;
        this.#lines.shiftTurn(group, priority, head.shareKey);
        if (!entry.admitted) this.#capacity.takeTokens(entry.checks, now);
        this.#capacity.hold(entry.id, cluster, entry.checks, now + leaseMs);
        Object.assign(entry, { admitted: true, state: 'dispatching', cluster, dispatchedAt: now });
        dispatched.push({ id: entry.id, cluster, payload: Buffer.from(entry.payload), enqueuedAt: entry.enqueuedAt });
      }
    }
    return dispatched;
  }

  async complete(id: string, response: Buffer, now: number): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (entry?.state !== 'dispatching') return false;
    Object.assign(entry, { state: 'released', response: Buffer.from(response), releasedAt: now });
    this.#active.get(entry.group)?.delete(id);
    this.#settled(id);
    return true;
  }

  async fail(id: string, errorName: string, message: string, _now: number): Promise<{ cluster: string | undefined }> {
    const entry = this.#entries.get(id);
    if (entry === undefined || (entry.state !== 'queued' && entry.state !== 'dispatching')) {
      return { cluster: undefined };
    }
    return { cluster: this.#failEntry(entry, errorName, message) };
  }

  async poll(id: string, now: number): Promise<EntryState | undefined> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    entry.lastPolledAt = now;
    const { group, enqueuedAt } = entry;
    switch (entry.state) {
      case 'queued':
        return { state: 'queued', group, enqueuedAt };
      case 'dispatching':
        return { state: 'dispatching', group, cluster: entry.cluster ?? '', enqueuedAt };
      case 'released': {
        const { cluster = '', releasedAt = 0 } = entry;
        return {
          state: 'released',
          group,
          cluster,
          response: Buffer.from(entry.response ?? []),
          enqueuedAt,
          releasedAt,
        };
      }
      case 'failed':
        return { state: 'failed', group, errorName: entry.errorName ?? '', message: entry.message ?? '', enqueuedAt };
    }
  }

  async forget(id: string): Promise<void> {
    const state = this.#entries.get(id)?.state;
    if (state === 'released' || state === 'failed') this.#entries.delete(id);
  }

  async cancel(id: string, _now: number): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (entry?.state !== 'queued') return false;
    this.#unqueue(entry);
    this.#entries.delete(id);
    return true;
  }

  async sweep(options: { abandonAfterMs: number; dispatchTimeoutMs: number; now: number }): Promise<SweepResult> {
    const { now } = options;
    const freed = this.#capacity.sweep(now);
    let expired = 0;
    let stuck = 0;
    let abandoned = 0;
    for (const entry of [...this.#entries.values()]) {
      if (entry.state !== 'queued' || entry.deadline > now) continue;
      this.#failEntry(entry, QUEUE_WAIT_EXCEEDED, waitExceededMessage(entry.group, entry.maxWaitMs));
      expired++;
    }
    for (const entry of [...this.#entries.values()]) {
      if (entry.state !== 'dispatching' || (entry.dispatchedAt ?? 0) + options.dispatchTimeoutMs > now) continue;
      const message = dispatchTimeoutMessage(entry.cluster ?? '', options.dispatchTimeoutMs);
      const cluster = this.#failEntry(entry, QUEUE_DISPATCH_TIMEOUT, message);
      if (cluster !== undefined) freed.add(cluster);
      stuck++;
    }
    for (const entry of [...this.#entries.values()]) {
      if (entry.state === 'dispatching' || entry.lastPolledAt + options.abandonAfterMs > now) continue;
      if (entry.state === 'queued') this.#unqueue(entry);
      this.#entries.delete(entry.id);
      abandoned++;
    }
    return { freed: [...freed], expired, abandoned, stuck };
  }

  async queuedGroups(): Promise<string[]> {
    return this.#lines.groups();
  }

  async snapshot(now: number): Promise<QueueSnapshot> {
    const queued = new Map(this.#lines.groups().map((group) => [group, this.#lines.counts(group)] as const));
    return { running: this.#capacity.running(now), queued, buckets: this.#capacity.buckets(now) };
  }

  async tracked(cluster: string, now: number): Promise<TrackedQuery[]> {
    return this.#capacity.tracked(cluster, now);
  }

  async list(group: string | undefined, limit: number): Promise<QueuedEntry[]> {
    const listed: QueuedEntry[] = [];
    for (const entry of this.#entries.values()) {
      if (listed.length >= limit) break;
      if (entry.state !== 'queued' && entry.state !== 'dispatching') continue;
      if (group !== undefined && entry.group !== group) continue;
      const { id, priority, shareKey, state, enqueuedAt, info } = entry;
      listed.push({ id, group: entry.group, priority, shareKey, state, enqueuedAt, ...info });
    }
    return listed;
  }

  async subscribe(listener: (id: string) => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('MemoryQueueStore is closed');
    const subscription = { listener };
    this.#listeners.add(subscription);
    return async () => {
      this.#listeners.delete(subscription);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  /** Out of its line, its waiting places given back; it no longer counts against maxQueued. */
  #unqueue(entry: Entry): void {
    this.#lines.remove(entry);
    if (entry.admitted) this.#capacity.unplace(entry.checks, entry.id);
    this.#active.get(entry.group)?.delete(entry.id);
  }

  /** Fails a queued or dispatching entry, freeing what it holds; the cluster whose slot it gave back. */
  #failEntry(entry: Entry, errorName: string, message: string): string | undefined {
    let cluster: string | undefined;
    if (entry.state === 'queued') this.#unqueue(entry);
    else cluster = this.#capacity.free(entry.id);
    this.#active.get(entry.group)?.delete(entry.id);
    Object.assign(entry, { state: 'failed', errorName, message });
    this.#settled(entry.id);
    return cluster;
  }

  #settled(id: string): void {
    // Like Redis Pub/Sub: listeners hear of it after the change, never inside the caller's await.
    queueMicrotask(() => {
      for (const { listener } of [...this.#listeners]) {
        try {
          listener(id);
        } catch (error) {
          process.emitWarning(`MemoryQueueStore listener failed: ${String(error)}`);
        }
      }
    });
  }
}
