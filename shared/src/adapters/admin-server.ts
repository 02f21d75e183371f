// The admin listener the proxy and the operator both run beside their real work: 405 for anything but
// GET/HEAD, 401 without valid credentials (admin-auth.ts) except on open paths, /livez, /readyz,
// Prometheus /metrics, JSON endpoints of their own, and listening. Never HTML.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminAuthenticator, DenyReason } from './admin-auth.js';

/** What /metrics serves; prom-client's Registry is one. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface Readiness {
  /** 200 when true, 503 when false. */
  readonly ready: boolean;
  /** The JSON body of /readyz, sent as is. */
  readonly body: object;
}

/**
 * A program's own endpoints, asked for every GET/HEAD path the server does not answer itself. Returns
 * (or resolves) true when it answered, false when the path is not one of its own (→ 404 JSON). A throw or
 * rejection becomes 500 JSON `{"error":{"code":500,"message":"admin endpoint failed"}}` (or a cut
 * connection when the response had already started).
 */
export type AdminRoutes = (path: string, req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface AdminServerOptions {
  readonly metrics: MetricsSource;
  /** Asked on every /readyz; a throw becomes the 500 JSON above. */
  readonly readiness: () => Readiness | Promise<Readiness>;
  readonly routes?: AdminRoutes;
  /** Who may read paths that are not open; absent = everything is open (tests of the server alone). */
  readonly auth?: AdminAuthenticator;
  /** Told about every request turned away (for a metric); never given the token. */
  readonly onDenied?: (reason: DenyReason) => void;
}

/** Writes `body` as the whole JSON response; admin answers describe the moment, so nothing caches them. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

const error = (code: number, message: string) => ({ error: { code, message } });

/** An http.Server answering the admin endpoints; listen with listenAdminServer, close with closeAdminServer. */
export function createAdminServer(options: AdminServerOptions): Server {
  return createServer((req, res) => {
    answer(options, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, error(500, 'admin endpoint failed'));
      else res.destroy();
    });
  });
}

async function answer(options: AdminServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, error(405, 'only GET is supported'));
  if (options.auth !== undefined && !options.auth.isOpen(path)) {
    const result = await options.auth.authenticate(req);
    if (!result.ok) {
      options.onDenied?.(result.reason);
      const challenge =
        result.reason === 'missing' || result.reason === 'unconfigured'
          ? 'Bearer realm="junction-admin"'
          : 'Bearer realm="junction-admin", error="invalid_token"';
      return sendJson(res, 401, error(401, result.message), { 'www-authenticate': challenge });
    }
  }
  switch (path) {
    case '/livez':
      return sendJson(res, 200, { status: 'ok' });
    case '/readyz': {
      const { ready, body } = await options.readiness();
      return sendJson(res, ready ? 200 : 503, body);
    }
    case '/metrics': {
      let text: string;
      try {
        text = await options.metrics.metrics();
      } catch {
        return sendJson(res, 500, error(500, 'collecting metrics failed'));
      }
      res.writeHead(200, { 'content-type': options.metrics.contentType });
      res.end(text);
      return;
    }
    default:
      if (options.routes !== undefined && (await options.routes(path, req, res))) return;
      return sendJson(res, 404, error(404, `no admin endpoint ${path}`));
  }
}

/**
 * Listens on host:port (port 0 = any free one) and resolves the URL that reaches it, a wildcard address
 * shown as 127.0.0.1. Rejects (EADDRINUSE, EACCES, …) instead of emitting 'error'.
 */
export function listenAdminServer(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown}:${address.port}`);
    });
  });
}

/** Stops listening and ends every connection, keep-alive ones included; resolves once the server is closed. */
export function closeAdminServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
