// What a queued query keeps until it is sent — the client's request as received — and the
// cluster's answer until the client's next poll relays it, as opaque bytes for the QueueStore:
// a length-prefixed JSON head, then the body unchanged (binary-safe, no base64).
import type { IncomingMessage } from 'node:http';
import type { ClientHop } from '../http/headers.js';
import { clientHop, withHeaders } from '../http/headers.js';

export interface StoredRequest {
  /** Origin-form target of the POST, as the client sent it. */
  readonly target: string;
  /** The client's raw headers (hop-by-hop ones included; they are dropped when it is sent). */
  readonly rawHeaders: readonly string[];
  readonly client: ClientHop;
  readonly body: Buffer;
}

export interface StoredResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

function encode(head: unknown, body: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(head), 'utf8');
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(json.length, 0);
  return Buffer.concat([length, json, body], 4 + json.length + body.length);
}

function decode<T>(bytes: Buffer): { head: T; body: Buffer } {
  const length = bytes.readUInt32BE(0);
  const head = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as T;
  return { head, body: bytes.subarray(4 + length) };
}

/** `extra`: headers set on top of the client's (an external routing service's externalHeaders). */
export function storeRequest(
  req: IncomingMessage,
  target: string,
  body: Buffer,
  extra?: Readonly<Record<string, string>>,
): Buffer {
  return encode({ target, rawHeaders: withHeaders(req.rawHeaders, extra), client: clientHop(req) }, body);
}

export function loadRequest(bytes: Buffer): StoredRequest {
  const { head, body } = decode<Omit<StoredRequest, 'body'>>(bytes);
  return { ...head, body };
}

export function storeResponse(response: StoredResponse): Buffer {
  return encode({ statusCode: response.statusCode, headers: response.headers }, response.body);
}

export function loadResponse(bytes: Buffer): StoredResponse {
  const { head, body } = decode<Omit<StoredResponse, 'body'>>(bytes);
  return { ...head, body };
}
