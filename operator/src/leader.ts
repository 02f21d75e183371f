// Lease-based leader election with client-go's semantics: a lease is taken over only after it went
// unrenewed for its duration (by our clock), every write carries the read resourceVersion so two
// candidates can never both win, and a leader steps down when it cannot renew within renewDeadline.
import type { Logger } from '@junction/shared';

/** The fields of a coordination.k8s.io/v1 Lease that election reads and writes. */
export interface LeaseSpec {
  readonly holderIdentity: string | undefined;
  readonly leaseDurationSeconds: number;
  /** RFC 3339 with microseconds, as the API's MicroTime. */
  readonly acquireTime: string | undefined;
  readonly renewTime: string | undefined;
  readonly leaseTransitions: number;
}

export interface LeaseRecord extends LeaseSpec {
  readonly resourceVersion: string;
}

/** Another writer changed the Lease since it was read (HTTP 409), or created it first. */
export class LeaseConflictError extends Error {
  override readonly name = 'LeaseConflictError';
}

/** The Lease API, implemented against Kubernetes in kube.ts. */
export interface LeaseClient {
  read(name: string): Promise<LeaseRecord | undefined>;
  /** Rejects with LeaseConflictError when the Lease already exists. */
  create(name: string, spec: LeaseSpec): Promise<LeaseRecord>;
  /** Replaces the Lease only if it still has `record.resourceVersion`; else LeaseConflictError. */
  replace(name: string, record: LeaseRecord): Promise<LeaseRecord>;
}

export type LeaseDecision =
  | { readonly action: 'create' | 'acquire' | 'renew'; readonly spec: LeaseSpec }
  | { readonly action: 'wait'; readonly holder: string; readonly expiresInMs: number };

/** MicroTime format: 2024-05-01T10:00:00.123000Z (the API rejects fewer fraction digits). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * What a candidate does with the Lease it just read. `observedAt` is our clock's time when the
 * current record was first seen: expiry is judged by it, not by the holder's renewTime, so clock
 * skew between replicas cannot cut a lease short (client-go does the same).
 */
export function decideLease(input: {
  current: LeaseRecord | undefined;
  identity: string;
  now: number;
  observedAt: number;
  leaseDurationSeconds: number;
}): LeaseDecision {
  const { current, identity, now } = input;
  const fresh = (acquireTime: string | undefined, transitions: number): LeaseSpec => ({
    holderIdentity: identity,
    leaseDurationSeconds: input.leaseDurationSeconds,
    acquireTime,
    renewTime: microTime(now),
    leaseTransitions: transitions,
  });
  if (current === undefined) return { action: 'create', spec: fresh(microTime(now), 0) };
  const holder = current.holderIdentity ?? '';
  if (holder === identity) return { action: 'renew', spec: fresh(current.acquireTime, current.leaseTransitions) };
  const expiresInMs = input.observedAt + current.leaseDurationSeconds * 1000 - now;
  if (holder !== '' && expiresInMs > 0) return { action: 'wait', holder, expiresInMs };
  return { action: 'acquire', spec: fresh(microTime(now), current.leaseTransitions + 1) };
}

export interface LeaderElectorOptions {
  readonly leases: LeaseClient;
  readonly leaseName: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  /** Starts the leader's work; leadership is not announced elsewhere until it resolves. */
  readonly onStartedLeading: () => void | Promise<void>;
  /** Must stop every write before it resolves: the lease is given up only afterwards. */
  readonly onStoppedLeading: () => void | Promise<void>;
  readonly onNewLeader?: (identity: string | undefined) => void;
  readonly logger: Logger;
}

type Attempt = 'ok' | 'held' | 'failed';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());

/** Resolves `work`, or 'failed' once `ms` passed: a hung request must not outlive the renew deadline. */
function within(work: Promise<Attempt>, ms: number): Promise<Attempt> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Attempt>((resolve) => {
    timer = setTimeout(() => resolve('failed'), Math.max(1, ms));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class LeaderElector {
  private observed: LeaseRecord | undefined;
  private observedAt = 0;
  private leading = false;
  /** Our clock's time when the last successful renew was sent. */
  private renewedAt = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastLeader: string | undefined;
  private reachable = false;

  constructor(private readonly options: LeaderElectorOptions) {}

  get identity(): string {
    return this.options.identity;
  }

  /** True while leading and the last renew is younger than renewDeadline (so the lease is surely ours). */
  isLeader(): boolean {
    return this.leading && Date.now() - this.renewedAt < this.options.renewDeadlineMs;
  }

  /** The holder seen in the Lease at the last read (possibly us). */
  get leader(): string | undefined {
    return this.lastLeader;
  }

  /** False until the Lease was read once, and after a lease request failed (not counting conflicts). */
  get inContact(): boolean {
    return this.reachable;
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      this.options.logger.error('leader election stopped unexpectedly', { error: String(error) });
    });
  }

  /** Stops campaigning; a leader first stops its work, then releases the Lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      while (!this.stopping && (await this.attempt()) !== 'ok') await this.pause(this.jittered());
      if (this.stopping) break;
      this.leading = true;
      this.options.logger.info('started leading', { identity: this.identity, lease: this.options.leaseName });
      const started = await this.callback('onStartedLeading', this.options.onStartedLeading);
      while (started && !this.stopping && (await this.renew())) await this.pause(this.options.retryPeriodMs);
      this.leading = false;
      this.options.logger.warn('stopped leading', { identity: this.identity, stopping: this.stopping });
      await this.callback('onStoppedLeading', this.options.onStoppedLeading);
      // Give the Lease up on shutdown and after a failed start, so a healthier replica takes over at once.
      if (this.stopping || !started) await this.release();
    }
  }

  /** Renews until success or renewDeadline since the last renew; false means leadership is lost. */
  private async renew(): Promise<boolean> {
    const deadline = this.renewedAt + this.options.renewDeadlineMs;
    for (;;) {
      if (this.stopping) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      const result = await within(this.attempt(), remaining);
      if (result === 'ok') return true;
      // Someone else holds the Lease: it was taken over, so stepping down cannot wait.
      if (result === 'held') return false;
      await this.pause(Math.min(this.options.retryPeriodMs, deadline - Date.now()));
    }
  }

  private async attempt(): Promise<Attempt> {
    const sentAt = Date.now();
    try {
      const current = await this.options.leases.read(this.options.leaseName);
      this.reachable = true;
      this.observe(current, sentAt);
      const decision = decideLease({
        current,
        identity: this.identity,
        now: sentAt,
        observedAt: this.observedAt,
        leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
      });
      if (decision.action === 'wait') return 'held';
      const written =
        decision.action === 'create'
          ? await this.options.leases.create(this.options.leaseName, decision.spec)
          : await this.options.leases.replace(this.options.leaseName, {
              ...decision.spec,
              resourceVersion: (current as LeaseRecord).resourceVersion,
            });
      this.observe(written, sentAt);
      this.renewedAt = sentAt;
      return 'ok';
    } catch (error) {
      if (!(error instanceof LeaseConflictError)) {
        this.reachable = false;
        this.options.logger.warn('lease request failed', { lease: this.options.leaseName, error: String(error) });
      }
      return 'failed';
    }
  }

  private observe(record: LeaseRecord | undefined, at: number): void {
    if (record?.resourceVersion !== this.observed?.resourceVersion) {
      this.observed = record;
      this.observedAt = at;
    }
    const holder = record?.holderIdentity || undefined;
    if (holder !== this.lastLeader) {
      this.lastLeader = holder;
      this.options.onNewLeader?.(holder);
    }
  }

  private async callback(name: string, callback: () => void | Promise<void>): Promise<boolean> {
    try {
      await callback();
      return true;
    } catch (error) {
      this.options.logger.error(`${name} failed`, { error: String(error) });
      return false;
    }
  }

  /** Gives the Lease up (holder cleared, 1 s duration) unless someone else already changed it. */
  private async release(): Promise<void> {
    const observed = this.observed;
    if (observed === undefined || observed.holderIdentity !== this.identity) return;
    const now = microTime(Date.now());
    try {
      const released = await this.options.leases.replace(this.options.leaseName, {
        ...observed,
        holderIdentity: undefined,
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      });
      this.observe(released, Date.now());
      this.options.logger.info('released the lease', { lease: this.options.leaseName });
    } catch (error) {
      this.options.logger.warn('could not release the lease', { error: String(error) });
    }
  }

  /** Candidates wait retryPeriod × [1, 1.2) so they do not move in lockstep (client-go's jitter is wider, which
   * only slows failover). */
  private jittered(): number {
    return this.options.retryPeriodMs * (1 + Math.random() * 0.2);
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      void sleep(ms).then(resolve);
    });
  }
}
