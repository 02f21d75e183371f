// What the gateway tells history about a query, as events for the recorder: a submission routed at
// once or queued, a queued query sent by the queue, its first page with rows, its end. Every method
// only builds an event and hands it to the recorder: nothing here waits for a store.
import type { IncomingHttpHeaders } from 'node:http';
import { HISTORY_ROUTED_BY, type HistoryEvent, type HistoryRoutedBy } from '@junction/shared';
import { clientSource, clientTags, clientUser } from '../http/trino-headers.js';
import { hasRows, lastPageEnd, type PageEnd, type PageListener, pageEnds } from '../queue/page-end.js';
import type { HistoryRecorder } from './recorder.js';

export interface QueryHistoryOptions {
  readonly recorder: HistoryRecorder;
  /** This proxy replica, as records name it. */
  readonly replica: string;
  readonly recordSql: boolean;
  readonly sqlMaxBytes: number;
  readonly now?: () => number;
}

/** A submission as the gateway saw it. */
export interface Submission {
  readonly headers: IncomingHttpHeaders;
  /** The statement body as sent. */
  readonly body: Buffer;
  /** Epoch ms the submission arrived. */
  readonly submittedAt: number;
  readonly group: string | undefined;
  /** The routing decision's reason (routing/decision.ts RoutedBy); undefined when it refused. */
  readonly by: string | undefined;
  readonly rule: string | undefined;
}

/** Query ids whose first page with rows was recorded here, at most this many remembered. */
const ROWS_SEEN_MAX = 10_000;

export class QueryHistory {
  readonly #options: QueryHistoryOptions;
  readonly #now: () => number;
  readonly #rowsSeen = new Set<string>();

  constructor(options: QueryHistoryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get recorder(): HistoryRecorder {
    return this.#options.recorder;
  }

  /** A submission the cluster answered (200 with its query id); `page` is that answer. */
  routed(submission: Submission, queryId: string, cluster: string, page: Buffer): void {
    this.#record({
      ...this.#submission(submission, historyRoutedBy(submission.by ?? 'default')),
      id: queryId,
      queryId,
      cluster,
      queuedMs: 0,
      state: 'RUNNING',
    });
    this.#firstAnswer(queryId, page);
  }

  /** A submission the gateway answered FAILED itself under `id` (no routable cluster, queue full, …). */
  refused(submission: Submission, id: string, errorName: string, cluster: string | undefined): void {
    this.#record({
      ...this.#submission(submission, submission.by === undefined ? undefined : historyRoutedBy(submission.by)),
      id,
      gatewayId: id,
      ...(cluster === undefined ? {} : { cluster }),
      queuedMs: 0,
      endedAt: this.#now(),
      state: 'FAILED',
      errorName,
    });
  }

  /** A submission that waits in the gateway's queue under `gatewayId`. */
  queued(submission: Submission, gatewayId: string): void {
    this.#record({
      ...this.#submission(submission, 'queue'),
      id: gatewayId,
      gatewayId,
      state: 'QUEUED',
    });
  }

  /** The queue sent a waiting query: from now on its cluster's id names it too. */
  sent(gatewayId: string, queryId: string, cluster: string, enqueuedAt: number, page: Buffer): void {
    this.#record({
      id: gatewayId,
      gatewayId,
      queryId,
      cluster,
      queuedMs: Math.max(0, this.#now() - enqueuedAt),
      state: 'RUNNING',
    });
    this.#firstAnswer(queryId, page);
  }

  /** A query ended (in the queue, or on its cluster). */
  ended(id: string, end: PageEnd): void {
    this.#rowsSeen.delete(id);
    this.#record({ id, endedAt: this.#now(), ...end });
  }

  /** Listens to the pages of a running query's follow-ups. */
  follow(queryId: string): PageListener {
    return {
      ended: (end) => this.ended(queryId, end),
      rows: () => this.#rows(queryId),
    };
  }

  /** The cluster's first answer may already carry rows, or be the last page. */
  #firstAnswer(queryId: string, page: Buffer): void {
    const head = page.subarray(0, 4096);
    const verdict = pageEnds(head);
    if (hasRows(head)) this.#rows(queryId);
    if (verdict === 'last') this.ended(queryId, lastPageEnd(page));
  }

  #rows(queryId: string): void {
    if (this.#rowsSeen.has(queryId)) return;
    this.#rowsSeen.add(queryId);
    if (this.#rowsSeen.size > ROWS_SEEN_MAX) {
      const oldest = this.#rowsSeen.values().next().value;
      if (oldest !== undefined) this.#rowsSeen.delete(oldest);
    }
    this.#record({ id: queryId, firstPageAt: this.#now() });
  }

  #submission(submission: Submission, routedBy: HistoryRoutedBy | undefined): Omit<HistoryEvent, 'id'> {
    const { headers, body, group, rule } = submission;
    const sql = this.#options.recordSql ? cutSql(body, this.#options.sqlMaxBytes) : undefined;
    return {
      user: clientUser(headers),
      source: clientSource(headers),
      clientTags: clientTags(headers),
      ...(group === undefined ? {} : { group }),
      ...(routedBy === undefined ? {} : { routedBy }),
      ...(rule === undefined ? {} : { rule }),
      submittedAt: submission.submittedAt,
      replica: this.#options.replica,
      ...(sql === undefined ? {} : sql),
    };
  }

  #record(event: HistoryEvent): void {
    this.#options.recorder.record(event);
  }
}

/** Sticky owners (cluster prefix, kill_query's target, cookies) are 'sticky'; the rest keep their name. */
export function historyRoutedBy(by: string): HistoryRoutedBy {
  return (HISTORY_ROUTED_BY as readonly string[]).includes(by) ? (by as HistoryRoutedBy) : 'sticky';
}

/** The SQL cut to `maxBytes` UTF-8 bytes, never inside a character. */
export function cutSql(body: Buffer, maxBytes: number): { sql: string; sqlTruncated?: true } {
  if (body.length <= maxBytes) return { sql: body.toString('utf8') };
  let end = maxBytes;
  while (end > 0 && ((body[end] as number) & 0xc0) === 0x80) end--;
  return { sql: body.toString('utf8', 0, end), sqlTruncated: true };
}
