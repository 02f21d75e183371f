// The operator's admin listener: liveness, readiness (caches synced, and leading or standing by) and
// Prometheus metrics.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { OperatorMetrics } from './metrics.js';

export interface OperatorAdminOptions {
  readonly metrics: OperatorMetrics;
  /** Reasons the operator is not ready; empty when ready. */
  readonly notReadyReasons: () => string[];
  /** Shown on /readyz so a human sees who leads. */
  readonly role: () => { identity: string; leader: boolean; currentLeader: string | undefined };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createOperatorAdminServer(options: OperatorAdminOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: { code: 405, message: 'only GET is supported' } });
    }
    switch (path) {
      case '/livez':
        return sendJson(res, 200, { status: 'ok' });
      case '/readyz': {
        const reasons = options.notReadyReasons();
        const ready = reasons.length === 0;
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', reasons, ...options.role() });
      }
      case '/metrics':
        options.metrics.registry.metrics().then(
          (body) => {
            res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
            res.end(body);
          },
          () => sendJson(res, 500, { error: { code: 500, message: 'collecting metrics failed' } }),
        );
        return;
      default:
        return sendJson(res, 404, { error: { code: 404, message: `no admin endpoint ${path}` } });
    }
  });
}
