// The load generator: raw keep-alive HTTP/1.1 connections (no client library in the measured
// path) driven either closed-loop (N connections, each sends its next request when the last one
// answered: requests/s at fixed concurrency) or open-loop (requests scheduled at a fixed rate;
// latency measured from the *scheduled* send time, so a stalled server cannot hide its stall —
// no coordinated omission, like wrk2).
//
// A workload is a request source: `next()` → { data, wantBody, tag } and `done(request, status, body)`.
import { connect } from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** One keep-alive connection with at most one request in flight (no pipelining). */
class Connection {
  constructor(host, port, onResponse, onFailure) {
    this.host = host;
    this.port = port;
    this.onResponse = onResponse;
    this.onFailure = onFailure;
    this.inFlight = null;
    this.closed = false;
    this.#open();
  }

  #open() {
    this.socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.buffered = null;
    this.state = null;
    this.socket.on('data', (chunk) => this.#onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      if (this.closed) return;
      const request = this.inFlight;
      this.inFlight = null;
      if (request !== null) this.onFailure(this, request, new Error('connection closed mid-request'));
      if (!this.closed) this.#open();
    });
  }

  send(request) {
    this.inFlight = request;
    this.state = { phase: 'head', status: 0, remaining: 0, chunks: request.wantBody ? [] : null, bytes: 0 };
    this.socket.write(request.data);
  }

  close() {
    this.closed = true;
    this.socket.destroy();
  }

  #onData(chunk) {
    this.buffered =
      this.buffered === null || this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.state !== null && this.buffered.length > 0) {
      const state = this.state;
      if (state.phase === 'head') {
        const end = this.buffered.indexOf(HEADER_END);
        if (end < 0) return;
        const head = this.buffered.latin1Slice(0, end);
        this.buffered = this.buffered.subarray(end + 4);
        state.status = Number(head.slice(9, 12));
        state.close = /\r\nconnection:\s*close/i.test(head);
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (length !== null) {
          state.phase = 'body';
          state.remaining = Number(length[1]);
        } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
          state.phase = 'chunk-size';
        } else if (state.status === 204 || state.status === 304) {
          state.remaining = 0;
          state.phase = 'body';
        } else {
          state.phase = 'until-close';
          state.remaining = Number.POSITIVE_INFINITY;
        }
        if (state.phase === 'body' && state.remaining === 0) this.#finish();
        continue;
      }
      if (state.phase === 'body' || state.phase === 'chunk-data' || state.phase === 'until-close') {
        const take = Math.min(state.remaining, this.buffered.length);
        if (state.chunks !== null) state.chunks.push(this.buffered.subarray(0, take));
        state.bytes += take;
        state.remaining -= take;
        this.buffered = this.buffered.subarray(take);
        if (state.remaining > 0) return;
        if (state.phase === 'body') this.#finish();
        else state.phase = 'chunk-crlf';
        continue;
      }
      // chunk-size / chunk-crlf / chunk-trailer: line-oriented
      const lineEnd = this.buffered.indexOf(CRLF);
      if (lineEnd < 0) return;
      const line = this.buffered.latin1Slice(0, lineEnd);
      this.buffered = this.buffered.subarray(lineEnd + 2);
      if (state.phase === 'chunk-crlf') {
        state.phase = 'chunk-size';
      } else if (state.phase === 'chunk-size') {
        const size = Number.parseInt(line, 16);
        if (size === 0) state.phase = 'chunk-trailer';
        else {
          state.phase = 'chunk-data';
          state.remaining = size;
        }
      } else if (line === '') {
        this.#finish();
      }
    }
  }

  #finish() {
    const { status, chunks, bytes, close } = this.state;
    const request = this.inFlight;
    this.state = null;
    this.inFlight = null;
    const body = chunks === null ? null : Buffer.concat(chunks).toString('utf8');
    if (close) {
      this.socket.destroy(); // 'close' reopens; nothing is in flight any more
    }
    this.onResponse(this, request, status, body, bytes);
  }
}

/** Growable sample store; percentiles by sorting once at the end. */
class Samples {
  constructor() {
    this.values = new Float64Array(1 << 16);
    this.length = 0;
  }
  add(value) {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  summary() {
    const sorted = this.values.slice(0, this.length).sort();
    const at = (q) =>
      sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: sorted.length,
      meanMs: sorted.length === 0 ? null : round(sum / sorted.length),
      p50Ms: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      p999Ms: at(0.999),
      maxMs: sorted.length === 0 ? null : round(sorted[sorted.length - 1]),
    };
  }
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}

/** Counters for one measured window. */
function newWindow() {
  return { requests: 0, bytes: 0, errors: 0, non2xx: 0, statuses: {}, firstError: undefined, samples: new Samples() };
}

function record(window, status, bytes, latencyMs) {
  window.requests++;
  window.bytes += bytes;
  window.statuses[status] = (window.statuses[status] ?? 0) + 1;
  if (status < 200 || status >= 300) {
    window.non2xx++;
    window.firstError ??= `HTTP ${status}`;
  }
  window.samples.add(latencyMs);
}

function summarize(window, seconds) {
  return {
    seconds: round(seconds),
    requests: window.requests,
    requestsPerSecond: Math.round(window.requests / seconds),
    megabytesPerSecond: round(window.bytes / seconds / 1e6),
    errors: window.errors,
    non2xx: window.non2xx,
    statuses: window.statuses,
    firstError: window.firstError,
    latency: window.samples.summary(),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Closed loop: `connections` connections each keep one request in flight. Runs `warmupMs`
 * unmeasured, then `durationMs` measured; calls `onWindow('start'|'end')` at the window's edges
 * (the caller reads process CPU there). In-flight requests are drained before returning.
 */
export async function closedLoop({ host, port, workload, connections, warmupMs, durationMs, onWindow }) {
  let window = newWindow();
  let running = true;
  let inFlight = 0;
  const issue = (conn) => {
    if (!running) return;
    const request = workload.next();
    request.sentAt = performance.now();
    inFlight++;
    conn.send(request);
  };
  const onResponse = (conn, request, status, body, bytes) => {
    inFlight--;
    record(window, status, bytes, performance.now() - request.sentAt);
    workload.done(request, status, body);
    issue(conn);
  };
  const onFailure = (conn, request, error) => {
    inFlight--;
    window.errors++;
    window.firstError ??= error.message;
    workload.done(request, 0, null);
    setTimeout(() => issue(conn), 10);
  };
  const pool = [];
  for (let i = 0; i < connections; i++) pool.push(new Connection(host, port, onResponse, onFailure));
  for (const conn of pool) issue(conn);
  await sleep(warmupMs);
  const warmupErrors = window.errors + window.non2xx;
  const warmupFirstError = window.firstError;
  window = newWindow();
  onWindow?.('start');
  const started = performance.now();
  await sleep(durationMs);
  const ended = performance.now();
  onWindow?.('end');
  const measured = window;
  running = false;
  const deadline = Date.now() + 10_000;
  while (inFlight > 0 && Date.now() < deadline) await sleep(5);
  for (const conn of pool) conn.close();
  const result = summarize(measured, (ended - started) / 1000);
  result.connections = connections;
  result.warmupErrors = warmupErrors;
  if (warmupErrors > 0) result.firstError ??= warmupFirstError;
  result.unfinished = inFlight;
  return result;
}

/**
 * Open loop: requests fall due at a constant `rate` (per second). A 1 ms tick sends every request
 * that has fallen due on a free connection; a request that finds no free connection waits for one,
 * and then its latency runs from its due time (the server's stall is charged to the server — no
 * coordinated omission). The tick's own lateness is the generator's, not the target's: it is
 * reported as `dispatchLag`, not added to the latency.
 */
export async function openLoop({ host, port, workload, rate, connections, warmupMs, durationMs, onWindow }) {
  let window = newWindow();
  let lag = new Samples();
  const idle = [];
  const waiting = []; // due times of requests that found no free connection
  let inFlight = 0;
  const sendAt = (conn, origin) => {
    const request = workload.next();
    request.origin = origin;
    inFlight++;
    conn.send(request);
  };
  const release = (conn) => {
    if (waiting.length > 0) sendAt(conn, waiting.shift());
    else idle.push(conn);
  };
  const onResponse = (conn, request, status, body, bytes) => {
    inFlight--;
    record(window, status, bytes, performance.now() - request.origin);
    workload.done(request, status, body);
    release(conn);
  };
  const onFailure = (conn, request, error) => {
    inFlight--;
    window.errors++;
    window.firstError ??= error.message;
    workload.done(request, 0, null);
    setTimeout(() => release(conn), 10);
  };
  for (let i = 0; i < connections; i++) idle.push(new Connection(host, port, onResponse, onFailure));
  const all = [...idle];
  await sleep(50); // let the connections open before the clock starts
  const interval = 1000 / rate;
  const t0 = performance.now();
  const measureFrom = t0 + warmupMs;
  const stopAt = measureFrom + durationMs;
  let sent = 0;
  let windowOpen = false;
  for (;;) {
    const now = performance.now();
    if (now >= stopAt) break;
    if (!windowOpen && now >= measureFrom) {
      windowOpen = true;
      window = newWindow();
      lag = new Samples();
      onWindow?.('start');
    }
    while (t0 + sent * interval <= now) {
      const dueAt = t0 + sent * interval;
      sent++;
      const conn = idle.pop();
      if (conn === undefined) waiting.push(dueAt);
      else {
        lag.add(now - dueAt);
        sendAt(conn, now);
      }
    }
    if (waiting.length > rate * 5) break; // hopelessly saturated: stop instead of queueing forever
    await sleep(Math.max(0, Math.min(1, t0 + sent * interval - performance.now())));
  }
  const windowEnded = performance.now();
  onWindow?.('end');
  // Requests due inside the window still count when they finish after it.
  const deadline = Date.now() + 10_000;
  while ((inFlight > 0 || waiting.length > 0) && Date.now() < deadline) await sleep(5);
  for (const conn of all) conn.close();
  const result = summarize(window, (windowEnded - measureFrom) / 1000);
  result.targetRate = rate;
  result.connections = connections;
  result.dispatchLag = lag.summary();
  result.unfinished = inFlight + waiting.length;
  result.saturated = result.unfinished > 0 || result.requestsPerSecond < rate * 0.9;
  return result;
}

/** Sends exactly `count` requests over `connections` connections (setup phases); resolves with the tally. */
export async function batch({ host, port, workload, connections, count, timeoutMs = 120_000 }) {
  const window = newWindow();
  let issued = 0;
  let finished = 0;
  let resolveDone;
  const allDone = new Promise((resolve) => {
    resolveDone = resolve;
  });
  const issue = (conn) => {
    if (issued >= count) return;
    issued++;
    const request = workload.next();
    request.sentAt = performance.now();
    conn.send(request);
  };
  const settle = (conn) => {
    if (++finished === count) resolveDone();
    else issue(conn);
  };
  const onResponse = (conn, request, status, body, bytes) => {
    record(window, status, bytes, performance.now() - request.sentAt);
    workload.done(request, status, body);
    settle(conn);
  };
  const onFailure = (conn, request, error) => {
    window.errors++;
    window.firstError ??= error.message;
    workload.done(request, 0, null);
    settle(conn);
  };
  const pool = [];
  for (let i = 0; i < Math.min(connections, count); i++) pool.push(new Connection(host, port, onResponse, onFailure));
  const started = performance.now();
  for (const conn of pool) issue(conn);
  const timer = setTimeout(() => resolveDone(), timeoutMs);
  await allDone;
  clearTimeout(timer);
  for (const conn of pool) conn.close();
  const result = summarize(window, (performance.now() - started) / 1000);
  result.unfinished = count - finished;
  return result;
}
