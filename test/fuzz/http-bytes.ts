// Raw HTTP/1.1 on a socket for the fuzzer: requests as exact bytes (latin1 strings, so any byte can
// appear anywhere), delivered whole, in fragments, or cut off, and responses parsed just enough to
// know where each one ends, what it says about itself and what its body is.
import { connect } from 'node:net';

/** How the bytes reach the proxy. */
export type Delivery =
  | { kind: 'whole' }
  /** Split at these fractions of the length, yielding to the event loop (and `delayMs`) between writes. */
  | { kind: 'fragments'; cuts: number[]; delayMs: number }
  /** Writes this fraction of the bytes, then resets the connection. */
  | { kind: 'abort'; at: number }
  /** Writes this fraction of the bytes, then half-closes (FIN) and waits for the proxy to finish. */
  | { kind: 'halfClose'; at: number };

export interface RawResponse {
  status: number;
  headers: Map<string, string[]>;
  /** The body as sent, de-chunked. */
  body: Buffer;
}

export interface Exchange {
  /** Final (non-1xx) responses, in order. */
  responses: RawResponse[];
  /** Bytes the proxy sent that did not form a complete response (cut off or garbage). */
  leftover: number;
  /** The connection did not end within the deadline. */
  hung: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const yieldOnce = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Sends `bytes` on a new connection and collects the responses until `expected` final responses have
 * arrived (then hangs up) or the proxy closes the connection, at most `deadlineMs`.
 */
export async function exchange(
  host: string,
  port: number,
  bytes: string,
  options: { delivery: Delivery; expected: number; headOnly?: boolean[]; deadlineMs?: number },
): Promise<Exchange> {
  const socket = connect(port, host);
  socket.setNoDelay(true);
  const data = Buffer.from(bytes, 'latin1');
  let received: Buffer = Buffer.alloc(0);
  let responses: RawResponse[] = [];
  let leftover = 0;
  let settle: (hung: boolean) => void = () => {};
  const finished = new Promise<boolean>((resolve) => {
    settle = resolve;
  });
  const deadline = setTimeout(() => settle(true), options.deadlineMs ?? 10_000);
  const update = (closed: boolean) => {
    const parsed = parseResponses(received, options.headOnly ?? [], closed);
    responses = parsed.responses;
    leftover = parsed.rest;
    if (responses.length >= options.expected) settle(false);
  };
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    update(false);
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    update(true);
    settle(false);
  });
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });

  const delivery = options.delivery;
  try {
    if (delivery.kind === 'whole') {
      socket.write(data);
    } else if (delivery.kind === 'fragments') {
      let from = 0;
      for (const cut of [...delivery.cuts].sort((a, b) => a - b)) {
        const to = Math.floor(cut * data.length);
        if (to <= from) continue;
        socket.write(data.subarray(from, to));
        from = to;
        if (delivery.delayMs > 0) await sleep(delivery.delayMs);
        else await yieldOnce();
        if (socket.destroyed) break;
      }
      if (!socket.destroyed) socket.write(data.subarray(from));
    } else {
      const to = Math.floor(delivery.at * data.length);
      if (to > 0) socket.write(data.subarray(0, to));
      await yieldOnce();
      if (delivery.kind === 'abort') {
        socket.resetAndDestroy();
        clearTimeout(deadline);
        return { responses: [], leftover: 0, hung: false };
      }
      socket.end();
    }
  } catch {
    // The proxy may close first; what it answered is still read below.
  }
  const hung = await finished;
  clearTimeout(deadline);
  socket.destroy();
  return { responses, leftover, hung };
}

/**
 * Parses as many complete final responses as `data` holds; `rest` is the byte count after them. A
 * response without a length is complete only when the connection has `closed`.
 */
export function parseResponses(
  data: Buffer,
  headOnly: boolean[],
  closed: boolean,
): { responses: RawResponse[]; rest: number } {
  const responses: RawResponse[] = [];
  let offset = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', offset, 'latin1');
    if (end < 0) break;
    const lines = data.subarray(offset, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? Number.NaN);
    if (Number.isNaN(status)) break;
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    let position = end + 4;
    if (status >= 100 && status < 200) {
      offset = position;
      continue;
    }
    const isHead = headOnly[responses.length] === true;
    let body: Buffer = Buffer.alloc(0);
    const chunked = (headers.get('transfer-encoding') ?? []).join(',').toLowerCase().includes('chunked');
    const length = headers.get('content-length')?.[0];
    if (isHead || status === 204 || status === 304) {
      // no body
    } else if (chunked) {
      const decoded = dechunk(data, position);
      if (decoded === undefined) break;
      body = decoded.body;
      position = decoded.end;
    } else if (length !== undefined) {
      const size = Number(length);
      if (data.length < position + size) break;
      body = data.subarray(position, position + size);
      position += size;
    } else {
      if (!closed) break;
      body = data.subarray(position);
      position = data.length;
    }
    responses.push({ status, headers, body });
    offset = position;
  }
  return { responses, rest: data.length - offset };
}

function dechunk(data: Buffer, start: number): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let position = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', position, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(position, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) return undefined;
    position = lineEnd + 2;
    if (size === 0) {
      // Trailers, then the empty line.
      for (;;) {
        const trailerEnd = data.indexOf('\r\n', position, 'latin1');
        if (trailerEnd < 0) return undefined;
        const empty = trailerEnd === position;
        position = trailerEnd + 2;
        if (empty) return { body: Buffer.concat(parts), end: position };
      }
    }
    if (data.length < position + size + 2) return undefined;
    parts.push(data.subarray(position, position + size));
    position += size + 2;
  }
}
