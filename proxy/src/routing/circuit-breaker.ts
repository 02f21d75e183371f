// A circuit breaker for the external routing service: after `threshold` consecutive failures the service
// is not asked for `openForMs`; then one request tries it again, and its outcome closes or reopens the circuit.
// Pure apart from the clock it is given.

export interface CircuitBreakerOptions {
  readonly threshold: number;
  readonly openForMs: number;
  readonly now?: () => number;
  /** Called when the circuit opens (true) or closes (false). */
  readonly onChange?: (open: boolean) => void;
}

export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  #failures = 0;
  #openedAt: number | undefined;
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get open(): boolean {
    return this.#openedAt !== undefined;
  }

  /** Whether a call may go now: the circuit is closed, or open long enough for one trial (then true once). */
  allow(): boolean {
    if (this.#openedAt === undefined) return true;
    if (this.#trialInFlight || this.#now() - this.#openedAt < this.#options.openForMs) return false;
    this.#trialInFlight = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    if (this.#openedAt === undefined) return;
    this.#openedAt = undefined;
    this.#options.onChange?.(false);
  }

  failure(): void {
    if (this.#openedAt !== undefined) {
      // A failed trial (or a call that was already in flight when the circuit opened) keeps it open afresh.
      this.#openedAt = this.#now();
      this.#trialInFlight = false;
      return;
    }
    this.#failures += 1;
    if (this.#failures < this.#options.threshold) return;
    this.#openedAt = this.#now();
    this.#options.onChange?.(true);
  }
}
