// A Trino client for the chaos suite that retries the way Trino's clients do: a request that meets a
// connection error or a 502/503/504 is sent again after a short backoff, until a deadline. Like a
// client behind a load balancer, it talks to one replica and moves to the next when that one fails.
// Every query ends in exactly one outcome: finished (the right rows), failed (a Trino-style error the
// client can print) or lost (anything else: no answer before the deadline, a wrong answer, 404).
import { type Agent, request } from 'undici';

export type Outcome = 'finished' | 'failed' | 'lost';

export interface QueryResult {
  readonly outcome: Outcome;
  /** Why it failed or was lost ('' when finished). */
  readonly detail: string;
  /** The longest wait between two answers of this query, retries included (ms). */
  readonly longestStallMs: number;
  readonly retries: number;
}

export interface ClientOptions {
  /** Proxy replica origins (`http://127.0.0.1:<port>`); the client starts on `first` and rotates. */
  readonly replicas: readonly string[];
  readonly first: number;
  /** How long one request may keep being retried (Trino's CLI: 2 minutes). */
  readonly retryDeadlineMs: number;
  /** Whether `rows` are what the query should have returned. */
  readonly rowsOk: (rows: unknown[][]) => boolean;
  readonly dispatcher: Agent;
}

interface Page {
  id?: string;
  nextUri?: string;
  data?: unknown[][];
  stats?: { state?: string };
  error?: { errorName?: string; message?: string };
}

const RETRYABLE = new Set([502, 503, 504]);

/** A JSON error the client can print; a 404 for its own query means the gateway lost it. */
function cleanError(text: string): boolean {
  return text.startsWith('{') && !text.includes('QUERY_NOT_FOUND');
}

export class RetryingClient {
  #replica: number;

  constructor(private readonly options: ClientOptions) {
    this.#replica = options.first % options.replicas.length;
  }

  async run(sql: string, user: string): Promise<QueryResult> {
    let longest = 0;
    let retries = 0;
    let last = performance.now();
    const rows: unknown[][] = [];
    let next: { method: 'POST' | 'GET'; path: string } = { method: 'POST', path: '/v1/statement' };
    for (;;) {
      const answer = await this.#send(next.method, next.path, next.method === 'POST' ? sql : undefined, user);
      retries += answer.retries;
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      const result = (outcome: Outcome, detail: string): QueryResult => ({
        outcome,
        detail,
        longestStallMs: Math.round(longest),
        retries,
      });
      if (answer.page === undefined) return result(cleanError(answer.lastError) ? 'failed' : 'lost', answer.lastError);
      const page = answer.page;
      if (page.error !== undefined) return result('failed', `${page.error.errorName}: ${page.error.message}`);
      if (page.data !== undefined) rows.push(...page.data);
      if (page.nextUri === undefined) {
        if (page.stats?.state !== 'FINISHED') return result('lost', `last page in state ${page.stats?.state}`);
        return this.options.rowsOk(rows) ? result('finished', '') : result('lost', `wrong rows (${rows.length})`);
      }
      const uri = new URL(page.nextUri);
      next = { method: 'GET', path: `${uri.pathname}${uri.search}` };
    }
  }

  /**
   * One request, retried on connection errors and 502/503/504 (on the next replica) until the
   * deadline. `page` is the parsed 200 answer; without it, `lastError` says what the last try got:
   * a JSON error body (a clean error the client shows) or a description of the failure.
   */
  async #send(
    method: 'POST' | 'GET',
    path: string,
    body: string | undefined,
    user: string,
  ): Promise<{ page?: Page; lastError: string; retries: number }> {
    const deadline = performance.now() + this.options.retryDeadlineMs;
    let backoff = 50;
    let retries = 0;
    let lastError = '';
    for (;;) {
      const origin = this.options.replicas[this.#replica] as string;
      try {
        const response = await request(`${origin}${path}`, {
          method,
          body,
          headers: { 'x-trino-user': user, 'x-trino-source': 'chaos' },
          dispatcher: this.options.dispatcher,
          headersTimeout: 30_000,
          bodyTimeout: 30_000,
        });
        const text = await response.body.text();
        if (response.statusCode === 200) return { page: JSON.parse(text) as Page, lastError: '', retries };
        lastError = text.startsWith('{') ? text : `HTTP ${response.statusCode}: ${text.slice(0, 200)}`;
        if (!RETRYABLE.has(response.statusCode)) return { lastError, retries };
      } catch (error) {
        lastError = `connection: ${(error as Error).message}`;
      }
      if (performance.now() + backoff > deadline) return { lastError, retries };
      retries += 1;
      this.#replica = (this.#replica + 1) % this.options.replicas.length;
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 1000);
    }
  }
}
