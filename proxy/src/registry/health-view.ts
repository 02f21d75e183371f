// Cluster health as the proxy's router and admin endpoints read it, whichever source keeps it
// (the proxy's own prober standalone, or the operator's probes read from Redis).
import type { ClusterHealth } from '@junction/shared';

export interface HealthView {
  get(name: string): ClusterHealth;
  /** Rises whenever any cluster's health changes, so routers can cache what they derive from it. */
  version(): number;
}

export interface ProxyHealth extends HealthView {
  /** Forwarding could not connect: Unhealthy here until a newer successful probe. */
  markUnreachable(name: string, message: string): void;
  /** Resolves after the first complete round of health information. */
  readonly firstRound: Promise<void>;
  /** Probes (standalone) or re-reads (Redis) now. */
  probeNow(): Promise<void>;
}

/** What each health source offers; the proxy adds the version counter on top. */
export interface HealthSource {
  get(name: string): ClusterHealth;
  markUnreachable(name: string, message: string): void;
  readonly firstRound: Promise<void>;
}

/**
 * A ProxyHealth over `source`, refreshed by `refresh`. `version` must rise on every change the source
 * reports (its onChange); local unreachable marks raise it here too, so the router's cache stays exact.
 */
export function proxyHealth(
  source: HealthSource,
  refresh: () => Promise<void>,
  version: { value: number },
): ProxyHealth {
  return {
    get: (name) => source.get(name),
    version: () => version.value,
    markUnreachable: (name, message) => {
      version.value++;
      source.markUnreachable(name, message);
    },
    firstRound: source.firstRound,
    probeNow: refresh,
  };
}
