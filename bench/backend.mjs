// A simulated Trino coordinator cheap enough never to be the bottleneck of a proxy benchmark:
// raw `net` sockets, a minimal HTTP/1.1 parser, precomputed bodies. One process can serve several
// "clusters" (one port each); every cluster mints its own unique query ids and answers 404 for ids
// it does not own, so a proxy that routes a follow-up to the wrong cluster shows up as errors.
//
//   node bench/backend.mjs --clusters 4 [--base-port 0]   → prints one JSON line {"ports":[...]}
//
// Protocol (the slice a Trino client and a gateway use):
//   POST /v1/statement                                   → QueryResults {id, nextUri: …/executing/<id>/<slug>/1}
//   GET  /v1/statement/{queued|executing}/<id>/<slug>/<n> → small page, nextUri …/<n+1> (never finishes)
//   GET  /v1/statement/executing/<id>/big<bytes>/<n>      → a page of <bytes> bytes (stream workload)
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
// One shared page for the stream workload: a valid-looking JSON array of rows, sliced per request.
const BIG = (() => {
  const row = Buffer.from('["2024-01-01 00:00:00.000",123456789,"some text value that looks like data",3.14159],');
  const buffer = Buffer.allocUnsafe(MAX_BIG);
  for (let offset = 0; offset < MAX_BIG; offset += row.length) row.copy(buffer, offset);
  return buffer;
})();

const DATE = new Date().toISOString().slice(0, 10).replaceAll('-', '');
const TIME = new Date().toISOString().slice(11, 19).replaceAll(':', '');
const STATS =
  '"stats":{"state":"RUNNING","queued":false,"scheduled":true,"nodes":1,"totalSplits":16,"queuedSplits":0,' +
  '"runningSplits":4,"completedSplits":12,"cpuTimeMillis":42,"wallTimeMillis":97,"queuedTimeMillis":1,' +
  '"elapsedTimeMillis":120,"processedRows":1000,"processedBytes":65536,"peakMemoryBytes":1024}';
const COLUMNS = '"columns":[{"name":"_col0","type":"bigint","typeSignature":{"rawType":"bigint","arguments":[]}}]';

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
    const body =
      `{"id":"${id}","infoUri":"${base}/ui/query.html?${id}",` +
      `"nextUri":"${base}/v1/statement/executing/${id}/${slug}/1",${STATS}}`;
    return send(socket, 200, body, head.close);
  }
  if (method === 'GET' && target.startsWith('/v1/statement/')) {
    // /v1/statement/<phase>/<id>/<slug>/<token>
    const parts = target.split('/');
    const id = parts[4];
    if (id === undefined || !id.endsWith(suffix)) return send(socket, 404, notFound(id), head.close);
    const slug = parts[5] ?? '';
    if (slug.startsWith('big')) return sendBig(socket, Math.min(Number(slug.slice(3)) || 0, MAX_BIG), head.close);
    const token = Number(parts[6]) || 0;
    const body =
      `{"id":"${id}","infoUri":"${base}/ui/query.html?${id}",` +
      `"nextUri":"${base}/v1/statement/executing/${id}/${slug}/${token + 1}",${COLUMNS},` +
      `"data":[[${token}]],${STATS}}`;
    return send(socket, 200, body, head.close);
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

function sendBig(socket, bytes, close) {
  socket.cork();
  socket.write(
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${bytes}\r\n` +
      `${close ? 'connection: close\r\n' : ''}\r\n`,
  );
  socket.write(BIG.subarray(0, bytes));
  socket.uncork();
  if (close) socket.end();
}

const ports = [];
for (let i = 0; i < clusterCount; i++) ports.push(await startCluster(i));
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
