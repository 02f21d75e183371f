// The history API on the admin port: `GET /api/v1/history?…` (filters, paging) and
// `GET /api/v1/history/<queryId>`. Records are shown with ISO times and the derived durations.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { firstPageMs, HistoryCursorError, type HistoryRecord, type HistoryStore, sendJson } from '@junction/shared';
import { HistoryParameterError, parseHistoryQuery } from './query-params.js';

const BASE = '/api/v1/history';

const problem = (code: number, message: string, parameter?: string) => ({
  error: { code, message, ...(parameter === undefined ? {} : { parameter }) },
});

/** Answers history paths (true), or leaves the request to the other views (false). */
export async function serveHistory(
  store: HistoryStore | undefined,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (path !== BASE && !path.startsWith(`${BASE}/`)) return false;
  if (path === BASE) {
    await list(store, new URLSearchParams((req.url ?? '').split('?')[1] ?? ''), res);
    return true;
  }
  const id = path.slice(BASE.length + 1);
  // Query ids are letters, digits and underscores: nothing to decode, and anything else is refused.
  if (!/^[0-9A-Za-z_]{1,128}$/.test(id)) {
    sendJson(res, 400, problem(400, 'not a query id', 'queryId'));
    return true;
  }
  let record: HistoryRecord | undefined;
  try {
    record = await store?.get(id);
  } catch {
    sendJson(res, 503, problem(503, 'the history store is unreachable'));
    return true;
  }
  if (record === undefined) sendJson(res, 404, problem(404, `no history of query ${id}`));
  else sendJson(res, 200, historyView(record));
  return true;
}

async function list(store: HistoryStore | undefined, params: URLSearchParams, res: ServerResponse): Promise<void> {
  try {
    const query = parseHistoryQuery(params);
    const page = store === undefined ? { records: [] } : await store.list(query);
    sendJson(res, 200, { records: page.records.map(historyView), nextCursor: page.nextCursor ?? null });
  } catch (error) {
    if (error instanceof HistoryParameterError) {
      sendJson(res, 400, problem(400, error.message, error.parameter));
    } else if (error instanceof HistoryCursorError) {
      sendJson(res, 400, problem(400, `parameter "cursor": ${error.message}`, 'cursor'));
    } else {
      sendJson(res, 503, problem(503, 'the history store is unreachable'));
    }
  }
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function historyView(record: HistoryRecord): object {
  return {
    id: record.id,
    queryId: record.queryId ?? null,
    gatewayId: record.gatewayId ?? null,
    user: record.user ?? null,
    source: record.source ?? null,
    clientTags: record.clientTags ?? [],
    group: record.group ?? null,
    cluster: record.cluster ?? null,
    routedBy: record.routedBy ?? null,
    rule: record.rule ?? null,
    submittedAt: iso(record.submittedAt),
    queuedMs: record.queuedMs ?? null,
    firstPageMs: firstPageMs(record) ?? null,
    endedAt: iso(record.endedAt),
    elapsedMs:
      record.endedAt === undefined || record.submittedAt === undefined ? null : record.endedAt - record.submittedAt,
    state: record.state ?? null,
    errorName: record.errorName ?? null,
    replica: record.replica ?? null,
    sql: record.sql ?? null,
    sqlTruncated: record.sqlTruncated === true,
  };
}
