// The external routing service (routing.external): one POST per new statement over a kept-alive undici
// Pool, bounded by a timeout and a circuit breaker. Every way it can fail ends in "the CEL rules decide";
// the metrics say which way it was.
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '@junction/shared';
import { Pool } from 'undici';
import { CircuitBreaker } from './circuit-breaker.js';
import {
  type ExternalHeaders,
  type ExternalRequestInput,
  externalRequestBody,
  readExternalAnswer,
} from './external-body.js';

/** The group the service chose and the headers it adds to the statement request (externalHeaders). */
export interface ExternalChoice {
  readonly group: string;
  readonly headers: ExternalHeaders;
}

/** How one statement's question to the service ended (the `outcome` label of its metrics). */
export type ExternalOutcome =
  | 'routed'
  | 'no_group'
  | 'unknown_group'
  | 'error_answer'
  | 'malformed'
  | 'http_error'
  | 'timeout'
  | 'unreachable'
  | 'circuit_open';

export interface ExternalRoutingObserver {
  /** `seconds` is how long the call took; undefined when no call was made (circuit open). */
  answered(outcome: ExternalOutcome, seconds: number | undefined): void;
  circuit(open: boolean): void;
}

export interface ExternalRouterOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly openForMs: number;
  /** Request headers sent on to the service (any case). */
  readonly headers: readonly string[];
  /** Whether the SQL facts are worked out and sent. */
  readonly sqlFacts: boolean;
  readonly observer?: ExternalRoutingObserver | undefined;
  readonly logger?: Logger | undefined;
  readonly now?: () => number;
}

/** Answers that mean the service works: they close the circuit. */
const HEALTHY: ReadonlySet<ExternalOutcome> = new Set(['routed', 'no_group', 'unknown_group']);
/** The largest answer read; a routing group name needs far less. */
const MAX_ANSWER_BYTES = 64 * 1024;

export class ExternalRouter {
  readonly #options: ExternalRouterOptions;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #headers: readonly string[];
  readonly #breaker: CircuitBreaker;

  constructor(options: ExternalRouterOptions) {
    this.#options = options;
    const url = new URL(options.url);
    this.#pool = new Pool(url.origin, { connections: 64, keepAliveTimeout: 30_000 });
    this.#path = `${url.pathname}${url.search}`;
    this.#headers = [...new Set(options.headers.map((name) => name.toLowerCase()))];
    this.#breaker = new CircuitBreaker({
      threshold: options.failureThreshold,
      openForMs: options.openForMs,
      now: options.now,
      onChange: (open) => {
        options.observer?.circuit(open);
        if (open) options.logger?.warn('external routing service failing: not asked for a while', { url: options.url });
        else options.logger?.info('external routing service answers again', { url: options.url });
      },
    });
  }

  get sendsSqlFacts(): boolean {
    return this.#options.sqlFacts;
  }

  /** The configured headers this request carries, lower-case names. */
  forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
    const selected: Record<string, string> = {};
    for (const name of this.#headers) {
      const value = headers[name];
      if (value !== undefined) selected[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return selected;
  }

  /**
   * The group the service names for this statement, if `known` has it; undefined when the CEL rules must
   * decide (no group named, an unknown group, a failure, or the circuit is open). Never throws.
   */
  async groupFor(input: ExternalRequestInput, known: (group: string) => boolean): Promise<ExternalChoice | undefined> {
    const { observer } = this.#options;
    if (!this.#breaker.allow()) {
      observer?.answered('circuit_open', undefined);
      return undefined;
    }
    const started = performance.now();
    const { outcome, choice } = await this.#ask(input, known);
    if (HEALTHY.has(outcome)) this.#breaker.success();
    else this.#breaker.failure();
    observer?.answered(outcome, (performance.now() - started) / 1000);
    return choice;
  }

  async #ask(
    input: ExternalRequestInput,
    known: (group: string) => boolean,
  ): Promise<{ outcome: ExternalOutcome; choice?: ExternalChoice }> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#options.timeoutMs);
    try {
      const response = await this.#pool.request({
        method: 'POST',
        path: this.#path,
        headers: { ...input.headers, 'content-type': 'application/json' },
        body: JSON.stringify(externalRequestBody(input)),
        signal: abort.signal,
      });
      if (response.statusCode < 200 || response.statusCode > 299) {
        await response.body.dump();
        return { outcome: 'http_error' };
      }
      const length = Number(response.headers['content-length'] ?? 0);
      if (length > MAX_ANSWER_BYTES) {
        await response.body.dump();
        return { outcome: 'malformed' };
      }
      const answer = readExternalAnswer(await response.body.text());
      if (!answer.ok) return { outcome: answer.outcome };
      if (answer.group === undefined) return { outcome: 'no_group' };
      if (!known(answer.group)) return { outcome: 'unknown_group' };
      return { outcome: 'routed', choice: { group: answer.group, headers: answer.headers } };
    } catch {
      return { outcome: abort.signal.aborted ? 'timeout' : 'unreachable' };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
