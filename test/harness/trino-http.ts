// A minimal Trino protocol client for tests: submit, follow nextUri, optionally through another
// gateway replica, recording every URI it visited.
import { request } from 'undici';

export interface QueryRun {
  id: string;
  rows: unknown[][];
  state: string;
  error: { message: string; errorName?: string } | undefined;
  uris: string[];
}

export interface RunOptions {
  headers?: Record<string, string>;
  /** Rewrites each nextUri's origin, e.g. to poll through a different replica. */
  pollVia?: (uri: string, page: number) => string;
  maxPages?: number;
}

export async function submit(baseUrl: string, sql: string, headers: Record<string, string> = {}) {
  const response = await request(`${baseUrl}/v1/statement`, {
    method: 'POST',
    headers: { 'x-trino-user': 'tester', ...headers },
    body: sql,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export async function runQuery(baseUrl: string, sql: string, options: RunOptions = {}): Promise<QueryRun> {
  const first = await submit(baseUrl, sql, options.headers);
  if (first.status !== 200) throw new Error(`submit answered ${first.status}: ${JSON.stringify(first.body)}`);
  const run: QueryRun = {
    id: first.body.id,
    rows: [],
    state: first.body.stats?.state,
    error: first.body.error,
    uris: [],
  };
  let next: string | undefined = first.body.nextUri;
  for (let page = 0; next !== undefined; page++) {
    if (page > (options.maxPages ?? 1000)) throw new Error('too many pages');
    const uri = options.pollVia ? options.pollVia(next, page) : next;
    run.uris.push(uri);
    const response = await request(uri, { headers: { 'x-trino-user': 'tester', ...options.headers } });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`GET ${uri} answered ${response.statusCode}: ${text}`);
    const body = JSON.parse(text);
    if (Array.isArray(body.data)) run.rows.push(...body.data);
    run.state = body.stats?.state;
    run.error = body.error;
    next = body.nextUri;
  }
  return run;
}

/** Replaces the origin of `uri` with `origin`. */
export function viaOrigin(uri: string, origin: string): string {
  const url = new URL(uri);
  return `${origin}${url.pathname}${url.search}`;
}

/** Follows `nextUri` from a page already fetched until the query ends; resolves its final state. */
export async function followToEnd(nextUri: string | undefined, headers: Record<string, string> = {}): Promise<string> {
  let next = nextUri;
  let state = '';
  while (next) {
    const response = await request(next, { headers: { 'x-trino-user': 'tester', ...headers } });
    const page = (await response.body.json()) as { nextUri?: string; stats: { state: string } };
    next = page.nextUri;
    state = page.stats.state;
  }
  return state;
}
