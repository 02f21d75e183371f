// Trino-shaped request sources for the load generator. Each workload is connection-agnostic: it
// hands out the next request and hears how it ended. Paths are the ones a Trino client sends.
//
//   poll      GET nextUri of already-running queries (sticky lookup on every request, small JSON)
//   submit    POST /v1/statement (group choice, rules, mapping write)
//   lifecycle one POST then k polls of that query's nextUri chain, many queries at once
//   stream    GET of 1, 2, 4 and 8 MB result pages (MB/s)
//   submit-sql       `submit` on Junction with a rule on sql.catalogs: every statement is parsed
//   submit-sql-100k  the same with a 100 KB statement (over routing.sqlFacts.maxBytes: not parsed)

const USER_HEADERS = 'X-Trino-User: bench\r\nX-Trino-Catalog: tpch\r\nX-Trino-Schema: tiny\r\n';
const SQL = 'SELECT count(*) FROM tpch.tiny.lineitem';

/** About 100 KB of one statement: a long IN list over the same table. */
export const SQL_100K = (() => {
  const values = [];
  let size = 0;
  for (let i = 0; size < 100 * 1024 - 100; i++) {
    const value = `'comment number ${i}'`;
    values.push(value);
    size += value.length + 2;
  }
  return `SELECT count(*) FROM tpch.tiny.lineitem WHERE comment IN (${values.join(', ')})`;
})();

export function submitRequest(host, sql = SQL) {
  return (
    `POST /v1/statement HTTP/1.1\r\nHost: ${host}\r\n${USER_HEADERS}X-Trino-Source: bench\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(sql)}\r\n\r\n${sql}`
  );
}

export function getRequest(host, path) {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${USER_HEADERS}\r\n`;
}

/** `{id, slug}` from a QueryResults body's nextUri (…/executing/<id>/<slug>/<token>). */
export function parseNextUri(body) {
  const match = /"nextUri":"[^"]*\/v1\/statement\/(?:queued|executing)\/([^/"]+)\/([^/"]+)\/(\d+)"/.exec(body ?? '');
  return match === null ? undefined : { id: match[1], slug: match[2], token: Number(match[3]) };
}

/** Cycles through already-submitted queries, always asking for each one's next token. */
export function pollWorkload(host, queries) {
  if (queries.length === 0) throw new Error('poll workload needs submitted queries');
  const state = queries.map((q) => ({ ...q }));
  let next = 0;
  return {
    name: 'poll',
    next() {
      const q = state[next];
      next = (next + 1) % state.length;
      return { data: getRequest(host, `/v1/statement/executing/${q.id}/${q.slug}/${q.token++}`), wantBody: false };
    },
    done() {},
  };
}

export function submitWorkload(host, sql = SQL, name = 'submit') {
  const data = submitRequest(host, sql);
  return {
    name,
    next: () => ({ data, wantBody: false }),
    done() {},
  };
}

/**
 * One POST, then `polls` GETs of that query's nextUri chain. Queries whose next poll is due wait
 * in a ready queue; a free connection takes a poll first and only submits when none is ready.
 */
export function lifecycleWorkload(host, polls) {
  const post = submitRequest(host);
  const ready = [];
  let malformed = 0;
  return {
    name: 'lifecycle',
    get malformed() {
      return malformed;
    },
    next() {
      const q = ready.shift();
      if (q === undefined) return { data: post, wantBody: true, kind: 'post' };
      return {
        data: getRequest(host, `/v1/statement/executing/${q.id}/${q.slug}/${q.token}`),
        wantBody: false,
        kind: 'poll',
        query: q,
      };
    },
    done(request, status, body) {
      if (status !== 200) return;
      if (request.kind === 'post') {
        const uri = parseNextUri(body);
        if (uri === undefined) malformed++;
        else ready.push({ ...uri, left: polls });
        return;
      }
      const q = request.query;
      q.token++;
      if (--q.left > 0) ready.push(q);
    },
  };
}

export const STREAM_PAGE_SIZES = [1, 2, 4, 8].map((mb) => mb * 1024 * 1024);

export function streamWorkload(host, queries) {
  let next = 0;
  return {
    name: 'stream',
    next() {
      const q = queries[next % queries.length];
      const size = STREAM_PAGE_SIZES[next % STREAM_PAGE_SIZES.length];
      next++;
      return { data: getRequest(host, `/v1/statement/executing/${q.id}/big${size}/1`), wantBody: false };
    },
    done() {},
  };
}
