// The Trino protocol for a query waiting in the gateway's queue: its QUEUED pages (long-polled like
// Trino's own), the cluster's first answer relayed once the query is sent, a FAILED page when it
// gives up, and DELETE. The client keeps polling the gateway's nextUri and notices nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EntryState, type Logger, type QueueStore, sendJson } from '@junction/shared';
import type { QueryHistory } from '../history/query-history.js';
import { trinoErrorCode, UnknownQueryError } from '../http/errors.js';
import { externalBase } from '../http/external-url.js';
import { failedResults, queuedResults } from '../http/query-results.js';
import type { QueueMetrics } from './metrics.js';
import { CANCELLED } from './page-end.js';
import type { QueueSlugs } from './slugs.js';
import { loadResponse } from './stored.js';

const QUEUED_PATH = '/v1/statement/queued/';

export interface QueuedPagesOptions {
  readonly store: QueueStore;
  readonly slugs: QueueSlugs;
  /** How long a poll waits for the query's release before answering QUEUED again. */
  readonly pollWaitMs: number;
  readonly metrics: QueueMetrics;
  readonly logger: Logger;
  /** Query history: told when a waiting query fails or is cancelled, as its client sees it. */
  readonly history?: QueryHistory | undefined;
  readonly now?: () => number;
}

export class QueuedPages {
  readonly #options: QueuedPagesOptions;
  readonly #now: () => number;
  /** Polls parked until their entry is released or fails (woken by the store's notifications). */
  readonly #waiting = new Map<string, Set<() => void>>();
  #unsubscribe: (() => Promise<void>) | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: QueuedPagesOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Subscribes to the store's notifications. Never fails: while the store is unreachable (Redis down at
   * start-up) it retries every second, and parked polls answer after pollWait as they would anyway.
   */
  async start(): Promise<this> {
    await this.#subscribe();
    return this;
  }

  async #subscribe(): Promise<void> {
    try {
      const unsubscribe = await this.#options.store.subscribe((id) => this.#wake(id));
      if (this.#closed) await unsubscribe();
      else this.#unsubscribe = unsubscribe;
    } catch (error) {
      if (this.#closed) return;
      if (this.#retry === undefined) {
        this.#options.logger.warn('cannot subscribe to queue notifications yet; retrying', { error: String(error) });
      }
      this.#retry = setTimeout(() => void this.#subscribe(), 1_000);
      this.#retry.unref();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#unsubscribe?.();
    for (const id of [...this.#waiting.keys()]) this.#wake(id);
  }

  /** The answer to a submission that was queued: its first QUEUED page. */
  queued(req: IncomingMessage, res: ServerResponse, id: string): void {
    sendJson(res, 200, this.#queuedPage(req, id, 1, 0));
  }

  /** Any request naming a queued query's id: a poll or DELETE of its nextUri, or a look at its info. */
  async serve(req: IncomingMessage, res: ServerResponse, id: string, path: string): Promise<void> {
    const uri = parseQueuedUri(path);
    if (uri === undefined || uri.id !== id) {
      // DELETE /v1/query/<id> is how clients kill a query by id (trino-client's cancel): the id, unguessable
      // and only ever shown to its client and to admins, is the capability, as the slug is for nextUri.
      if (req.method === 'DELETE' && path === `/v1/query/${id}`) return this.#cancel(res, id);
      return this.#info(res, id);
    }
    if (!this.#options.slugs.verify(id, uri.slug)) throw new UnknownQueryError(id, 'the URI does not belong to it');
    if (req.method === 'DELETE') return this.#cancel(res, id);
    if (req.method !== 'GET') throw new UnknownQueryError(id, `${req.method} is not a poll`);
    let state = await this.#options.store.poll(id, this.#now());
    if (state === undefined) throw new UnknownQueryError(id, 'it is no longer queued');
    if (state.state === 'queued' || state.state === 'dispatching') {
      await this.#park(id, res);
      state = (await this.#options.store.poll(id, this.#now())) ?? state;
    }
    if (res.destroyed) return;
    this.#answer(req, res, id, uri.token, state);
  }

  #answer(req: IncomingMessage, res: ServerResponse, id: string, token: number, state: EntryState): void {
    switch (state.state) {
      case 'queued':
      case 'dispatching':
        sendJson(res, 200, this.#queuedPage(req, id, token + 1, this.#now() - state.enqueuedAt));
        return;
      case 'released': {
        // The cluster's own first answer (its id, its nextUri through the gateway): from here on the
        // client polls the cluster like any other query. Repeated polls get the same answer.
        const response = loadResponse(state.response);
        const headers = { ...response.headers, 'content-length': String(response.body.length) };
        res.writeHead(response.statusCode, headers as Record<string, string | string[]>);
        res.end(response.body);
        return;
      }
      case 'failed': {
        this.#options.history?.ended(id, { state: 'FAILED', errorName: state.errorName });
        const error = {
          message: state.message,
          errorName: state.errorName,
          errorCode: trinoErrorCode(state.errorName),
        };
        const page = failedResults(
          id,
          this.#infoUri(req, id),
          { ...error, errorType: 'INSUFFICIENT_RESOURCES' },
          this.#now() - state.enqueuedAt,
        );
        sendJson(res, 200, page);
        return;
      }
    }
  }

  async #cancel(res: ServerResponse, id: string): Promise<void> {
    const state = await this.#options.store.poll(id, this.#now());
    if (await this.#options.store.cancel(id, this.#now())) {
      this.#options.history?.ended(id, CANCELLED);
      this.#options.metrics.waited(
        state?.group ?? '',
        'cancelled',
        (this.#now() - (state?.enqueuedAt ?? this.#now())) / 1000,
      );
    } else if (state?.state === 'released') {
      // Sent already: the client's next DELETE (of the cluster's nextUri it now has) reaches the cluster.
      this.#options.logger.debug('DELETE of a queued query that was already sent', { id });
    }
    // As Trino answers DELETE of a query that is gone: no content.
    res.writeHead(204);
    res.end();
  }

  async #info(res: ServerResponse, id: string): Promise<void> {
    const state = await this.#options.store.poll(id, this.#now());
    if (state === undefined) throw new UnknownQueryError(id, 'it is no longer queued');
    sendJson(res, 200, {
      queryId: id,
      state: state.state === 'queued' || state.state === 'dispatching' ? 'QUEUED' : state.state.toUpperCase(),
      routingGroup: state.group,
      queuedInGateway: true,
      queuedTimeMillis: this.#now() - state.enqueuedAt,
      ...(state.state === 'released' ? { cluster: state.cluster } : {}),
      ...(state.state === 'failed' ? { errorName: state.errorName, message: state.message } : {}),
    });
  }

  #queuedPage(req: IncomingMessage, id: string, token: number, elapsedMs: number): object {
    const base = externalBase(req);
    const nextUri = `${base}${QUEUED_PATH}${id}/${this.#options.slugs.slug(id)}/${token}`;
    return queuedResults(id, this.#infoUri(req, id), nextUri, elapsedMs);
  }

  #infoUri(req: IncomingMessage, id: string): string {
    return `${externalBase(req)}/ui/query.html?${id}`;
  }

  /** Waits up to pollWait for the entry to change, or for the client to go away. */
  #park(id: string, res: ServerResponse): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiters = this.#waiting.get(id);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiting.set(id, waiters);
      }
      const done = () => {
        clearTimeout(timer);
        res.off('close', done);
        const set = this.#waiting.get(id);
        set?.delete(done);
        if (set?.size === 0) this.#waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(done, this.#options.pollWaitMs);
      res.once('close', done);
      waiters.add(done);
    });
  }

  #wake(id: string): void {
    const waiters = this.#waiting.get(id);
    if (waiters === undefined) return;
    for (const done of [...waiters]) done();
  }
}

/** `/v1/statement/queued/<id>/<slug>/<token>` → its parts, else undefined. */
export function parseQueuedUri(path: string): { id: string; slug: string; token: number } | undefined {
  if (!path.startsWith(QUEUED_PATH)) return undefined;
  const [id, slug, token, ...rest] = path.slice(QUEUED_PATH.length).split('/');
  if (id === undefined || slug === undefined || token === undefined || rest.length > 0) return undefined;
  const number = Number(token);
  return Number.isSafeInteger(number) && number >= 0 ? { id, slug, token: number } : undefined;
}
