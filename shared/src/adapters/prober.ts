// One health probe of one Trino coordinator, by the cluster's healthCheck.type. Pure I/O adapter:
// it reports what it saw and never throws; deciding phases from outcomes is the HealthMonitor's job.
import { request } from 'undici';
import { formatDuration } from '../contract/duration.js';
import type { ClusterEntry } from '../contract/model.js';

export type ProbeOutcome =
  | { ok: true; starting: boolean; runningQueries?: number; queuedQueries?: number; activeNodes?: number }
  | { ok: false; message: string };

export interface ProbeOptions {
  /** Aborts the probe (e.g. the monitor stopped); the outcome is then a failure. */
  signal?: AbortSignal;
}

type ProbedCluster = Pick<ClusterEntry, 'name' | 'url' | 'healthCheck'>;

/** The user the prober presents; Trino requires one on /metrics and /v1/query even without authentication. */
export const PROBE_USER = 'junction';

/** Trino's metric names on /metrics (airlift exports JMX attributes under these names). */
export const TRINO_METRIC_NAMES = {
  running: 'trino_execution_name_QueryManager_RunningQueries',
  queued: 'trino_execution_name_QueryManager_QueuedQueries',
  activeNodes: 'trino_metadata_name_DiscoveryNodeManager_ActiveNodeCount',
} as const;

/**
 * Query states from `GET /v1/query`, split the way Trino's resource groups see them: a query is
 * queued until admitted (QUEUED, WAITING_FOR_RESOURCES) and holds a running slot from dispatch
 * until it is done (DISPATCHING … FINISHING). FINISHED and FAILED queries are ignored.
 */
const QUEUED_STATES = new Set(['QUEUED', 'WAITING_FOR_RESOURCES']);
const RUNNING_STATES = new Set(['DISPATCHING', 'PLANNING', 'STARTING', 'RUNNING', 'FINISHING']);

class ProbeError extends Error {}

export async function probeCluster(cluster: ProbedCluster, options: ProbeOptions = {}): Promise<ProbeOutcome> {
  const { type, timeoutSeconds } = cluster.healthCheck;
  if (type === 'None') return { ok: true, starting: false };
  const timeoutMs = timeoutSeconds * 1000;
  const url = cluster.url.replace(/\/+$/, '') + PROBE_PATHS[type];
  // One controller per probe (not AbortSignal.any/timeout): nothing outlives the probe, however often it runs.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  try {
    const body = await fetchBody(url, controller.signal);
    if (type === 'Info') return interpretInfo(body);
    if (type === 'Metrics') return interpretMetrics(body);
    return interpretQueryList(body);
  } catch (error) {
    const reason = timedOut ? `timed out after ${formatDuration(timeoutMs)}` : describe(error, options.signal);
    // The metric-name filter would drown the message; the path says enough.
    return { ok: false, message: `GET ${url.split('?')[0]}: ${reason}` };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

const PROBE_PATHS: Record<'Info' | 'Metrics' | 'QueryList', string> = {
  Info: '/v1/info',
  // Ask only for the three metrics, as the reference gateway does: a full /metrics page is large.
  Metrics: `/metrics?${Object.values(TRINO_METRIC_NAMES)
    .map((name) => `name[]=${name}`)
    .join('&')}`,
  QueryList: '/v1/query',
};

async function fetchBody(url: string, signal: AbortSignal): Promise<string> {
  const response = await request(url, {
    method: 'GET',
    headers: {
      'x-trino-user': PROBE_USER,
      'user-agent': 'junction-prober',
      accept: 'application/json, application/openmetrics-text; version=1.0.0; charset=utf-8, text/plain;q=0.5',
    },
    signal,
  });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode > 299) {
    const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 200);
    throw new ProbeError(`HTTP ${response.statusCode}${snippet ? ` ${snippet}` : ''}`);
  }
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProbeError(`invalid JSON body: ${text.slice(0, 100)}`);
  }
}

function interpretInfo(text: string): ProbeOutcome {
  const info = parseJson(text);
  const starting = typeof info === 'object' && info !== null ? (info as { starting?: unknown }).starting : undefined;
  if (typeof starting !== 'boolean') throw new ProbeError('invalid body: no boolean "starting" field');
  return { ok: true, starting };
}

/** Reads OpenMetrics/Prometheus text: `name[{labels}] value [timestamp]`, `#` lines are metadata. */
export function parseOpenMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(trimmed);
    if (!match) continue;
    const value = Number(match[2]);
    if (!Number.isNaN(value) && !values.has(match[1] as string)) values.set(match[1] as string, value);
  }
  return values;
}

function interpretMetrics(text: string): ProbeOutcome {
  const values = parseOpenMetrics(text);
  const missing = Object.values(TRINO_METRIC_NAMES).filter((name) => !values.has(name));
  if (missing.length > 0) throw new ProbeError(`metrics missing: ${missing.join(', ')}`);
  const read = (name: string) => Math.max(0, Math.round(values.get(name) as number));
  const activeNodes = read(TRINO_METRIC_NAMES.activeNodes);
  if (activeNodes === 0) throw new ProbeError('no active nodes (ActiveNodeCount is 0)');
  return {
    ok: true,
    starting: false,
    runningQueries: read(TRINO_METRIC_NAMES.running),
    queuedQueries: read(TRINO_METRIC_NAMES.queued),
    activeNodes,
  };
}

function interpretQueryList(text: string): ProbeOutcome {
  const list = parseJson(text);
  if (!Array.isArray(list)) throw new ProbeError('invalid body: expected a JSON array of queries');
  let runningQueries = 0;
  let queuedQueries = 0;
  for (const query of list) {
    const state = typeof query === 'object' && query !== null ? (query as { state?: unknown }).state : undefined;
    if (typeof state !== 'string') continue;
    if (RUNNING_STATES.has(state)) runningQueries++;
    else if (QUEUED_STATES.has(state)) queuedQueries++;
  }
  return { ok: true, starting: false, runningQueries, queuedQueries };
}

function describe(error: unknown, signal: AbortSignal | undefined): string {
  if (error instanceof ProbeError) return error.message;
  if (signal?.aborted) return 'probe aborted';
  // undici wraps some socket errors; the cause then carries "connect ECONNREFUSED 127.0.0.1:1234".
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  if (error instanceof Error && error.message) return error.message;
  return String(error);
}
