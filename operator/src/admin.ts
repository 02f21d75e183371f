// The operator's admin listener: liveness, readiness (caches synced, and leading or standing by) and
// Prometheus metrics, on the shared admin server.
import type { Server } from 'node:http';
import { type AdminAuthenticator, createAdminServer } from '@junction/shared';
import type { OperatorMetrics } from './metrics.js';

export interface OperatorAdminOptions {
  readonly metrics: OperatorMetrics;
  /** Reasons the operator is not ready; empty when ready. */
  readonly notReadyReasons: () => string[];
  /** Shown on /readyz so a human sees who leads. */
  readonly role: () => { identity: string; leader: boolean; currentLeader: string | undefined };
  /** Who may read paths that are not open (by default the operator serves only open ones). */
  readonly auth: AdminAuthenticator;
}

export function createOperatorAdminServer(options: OperatorAdminOptions): Server {
  return createAdminServer({
    metrics: options.metrics.registry,
    auth: options.auth,
    readiness: () => {
      const reasons = options.notReadyReasons();
      const ready = reasons.length === 0;
      return { ready, body: { status: ready ? 'ready' : 'not ready', reasons, ...options.role() } };
    },
  });
}
