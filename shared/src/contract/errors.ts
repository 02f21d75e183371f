// The one error configuration loading throws: its message is the whole human-readable report,
// one problem per line, so start-up can print it as is and stop.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The problems, one per line of `message`. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const lines = typeof problems === 'string' ? [problems] : [...problems];
    super(lines.join('\n'));
    this.problems = Object.freeze(lines);
  }
}
