// One read of shared state at a time: calls made while a read runs share it, plus one more read
// after it, so the last caller always sees state at least as new as its call.

export class SerialRefresh {
  #running: Promise<void> | undefined;
  #again = false;

  /** `stopped` ends the extra rounds once the owner has shut down. */
  constructor(
    private readonly readOnce: () => Promise<void>,
    private readonly stopped: () => boolean,
  ) {}

  run(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop();
    return this.#running;
  }

  /** The read in progress, if any (to wait for it on shutdown). */
  get running(): Promise<void> | undefined {
    return this.#running;
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.readOnce();
      } while (this.#again && !this.stopped());
    } finally {
      // Cleared before the promise settles, so a run() after the last check starts a new read.
      this.#running = undefined;
    }
  }
}
