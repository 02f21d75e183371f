// One request to one cluster over that cluster's undici Pool. Bodies stream through in both
// directions; only the statement submission's answer is read (bounded) so its query id can be
// recorded before the client sees it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Dispatcher, Pool } from 'undici';
import { UpstreamInvalidResponseError, upstreamError } from '../http/errors.js';
import { stripResponseHopHeaders } from '../http/headers.js';

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

/**
 * Watches a streamed response without holding it up (query management reads the first bytes of a
 * poll's page to see whether the query ended). `data` gets chunks until it returns false.
 */
export interface ResponseObserver {
  /** `encoding` is the response's Content-Encoding, when it has one. */
  start(statusCode: number, encoding: string | undefined): void;
  data(chunk: Buffer): boolean;
  /** `complete` is false when the response failed or the client left before its end. */
  end(complete: boolean): void;
}

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

  /**
   * Streams `req` to the cluster and its answer to `res`. Rejects with a catalogue error; resolves
   * quietly when the client went away (the upstream request is aborted then).
   */
  stream(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    headers: string[],
    hook: ResponseHook | undefined,
    observer?: ResponseObserver,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const handler = new StreamHandler(res, hook, observer, resolve, (error) =>
        reject(upstreamError(this.cluster, error, this.options.requestTimeoutMs)),
      );
      this.#pool.dispatch(
        { method: req.method ?? 'GET', path: target, headers, body: hasBody(req) ? req : null },
        handler,
      );
    });
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
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

function contentEncoding(headers: ResponseHeaders): string | undefined {
  const value = headers['content-encoding'];
  return Array.isArray(value) ? value.join(',') : value;
}

const CLIENT_GONE = new Error('the client closed the connection');

/**
 * One pass-through exchange at undici's lowest level: response bytes go straight to the client
 * socket with backpressure (pause/resume), and a client that leaves aborts the upstream request
 * through undici's own controller — no AbortController or signal listeners per request. A response
 * the hook holds (a 401 whose OAuth2 ids must be pinned first) is buffered until the hook settles.
 */
class StreamHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #clientGone = false;
  #held: Promise<void> | undefined;
  #heldStatus = 0;
  #heldHeaders: ResponseHeaders | undefined;
  #heldChunks: Buffer[] | undefined;
  readonly #onClientClose = () => {
    if (this.res.writableFinished) return;
    this.#clientGone = true;
    this.#controller?.abort(CLIENT_GONE);
  };
  readonly #onDrain = () => this.#controller?.resume();

  #observing: boolean;

  constructor(
    readonly res: ServerResponse,
    readonly hook: ResponseHook | undefined,
    readonly observer: ResponseObserver | undefined,
    readonly resolve: () => void,
    readonly reject: (error: unknown) => void,
  ) {
    res.once('close', this.#onClientClose);
    this.#observing = observer !== undefined;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(CLIENT_GONE);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: ResponseHeaders): void {
    if (statusCode < 200) return;
    if (this.observer !== undefined) this.observer.start(statusCode, contentEncoding(headers));
    stripResponseHopHeaders(headers);
    const held = this.hook?.(statusCode, headers);
    if (held !== undefined) {
      this.#held = held;
      this.#heldStatus = statusCode;
      this.#heldHeaders = headers;
      this.#heldChunks = [];
      return;
    }
    this.res.writeHead(statusCode, headers as Record<string, string | string[]>);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#observing) this.#observing = (this.observer as ResponseObserver).data(chunk);
    if (this.#heldChunks !== undefined) {
      this.#heldChunks.push(chunk);
    } else if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', this.#onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.#held === undefined) {
      this.res.end();
      this.#finish(undefined);
      return;
    }
    const send = () => {
      if (!this.res.destroyed) {
        this.res.writeHead(this.#heldStatus, this.#heldHeaders as Record<string, string | string[]>);
        this.res.end(Buffer.concat(this.#heldChunks ?? []));
      }
      this.#finish(undefined);
    };
    this.#held.then(send, send);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#finish(error);
  }

  #finish(error: unknown): void {
    this.res.off('close', this.#onClientClose);
    this.res.off('drain', this.#onDrain);
    this.observer?.end(error === undefined && !this.#clientGone);
    if (error === undefined || this.#clientGone) this.resolve();
    else this.reject(error);
  }
}
