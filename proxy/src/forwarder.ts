// One request to one cluster over that cluster's undici Pool. Bodies stream through in both
// directions; only the statement submission's answer is read (bounded) so its query id can be
// recorded before the client sees it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { Pool } from 'undici';
import { UpstreamInvalidResponseError, upstreamError } from './errors.js';
import { stripResponseHopHeaders } from './headers.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface ForwarderOptions {
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly connections: number;
}

/** The statement POST's answer, read whole. */
export interface SubmitResult {
  readonly statusCode: number;
  readonly headers: ResponseHeaders;
  readonly body: Buffer;
}

/**
 * Called with the upstream status and headers before anything reaches the client; may add headers.
 * Returning a promise holds the response until it settles (used to pin OAuth2 ids first).
 */
export type ResponseHook = (statusCode: number, headers: ResponseHeaders) => Promise<void> | undefined;

const MAX_SUBMIT_RESPONSE_BYTES = 16 * 1024 * 1024;

export class Forwarder {
  readonly #pool: Pool;

  constructor(
    readonly cluster: string,
    readonly origin: string,
    readonly options: ForwarderOptions,
  ) {
    this.#pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connect: { timeout: options.connectTimeoutMs },
      keepAliveTimeout: 30_000,
    });
  }

  /** Streams `req` to the cluster and its answer to `res`. Rejects with a catalogue error. */
  async stream(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    headers: string[],
    hook: ResponseHook | undefined,
  ): Promise<void> {
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClose);
    const method = req.method ?? 'GET';
    try {
      await this.#pool.stream(
        {
          method,
          path: target,
          headers,
          body: hasBody(req) ? req : null,
          signal: abort.signal,
          opaque: res,
        },
        ({ statusCode, headers: upstreamHeaders, opaque }) => {
          const response = opaque as ServerResponse;
          const responseHeaders = upstreamHeaders as ResponseHeaders;
          stripResponseHopHeaders(responseHeaders);
          const held = hook?.(statusCode, responseHeaders);
          if (held === undefined) {
            response.writeHead(statusCode, responseHeaders as Record<string, string | string[]>);
            return response;
          }
          return new HeldResponse(response, statusCode, responseHeaders, held);
        },
      );
    } catch (error) {
      if (abort.signal.aborted) return;
      throw upstreamError(this.cluster, error, this.options.requestTimeoutMs);
    } finally {
      res.off('close', onClose);
    }
  }

  /** Sends a statement POST (body already read) and reads the whole answer. */
  async submit(target: string, headers: string[], body: Buffer): Promise<SubmitResult> {
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.#pool.request({ method: 'POST', path: target, headers, body });
    } catch (error) {
      throw upstreamError(this.cluster, error, this.options.requestTimeoutMs);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_SUBMIT_RESPONSE_BYTES) {
          response.body.destroy();
          throw new UpstreamInvalidResponseError(
            this.cluster,
            `statement response over ${MAX_SUBMIT_RESPONSE_BYTES} bytes`,
          );
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      throw upstreamError(this.cluster, error, this.options.requestTimeoutMs);
    }
    const headersOut = response.headers as ResponseHeaders;
    stripResponseHopHeaders(headersOut);
    return { statusCode: response.statusCode, headers: headersOut, body: Buffer.concat(chunks, size) };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/** Buffers a (small) response body until `held` settles, then sends head and body together. */
class HeldResponse extends Writable {
  readonly #chunks: Buffer[] = [];

  constructor(
    readonly res: ServerResponse,
    readonly statusCode: number,
    readonly headers: ResponseHeaders,
    readonly held: Promise<void>,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#chunks.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const send = () => {
      if (this.res.destroyed) return callback();
      this.res.writeHead(this.statusCode, this.headers as Record<string, string | string[]>);
      this.res.end(Buffer.concat(this.#chunks), () => callback());
    };
    this.held.then(send, send);
  }
}
