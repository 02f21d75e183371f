// Graceful shutdown of an HTTP listener. Once close() starts, every response that has not sent its
// headers yet says `Connection: close`, and each keep-alive connection is closed the moment its last
// response ends, so the server closes as soon as nothing is in flight, not when idle clients hang up.
import type { Server, ServerResponse } from 'node:http';

export class ServerDrain {
  readonly #server: Server;
  readonly #inFlight = new Set<ServerResponse>();
  #draining = false;

  private constructor(server: Server) {
    this.#server = server;
    // Ahead of the server's own handler, which may answer (and send headers) synchronously.
    server.prependListener('request', (_req, res: ServerResponse) => {
      if (this.#draining) res.setHeader('connection', 'close');
      this.#inFlight.add(res);
      res.once('close', () => {
        this.#inFlight.delete(res);
        // 'close' follows the response's end by a tick, when Node has detached it from its socket:
        // the connection now counts as idle unless the client already sent its next request.
        if (this.#draining) server.closeIdleConnections();
      });
    });
  }

  /** Call before the server accepts its first connection. */
  static attach(server: Server): ServerDrain {
    return new ServerDrain(server);
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Responses started and not yet ended (or aborted). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Stops accepting, lets in-flight responses finish and closes every connection as it goes idle;
   * resolves once the server has closed. After `timeoutMs` the remaining connections are cut
   * (`forced: true`).
   */
  async close(timeoutMs: number): Promise<{ forced: boolean }> {
    this.#draining = true;
    for (const res of this.#inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    let forced = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const deadline = setTimeout(() => {
      forced = true;
      this.#server.closeAllConnections();
    }, timeoutMs);
    try {
      await closed;
    } finally {
      clearTimeout(deadline);
    }
    return { forced };
  }
}
