// Cluster health for a proxy in Redis mode: the operator probes every cluster and writes the results to the
// RegistryStore; each proxy reads them all in one round trip per poll instead of probing on its own.
import { type ClusterHealth, PENDING_HEALTH, type RegistryStore, sameHealth } from '@junction/shared';
import type { HealthSource } from './health-view.js';
import { SerialRefresh } from './refresh.js';

export interface SharedHealthViewOptions {
  /** Read only; whoever created the store closes it. */
  readonly store: RegistryStore;
  /** How often the store is read (default 1000). */
  readonly pollMs?: number;
  /** Called with every failed read (for metrics and logs); the last health read stays in use meanwhile. */
  readonly onError?: (error: unknown) => void;
  /** Called when a cluster's health as `get` reports it changes, from the store or from markUnreachable. */
  readonly onChange?: (name: string, health: ClusterHealth, previous: ClusterHealth) => void;
}

export class SharedHealthView implements HealthSource {
  /** Resolves after the first successful read (or on stop, so nobody waits forever). */
  readonly firstRound: Promise<void>;
  readonly #options: SharedHealthViewOptions;
  #resolveFirstRound: () => void = () => {};
  #stored: ReadonlyMap<string, ClusterHealth> = new Map();
  /** Local overlays from markUnreachable; each keeps the probedAt of the health it covers. */
  readonly #marks = new Map<string, ClusterHealth>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #refresh = new SerialRefresh(
    () => this.#readOnce(),
    () => this.#stopped,
  );

  private constructor(options: SharedHealthViewOptions) {
    this.#options = options;
    this.firstRound = new Promise((resolve) => {
      this.#resolveFirstRound = resolve;
    });
  }

  /** Starts reading at once and then every pollMs; never throws, an unreachable store is retried. */
  static start(options: SharedHealthViewOptions): SharedHealthView {
    const view = new SharedHealthView(options);
    void view.refresh();
    view.#timer = setInterval(() => void view.refresh(), options.pollMs ?? 1000);
    view.#timer.unref();
    return view;
  }

  get(name: string): ClusterHealth {
    return this.#marks.get(name) ?? this.#stored.get(name) ?? PENDING_HEALTH;
  }

  /** Every cluster the store or a local mark knows of, as `get` reports it. */
  all(): ReadonlyMap<string, ClusterHealth> {
    const names = new Set([...this.#stored.keys(), ...this.#marks.keys()]);
    return new Map([...names].map((name) => [name, this.get(name)]));
  }

  /**
   * Forwarding could not connect: trust that over the stored probe until the operator reports a probe taken
   * after it (a greater probedAt than the health marked). Comparing probedAt values, which all come from the
   * operator's clock, keeps this independent of clock skew between the proxy and the operator.
   */
  markUnreachable(name: string, message: string): void {
    const previous = this.get(name);
    const marked: ClusterHealth = Object.freeze({ ...previous, phase: 'Unhealthy', message });
    this.#marks.set(name, marked);
    this.#report(name, marked, previous);
  }

  /** Reads the store now; calls made while a read runs share it plus one more read after it. */
  refresh(): Promise<void> {
    return this.#refresh.run();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#resolveFirstRound();
  }

  async #readOnce(): Promise<void> {
    let stored: Map<string, ClusterHealth>;
    try {
      stored = await this.#options.store.readHealth();
    } catch (error) {
      this.#options.onError?.(error);
      return;
    }
    if (this.#stopped) return;
    const names = new Set([...this.#stored.keys(), ...stored.keys(), ...this.#marks.keys()]);
    const before = new Map([...names].map((name) => [name, this.get(name)]));
    this.#stored = stored;
    for (const [name, mark] of this.#marks) {
      const probed = stored.get(name)?.probedAt ?? 0;
      if (probed > mark.probedAt) this.#marks.delete(name);
    }
    for (const [name, previous] of before) this.#report(name, this.get(name), previous);
    this.#resolveFirstRound();
  }

  #report(name: string, health: ClusterHealth, previous: ClusterHealth): void {
    if (this.#options.onChange === undefined || sameHealth(health, previous)) return;
    try {
      this.#options.onChange(name, health, previous);
    } catch (error) {
      // A failing listener must not stop the view from following the store.
      process.emitWarning(`SharedHealthView onChange listener failed for ${name}: ${String(error)}`);
    }
  }
}
