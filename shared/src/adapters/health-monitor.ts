// Keeps every registered cluster's health current: probes each on its own interval (bounded
// concurrency), turns probe outcomes into phases, and reports changes. Timers are the only effect.
import type { ClusterEntry, ClusterHealth, Registry } from '../contract/model.js';
import { PENDING_HEALTH, sameHealth } from '../contract/model.js';
import type { HealthCheck } from '../contract/schemas/resources.js';
import { type ProbeOutcome, probeCluster } from './prober.js';

export interface HealthMonitorOptions {
  /** Probes in flight at once across all clusters. */
  concurrency?: number;
  /** Every change by sameHealth: a completed probe always is one, as it advances probedAt. */
  onChange?: (name: string, health: ClusterHealth, previous: ClusterHealth) => void;
  /** Replaces the network probe (tests, or a caller with its own transport). */
  probe?: typeof probeCluster;
}

/** One cluster under watch. A url or healthCheck change replaces the whole object, so late results of
 * the old configuration land on a retired object and are dropped. */
interface Watch {
  entry: ClusterEntry;
  health: ClusterHealth;
  failures: number;
  timer: NodeJS.Timeout | undefined;
  abort: AbortController;
  /** Probes of one cluster run one after another; each probeNow() call waits for its own. */
  tail: Promise<void>;
  retired: boolean;
}

function sameCheck(a: HealthCheck, b: HealthCheck): boolean {
  return (
    a.type === b.type &&
    a.intervalSeconds === b.intervalSeconds &&
    a.timeoutSeconds === b.timeoutSeconds &&
    a.failureThreshold === b.failureThreshold
  );
}

/**
 * The phase rules: an ok probe → Healthy (Pending while the coordinator reports `starting`) and the
 * failure count resets; a failed probe counts, and only the failureThreshold-th consecutive failure
 * makes the cluster Unhealthy — before that the phase and counts stay, the message says what failed.
 */
export function nextHealth(
  previous: ClusterHealth,
  failures: number,
  outcome: ProbeOutcome,
  check: HealthCheck,
  now: number,
): { health: ClusterHealth; failures: number } {
  if (outcome.ok) {
    const health: ClusterHealth = {
      phase: outcome.starting ? 'Pending' : 'Healthy',
      runningQueries: outcome.runningQueries ?? 0,
      queuedQueries: outcome.queuedQueries ?? 0,
      activeNodes: outcome.activeNodes,
      probedAt: now,
      message: outcome.starting ? 'coordinator is starting' : check.type === 'None' ? 'ok (no health check)' : 'ok',
    };
    return { health, failures: 0 };
  }
  const count = failures + 1;
  if (count >= check.failureThreshold) {
    return { health: { ...previous, phase: 'Unhealthy', probedAt: now, message: outcome.message }, failures: count };
  }
  const message = `${outcome.message} (failure ${count} of ${check.failureThreshold})`;
  return { health: { ...previous, probedAt: now, message }, failures: count };
}

export class HealthMonitor {
  readonly firstRound: Promise<void>;
  private readonly watches = new Map<string, Watch>();
  private readonly concurrency: number;
  private readonly onChange: HealthMonitorOptions['onChange'];
  private readonly probe: typeof probeCluster;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private firstRoundPending: Set<string> | undefined;
  private resolveFirstRound: () => void = () => {};
  private stopped = false;

  constructor(options: HealthMonitorOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.onChange = options.onChange;
    this.probe = options.probe ?? probeCluster;
    this.firstRound = new Promise((resolve) => {
      this.resolveFirstRound = resolve;
    });
  }

  update(registry: Registry): void {
    if (this.stopped) return;
    if (this.firstRoundPending === undefined) {
      this.firstRoundPending = new Set(registry.clusters.keys());
      this.settleFirstRound();
    }
    for (const [name, watch] of this.watches) {
      if (!registry.clusters.has(name)) {
        this.retire(watch);
        this.watches.delete(name);
        this.markFirstRoundDone(name);
      }
    }
    for (const [name, entry] of registry.clusters) {
      const watch = this.watches.get(name);
      if (watch && watch.entry.url === entry.url && sameCheck(watch.entry.healthCheck, entry.healthCheck)) {
        watch.entry = entry;
        continue;
      }
      if (watch) this.retire(watch);
      const fresh: Watch = {
        entry,
        health: PENDING_HEALTH,
        failures: 0,
        timer: undefined,
        abort: new AbortController(),
        tail: Promise.resolve(),
        retired: false,
      };
      this.watches.set(name, fresh);
      if (watch) this.publish(name, fresh, PENDING_HEALTH, watch.health);
      void this.enqueue(fresh);
    }
  }

  get(name: string): ClusterHealth {
    return this.watches.get(name)?.health ?? PENDING_HEALTH;
  }

  all(): ReadonlyMap<string, ClusterHealth> {
    return new Map([...this.watches].map(([name, watch]) => [name, watch.health]));
  }

  /** Forwarding could not connect: trust that over the last probe until the next probe succeeds. */
  markUnreachable(name: string, message: string): void {
    const watch = this.watches.get(name);
    if (!watch) return;
    watch.failures = Math.max(watch.failures, watch.entry.healthCheck.failureThreshold);
    this.publish(name, watch, { ...watch.health, phase: 'Unhealthy', message }, watch.health);
  }

  /** Probes one cluster (or all) now, after any probe of it already running; resolves when done. */
  async probeNow(name?: string): Promise<void> {
    const watches = name === undefined ? [...this.watches.values()] : [this.watches.get(name)];
    await Promise.all(watches.map((watch) => (watch ? this.enqueue(watch) : undefined)));
  }

  stop(): void {
    this.stopped = true;
    for (const watch of this.watches.values()) this.retire(watch);
    this.resolveFirstRound();
  }

  private retire(watch: Watch): void {
    watch.retired = true;
    clearTimeout(watch.timer);
    watch.abort.abort();
  }

  private enqueue(watch: Watch): Promise<void> {
    watch.tail = watch.tail.then(() => this.runProbe(watch));
    return watch.tail;
  }

  private async runProbe(watch: Watch): Promise<void> {
    if (watch.retired) return;
    clearTimeout(watch.timer);
    watch.timer = undefined;
    await this.acquire();
    let outcome: ProbeOutcome;
    try {
      if (watch.retired) return;
      outcome = await this.probe(watch.entry, { signal: watch.abort.signal });
    } catch (error) {
      // probeCluster never throws; a replacement probe might.
      outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
    } finally {
      this.release();
    }
    if (watch.retired) return;
    const { name, healthCheck } = watch.entry;
    const next = nextHealth(watch.health, watch.failures, outcome, healthCheck, Date.now());
    watch.failures = next.failures;
    this.publish(name, watch, next.health, watch.health);
    this.markFirstRoundDone(name);
    this.schedule(watch);
  }

  private schedule(watch: Watch): void {
    clearTimeout(watch.timer);
    watch.timer = setTimeout(() => void this.enqueue(watch), watch.entry.healthCheck.intervalSeconds * 1000);
    watch.timer.unref();
  }

  private publish(name: string, watch: Watch, health: ClusterHealth, previous: ClusterHealth): void {
    watch.health = health;
    if (sameHealth(health, previous) || !this.onChange) return;
    try {
      this.onChange(name, health, previous);
    } catch (error) {
      // A failing listener must not stop probing; surface it without crashing the process.
      process.emitWarning(`HealthMonitor onChange listener failed for ${name}: ${String(error)}`);
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next();
    else this.active--;
  }

  private markFirstRoundDone(name: string): void {
    if (this.firstRoundPending?.delete(name)) this.settleFirstRound();
  }

  private settleFirstRound(): void {
    if (this.firstRoundPending?.size === 0) this.resolveFirstRound();
  }
}
