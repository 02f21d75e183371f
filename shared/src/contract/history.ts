// Query history as one contract every store keeps (memory ring, Redis stream, PostgreSQL): what is
// recorded about a query, how the events of its life are folded into one record, and how it is read.
//
// A query's record is written in pieces, possibly by different replicas: its submission (routed or
// queued), its dispatch from the gateway's queue, its first result page, its end. Each piece is a
// HistoryEvent; stores fold events into records with `mergeHistoryEvent`, so every store agrees on
// the outcome whatever order the pieces arrive in.

/**
 * How the query reached its cluster: the group was chosen by a routing rule, the
 * X-Trino-Routing-Group header or the default group; a sticky owner (cluster prefix, kill_query's
 * target); an external routing service; or the gateway's queue sent it once a slot freed
 * (`rule` still names the rule that chose its group).
 */
export type HistoryRoutedBy = 'rule' | 'header' | 'default' | 'sticky' | 'queue' | 'external';

export const HISTORY_ROUTED_BY: readonly HistoryRoutedBy[] = [
  'rule',
  'header',
  'default',
  'sticky',
  'queue',
  'external',
];

/** States a query is in before its end is seen; any other state is final (as Trino's pages say). */
export const OPEN_STATES: readonly string[] = ['QUEUED', 'RUNNING'];

export interface HistoryRecord {
  /** The record's key: the gateway's `…_jq…` id for a query that was queued, else the cluster's query id. */
  readonly id: string;
  /** The cluster's query id, once a cluster has it. */
  readonly queryId?: string;
  /** The gateway's own id of a query that waited in its queue. */
  readonly gatewayId?: string;
  readonly user?: string;
  readonly source?: string;
  readonly clientTags?: readonly string[];
  readonly group?: string;
  readonly cluster?: string;
  readonly routedBy?: HistoryRoutedBy;
  /** The routing rule that chose the group, when one did. */
  readonly rule?: string;
  /** Epoch ms: the submission reached the gateway. */
  readonly submittedAt?: number;
  /** Time spent in the gateway's queue (0 when sent at once). */
  readonly queuedMs?: number;
  /** Epoch ms: the first page carrying result rows passed through the gateway. */
  readonly firstPageAt?: number;
  /** Epoch ms: the gateway saw the query end (its last page, a DELETE, the cluster forgetting it). */
  readonly endedAt?: number;
  /** QUEUED or RUNNING until the end is seen; then the final state as the last page says (FINISHED, FAILED, …). */
  readonly state?: string;
  /** The error's name on a failed query's last page (e.g. SYNTAX_ERROR, QUERY_QUEUE_FULL). */
  readonly errorName?: string;
  /** The proxy replica that handled the submission. */
  readonly replica?: string;
  /** The statement, cut to `history.sqlMaxBytes`; absent when `history.recordSql` is false. */
  readonly sql?: string;
  /** True when `sql` was cut. */
  readonly sqlTruncated?: boolean;
}

/** A piece of a query's record; `id` is the record's key or a `queryId` the store already knows. */
export type HistoryEvent = HistoryRecord;

/**
 * Folds `event` into `existing` (undefined: a new record). Fields the event carries replace the
 * record's, except: the earliest `submittedAt` and `firstPageAt` win, and once a record has ended
 * (`endedAt`), its `endedAt`, `state` and `errorName` stay — the first end seen is the query's end
 * (a DELETE after the last page does not turn FINISHED into CANCELED).
 */
export function mergeHistoryEvent(existing: HistoryRecord | undefined, event: HistoryEvent): HistoryRecord {
  if (existing === undefined) return { ...event };
  const merged: Record<string, unknown> = { ...existing };
  const ended = existing.endedAt !== undefined;
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined || key === 'id') continue;
    if (key === 'submittedAt' || key === 'firstPageAt') {
      const before = merged[key] as number | undefined;
      merged[key] = before === undefined ? value : Math.min(before, value as number);
    } else if (key === 'endedAt' || key === 'state' || key === 'errorName') {
      if (!ended) merged[key] = value;
    } else {
      merged[key] = value;
    }
  }
  return merged as unknown as HistoryRecord;
}

/** Time from submission to the first page with rows, when both are known. */
export function firstPageMs(record: HistoryRecord): number | undefined {
  if (record.firstPageAt === undefined || record.submittedAt === undefined) return undefined;
  return Math.max(0, record.firstPageAt - record.submittedAt);
}

export interface HistoryFilter {
  readonly user?: string;
  readonly source?: string;
  readonly group?: string;
  readonly cluster?: string;
  /** Exact state, upper case (QUEUED, RUNNING, FINISHED, FAILED, CANCELED, …). */
  readonly state?: string;
  /** Submitted at or after (epoch ms). */
  readonly since?: number;
  /** Submitted at or before (epoch ms). */
  readonly until?: number;
  /** Case-insensitive substring of the SQL text. */
  readonly text?: string;
}

export interface HistoryQuery extends HistoryFilter {
  /** Records per page, ≥ 1. */
  readonly limit: number;
  /** Where the previous page ended (its `nextCursor`); absent = the newest records. */
  readonly cursor?: string;
}

export interface HistoryPage {
  /** Newest first (by when the store first saw the query). */
  readonly records: readonly HistoryRecord[];
  /** Present when more records may match: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}

/** True when `record` passes every filter set in `filter` (time filters need a known `submittedAt`). */
export function matchesHistoryFilter(record: HistoryRecord, filter: HistoryFilter): boolean {
  if (filter.user !== undefined && record.user !== filter.user) return false;
  if (filter.source !== undefined && record.source !== filter.source) return false;
  if (filter.group !== undefined && record.group !== filter.group) return false;
  if (filter.cluster !== undefined && record.cluster !== filter.cluster) return false;
  if (filter.state !== undefined && record.state !== filter.state) return false;
  if (filter.since !== undefined && (record.submittedAt === undefined || record.submittedAt < filter.since)) {
    return false;
  }
  if (filter.until !== undefined && (record.submittedAt === undefined || record.submittedAt > filter.until)) {
    return false;
  }
  if (filter.text !== undefined) {
    if (record.sql === undefined || !record.sql.toLowerCase().includes(filter.text.toLowerCase())) return false;
  }
  return true;
}

/**
 * Where query history is kept. Every store keeps at most its configured number of records, dropping
 * the oldest first.
 *
 * Atomicity: `append` applies each event as one step (read the record, merge, write) with respect to
 * every replica sharing the store. An event carrying both `id` and `queryId` makes `queryId` an alias
 * of the record `id` (a queued query's dispatch); a record stored under that `queryId` before (its end
 * arrived first, from another replica) is folded into it.
 */
export interface HistoryStore {
  /** Applies the events in order. Rejects when the store is unreachable (the caller counts them as dropped). */
  append(events: readonly HistoryEvent[]): Promise<void>;
  /** Matching records, newest first, one page at a time. */
  list(query: HistoryQuery): Promise<HistoryPage>;
  /** One record by its id, its cluster query id or its gateway id. */
  get(id: string): Promise<HistoryRecord | undefined>;
  close(): Promise<void>;
}

/** A `cursor` this store did not hand out (the admin API answers 400 naming the parameter). */
export class HistoryCursorError extends Error {
  constructor(cursor: string) {
    super(`not a history cursor: "${cursor.slice(0, 64)}"`);
    this.name = 'HistoryCursorError';
  }
}
