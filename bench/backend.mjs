// A simulated Trino coordinator cheap enough never to be the bottleneck of a proxy benchmark:
// raw `net` sockets, a minimal HTTP/1.1 parser, precomputed bodies. One process can serve several
// "clusters" (one port each); every cluster mints its own unique query ids and answers 404 for ids
// it does not own, so a proxy that routes a follow-up to the wrong cluster shows up as errors.
// Every page is a complete Trino 476 QueryResults document (checked against the shapes recorded from
// real Trino by test/fixtures/trino-shapes.test.ts); only the id/URI prefix is built per request.
//
//   node bench/backend.mjs --clusters 4 [--base-port 0]   → prints one JSON line {"ports":[...]}
//
// Protocol (the slice a Trino client and a gateway use):
//   POST /v1/statement                                   → QUEUED page, nextUri …/queued/<id>/<slug>/1
//   GET  /v1/statement/queued/<id>/<slug>/<n>             → QUEUED page, nextUri …/executing/<id>/<slug>/0
//   GET  /v1/statement/executing/<id>/<slug>/<n>          → RUNNING page with one row, nextUri …/<n+1> (never finishes)
//   GET  /v1/statement/executing/<id>/big<bytes>/<n>      → RUNNING page of exactly <bytes> bytes (stream workload;
//                                                           at least one row, so never smaller than ~1.9 KB)
//   GET  /v1/query/<id>                                  → 200 if this cluster owns <id>, else 404
//   GET  /v1/info                                        → {"starting":false}
//   DELETE …                                             → 204
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '1' },
    'base-port': { type: 'string', default: '0' },
  },
});
const clusterCount = Number(values.clusters);
const basePort = Number(values['base-port']);

const MAX_BIG = 8 * 1024 * 1024;

const DATE = new Date().toISOString().slice(0, 10).replaceAll('-', '');
const TIME = new Date().toISOString().slice(11, 19).replaceAll(':', '');

// StatementStats as Trino 476 sends them: counters only while queued; once scheduled also the progress
// percentages and the root stage.
const COUNTERS = '"totalSplits":16,"queuedSplits":0,"runningSplits":4,"completedSplits":12';
const QUEUED_STATS =
  '{"state":"QUEUED","queued":true,"scheduled":false,"nodes":0,"totalSplits":0,"queuedSplits":0,' +
  '"runningSplits":0,"completedSplits":0,"planningTimeMillis":0,"analysisTimeMillis":0,"cpuTimeMillis":0,' +
  '"wallTimeMillis":0,"queuedTimeMillis":1,"elapsedTimeMillis":1,"finishingTimeMillis":0,' +
  '"physicalInputTimeMillis":0,"processedRows":0,"processedBytes":0,"physicalInputBytes":0,' +
  '"physicalWrittenBytes":0,"internalNetworkInputBytes":0,"peakMemoryBytes":0,"spilledBytes":0}';
const RUNNING_STATS =
  `{"state":"RUNNING","queued":false,"scheduled":true,"progressPercentage":75,"runningPercentage":25,"nodes":1,` +
  `${COUNTERS},"planningTimeMillis":12,"analysisTimeMillis":3,"cpuTimeMillis":42,"wallTimeMillis":97,` +
  '"queuedTimeMillis":1,"elapsedTimeMillis":120,"finishingTimeMillis":0,"physicalInputTimeMillis":5,' +
  '"processedRows":1000,"processedBytes":65536,"physicalInputBytes":65536,"physicalWrittenBytes":0,' +
  '"internalNetworkInputBytes":0,"peakMemoryBytes":1024,"spilledBytes":0,' +
  `"rootStage":{"stageId":"0","state":"RUNNING","done":false,"nodes":1,${COUNTERS},"cpuTimeMillis":42,` +
  '"wallTimeMillis":97,"processedRows":1000,"processedBytes":65536,"physicalInputBytes":65536,"failedTasks":0,' +
  '"coordinatorOnly":false,"subStages":[]}}';
// What follows `data` (or nextUri, on a queued page): the same bytes on every page of a phase, so their
// length is counted once here, not per request.
const constant = (text) => ({ text, bytes: Buffer.byteLength(text) });
const QUEUED_TAIL = constant(`,"stats":${QUEUED_STATS},"warnings":[]}`);
const RUNNING_TAIL = constant(`,"stats":${RUNNING_STATS},"warnings":[]}`);

const column = (name, rawType, args = []) =>
  `{"name":"${name}","type":"${rawType}${args.length ? `(${args.join(',')})` : ''}",` +
  `"typeSignature":{"rawType":"${rawType}","arguments":[${args.map((v) => `{"kind":"LONG","value":${v}}`).join(',')}]}}`;
const COLUMNS = `"columns":[${column('_col0', 'bigint')}]`;
const STREAM_COLUMNS =
  `"columns":[${column('ts', 'timestamp', [3])},${column('n', 'bigint')},` +
  `{"name":"text","type":"varchar","typeSignature":{"rawType":"varchar","arguments":[{"kind":"LONG","value":2147483647}]}},` +
  `${column('x', 'double')}]`;

// The stream workload's pages: the id/URI prefix built per request and padded with JSON whitespace, then
// shared buffers: the columns, a prefix of `row,row,…` that ends on a row, and the stats. The padding
// makes the page exactly the size asked for.
const STREAM_ROW = '["2024-01-01 00:00:00.000",123456789,"some text value that looks like data",3.14159]';
const STREAM_OPENING = Buffer.from(`,${STREAM_COLUMNS},"data":[`);
const STREAM_ROWS = Buffer.from(`${STREAM_ROW},`.repeat(Math.ceil(MAX_BIG / (STREAM_ROW.length + 1))));
const STREAM_TAIL = Buffer.from(`]${RUNNING_TAIL.text}`);
const SPACES = ' '.repeat(STREAM_ROW.length + 1);

function startCluster(index) {
  const suffix = `bench${index}`;
  let counter = 0;
  const server = createServer({ noDelay: true }, (socket) => serve(socket, suffix, () => counter++));
  server.listen(basePort === 0 ? 0 : basePort + index, '127.0.0.1');
  return new Promise((resolve) => server.once('listening', () => resolve(server.address().port)));
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Parses pipelined keep-alive requests off one socket and answers each in order. */
function serve(socket, suffix, nextCounter) {
  let buffered = null;
  let pending = null; // { head, remaining, chunked } while a request body is being read
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffered = buffered === null || buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      if (pending !== null) {
        if (pending.chunked) {
          const consumed = skipChunked(buffered, pending);
          if (consumed < 0) return;
          buffered = buffered.subarray(consumed);
        } else {
          const take = Math.min(pending.remaining, buffered.length);
          pending.remaining -= take;
          buffered = buffered.subarray(take);
          if (pending.remaining > 0) return;
        }
        const head = pending.head;
        pending = null;
        answer(socket, head, suffix, nextCounter);
        continue;
      }
      const end = buffered.indexOf(HEADER_END);
      if (end < 0) {
        if (buffered.length > 65536) socket.destroy();
        return;
      }
      const head = parseHead(buffered.latin1Slice(0, end));
      buffered = buffered.subarray(end + 4);
      if (head.contentLength > 0 || head.chunked) {
        pending = { head, remaining: head.contentLength, chunked: head.chunked, chunkLeft: -1 };
        continue;
      }
      answer(socket, head, suffix, nextCounter);
      if (buffered.length === 0) return;
    }
  });
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const [method, target] = lines[0].split(' ');
  let contentLength = 0;
  let chunked = false;
  let host = '';
  let forwardedHost = '';
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (name === 'content-length') contentLength = Number(line.slice(colon + 1));
    else if (name === 'transfer-encoding') chunked = /chunked/i.test(line);
    else if (name === 'host') host = line.slice(colon + 1).trim();
    else if (name === 'x-forwarded-host') forwardedHost = line.slice(colon + 1).trim();
    else if (name === 'connection') close = /close/i.test(line);
  }
  return { method, target, contentLength, chunked, host: forwardedHost || host, close };
}

/** Skips a chunked body; returns bytes consumed when the body ended, -1 when more data is needed. */
function skipChunked(buffer, state) {
  let offset = 0;
  for (;;) {
    if (state.chunkLeft > 0) {
      const take = Math.min(state.chunkLeft, buffer.length - offset);
      state.chunkLeft -= take;
      offset += take;
      if (state.chunkLeft > 0) return -1;
      state.chunkLeft = -2; // CRLF after the data
    }
    const lineEnd = buffer.indexOf('\r\n', offset);
    if (lineEnd < 0) return -1;
    if (state.chunkLeft === -2) {
      offset = lineEnd + 2;
      state.chunkLeft = -1;
      continue;
    }
    const size = Number.parseInt(buffer.latin1Slice(offset, lineEnd), 16);
    offset = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = buffer.indexOf('\r\n', offset);
      if (trailerEnd < 0) return -1;
      return trailerEnd + 2;
    }
    state.chunkLeft = size;
  }
}

function answer(socket, head, suffix, nextCounter) {
  const { method, target } = head;
  const base = `http://${head.host || '127.0.0.1'}`;
  if (method === 'POST' && target.startsWith('/v1/statement')) {
    const n = nextCounter();
    const id = `${DATE}_${TIME}_${String(n).padStart(5, '0')}_${suffix}`;
    const slug = `y${(n * 2654435761) >>> 0}`;
    const page = `${prefix(base, id)},"nextUri":"${base}/v1/statement/queued/${id}/${slug}/1"`;
    return sendPage(socket, page, QUEUED_TAIL, head.close);
  }
  if (method === 'GET' && target.startsWith('/v1/statement/')) {
    // /v1/statement/<phase>/<id>/<slug>/<token>
    const parts = target.split('/');
    const id = parts[4];
    if (id === undefined || !id.endsWith(suffix)) return send(socket, 404, notFound(id), head.close);
    const slug = parts[5] ?? '';
    const token = Number(parts[6]) || 0;
    if (parts[3] === 'queued') {
      const page = `${prefix(base, id)},"nextUri":"${base}/v1/statement/executing/${id}/${slug}/0"`;
      return sendPage(socket, page, QUEUED_TAIL, head.close);
    }
    const running = `${prefix(base, id)},${nextUris(base, id, slug, token + 1)}`;
    if (slug.startsWith('big')) {
      const bytes = Math.min(Number(slug.slice(3)) || 0, MAX_BIG);
      return sendBig(socket, running, bytes, head.close);
    }
    return sendPage(socket, `${running},${COLUMNS},"data":[[${token}]]`, RUNNING_TAIL, head.close);
  }
  if (method === 'GET' && target.startsWith('/v1/query/')) {
    const id = target.slice('/v1/query/'.length);
    if (!id.endsWith(suffix)) return send(socket, 404, notFound(id), head.close);
    return send(socket, 200, `{"queryId":"${id}","state":"RUNNING"}`, head.close);
  }
  if (target.startsWith('/v1/info')) return send(socket, 200, '{"starting":false,"coordinator":true}', head.close);
  if (method === 'DELETE') return send(socket, 204, '', head.close);
  return send(socket, 404, '{"error":"not found"}', head.close);
}

/** The opening of every page: `{"id":…,"infoUri":…` (Trino writes `id` first; gateways rely on it). */
function prefix(base, id) {
  return `{"id":"${id}","infoUri":"${base}/ui/query.html?${id}"`;
}

function nextUris(base, id, slug, token) {
  return (
    `"partialCancelUri":"${base}/v1/statement/executing/partialCancel/${id}/0/${slug}/${token}",` +
    `"nextUri":"${base}/v1/statement/executing/${id}/${slug}/${token}"`
  );
}

function notFound(id) {
  return `{"error":{"message":"Query not found: ${id}","errorName":"NOT_FOUND"}}`;
}

const REASONS = { 200: 'OK', 204: 'No Content', 404: 'Not Found' };

function send(socket, status, body, close) {
  const length = Buffer.byteLength(body);
  socket.write(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${length}\r\n${close ? 'connection: close\r\n' : ''}\r\n${body}`,
  );
  if (close) socket.end();
}

/** A 200 page: the part built for this request, then a constant tail. */
function sendPage(socket, built, tail, close) {
  socket.write(
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(built) + tail.bytes}\r\n` +
      `${close ? 'connection: close\r\n' : ''}\r\n${built}${tail.text}`,
  );
  if (close) socket.end();
}

/** A stream page of `bytes` bytes: `built` (the id and URIs), padding, columns, whole rows, the stats tail. */
function sendBig(socket, built, bytes, close) {
  const framing = Buffer.byteLength(built) + STREAM_OPENING.length + STREAM_TAIL.length;
  const room = bytes - framing;
  const rows = Math.max(1, Math.floor((room + 1) / (STREAM_ROW.length + 1)));
  const rowBytes = rows * (STREAM_ROW.length + 1) - 1;
  const padding = SPACES.slice(0, Math.max(0, room - rowBytes));
  socket.cork();
  socket.write(
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${framing + padding.length + rowBytes}\r\n` +
      `${close ? 'connection: close\r\n' : ''}\r\n${built}${padding}`,
  );
  socket.write(STREAM_OPENING);
  socket.write(STREAM_ROWS.subarray(0, rowBytes));
  socket.write(STREAM_TAIL);
  socket.uncork();
  if (close) socket.end();
}

const ports = [];
for (let i = 0; i < clusterCount; i++) ports.push(await startCluster(i));
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
