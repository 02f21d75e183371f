// Every error the proxy can answer with, in one place: each names its HTTP status and a
// Trino-style error name. Handlers throw these; `respond.ts` turns them into responses.

export abstract class GatewayError extends Error {
  abstract readonly status: number;
  abstract readonly errorName: string;
  /**
   * True when the query could not run for want of a place (no group, no cluster, queue full, limits):
   * a submission then gets a FAILED QueryResults that every client prints, not an HTTP error.
   */
  readonly failsQuery: boolean = false;
  /** Trino's error code for `errorName` when Trino has one; else the gateway's (65536 + status). */
  get errorCode(): number {
    return 65_536 + this.status;
  }
  readonly errorType: string = 'INSUFFICIENT_RESOURCES';
}

/** The request target is not origin-form, or has dot segments or bad percent-encoding. */
export class InvalidRequestTargetError extends GatewayError {
  readonly status = 400;
  readonly errorName = 'INVALID_REQUEST_TARGET';
}

/** A statement body over the gateway's limit (the SQL is read whole to route and resend it). */
export class PayloadTooLargeError extends GatewayError {
  readonly status = 413;
  readonly errorName = 'STATEMENT_TOO_LARGE';
  constructor(limit: number) {
    super(`The statement is larger than ${limit} bytes`);
  }
}

/** The client broke off or garbled the statement body while it was being read (it has usually gone). */
export class IncompleteRequestBodyError extends GatewayError {
  readonly status = 400;
  readonly errorName = 'INCOMPLETE_REQUEST_BODY';
  constructor() {
    super('The request body ended before it was complete');
  }
}

/** The path is not one the gateway proxies. */
export class PathNotProxiedError extends GatewayError {
  readonly status = 404;
  readonly errorName = 'NOT_FOUND';
  constructor(path: string) {
    super(`Path ${path} is not served by this gateway`);
  }
}

/** A query id no registered cluster owns. */
export class UnknownQueryError extends GatewayError {
  readonly status = 404;
  readonly errorName = 'QUERY_NOT_FOUND';
  constructor(queryId: string, detail = 'no registered cluster knows it') {
    super(`Query ${queryId} not found: ${detail}`);
  }
}

/** Prefix routing: the cluster named in the path is not in the registry (any more). */
export class UnknownClusterError extends GatewayError {
  readonly status = 404;
  readonly errorName = 'CLUSTER_NOT_FOUND';
  constructor(cluster: string) {
    super(`Cluster "${cluster}" named in the path is not registered`);
  }
}

/** No routing group can take the request (none named, no default). */
export class NoRoutingGroupError extends GatewayError {
  readonly status = 503;
  readonly errorName = 'NO_ROUTING_GROUP';
  override readonly failsQuery = true;
}

/** The chosen group (and its fallback) has no Healthy, enabled member with weight > 0. */
export class NoHealthyClusterError extends GatewayError {
  readonly status = 503;
  readonly errorName = 'NO_HEALTHY_CLUSTER';
  override readonly failsQuery = true;
  constructor(
    readonly group: string,
    readonly reason: string,
  ) {
    super(`No cluster available in routing group "${group}": ${reason}`);
  }
}

/** Trino's INSUFFICIENT_RESOURCES codes for the names query management shares with it. */
const QUERY_QUEUE_FULL = 0x2_0002;
const EXCEEDED_TIME_LIMIT = 0x2_0003;

/** The group's queue holds maxQueued queries already. */
export class QueueFullError extends GatewayError {
  readonly status = 503;
  readonly errorName = 'QUERY_QUEUE_FULL';
  override readonly failsQuery = true;
  override get errorCode(): number {
    return QUERY_QUEUE_FULL;
  }
}

/** An admission limit with onExceed: Reject was reached (a user's or source's concurrency or rate). */
export class AdmissionLimitError extends GatewayError {
  readonly status = 429;
  readonly errorName = 'QUERY_QUEUE_FULL';
  override readonly failsQuery = true;
  override get errorCode(): number {
    return QUERY_QUEUE_FULL;
  }
}

/** A queued query waited longer than its group's maxWaitSeconds. */
export class QueueTimeoutError extends GatewayError {
  readonly status = 503;
  readonly errorName = 'EXCEEDED_TIME_LIMIT';
  override readonly failsQuery = true;
  override get errorCode(): number {
    return EXCEEDED_TIME_LIMIT;
  }
}

/**
 * A poll of a query whose cluster refuses connections: nothing listens there, and a Trino coordinator
 * keeps its queries in memory, so the query is gone. Answered as the query's FAILED last page, so
 * clients stop at once with this message instead of retrying a 502 until their own timeout.
 */
export class QueryLostError extends GatewayError {
  readonly status = 502;
  readonly errorName = 'UPSTREAM_UNREACHABLE';
  override readonly errorType = 'EXTERNAL';
  override readonly failsQuery = true;
  constructor(readonly cluster: string) {
    super(`Trino cluster "${cluster}" that ran this query refuses connections: the query is lost`);
  }

  /** True for a statement poll that found its cluster not listening (not a timeout or a DNS blip). */
  static lost(error: unknown, method: string | undefined): error is UpstreamUnreachableError {
    return method === 'GET' && error instanceof UpstreamUnreachableError && error.refused;
  }
}

/** Connecting to the cluster failed, or it broke the connection before answering. */
export class UpstreamUnreachableError extends GatewayError {
  readonly status = 502;
  readonly errorName = 'UPSTREAM_UNREACHABLE';
  constructor(
    readonly cluster: string,
    detail: string,
    readonly beforeSend = false,
    /** Nothing listens at the cluster's address (ECONNREFUSED). */
    readonly refused = false,
  ) {
    super(`Trino cluster "${cluster}" is unreachable: ${detail}`);
  }
}

/** The cluster answered something the gateway cannot relay (e.g. an oversized statement response). */
export class UpstreamInvalidResponseError extends GatewayError {
  readonly status = 502;
  readonly errorName = 'UPSTREAM_INVALID_RESPONSE';
  constructor(cluster: string, detail: string) {
    super(`Trino cluster "${cluster}" sent an invalid response: ${detail}`);
  }
}

/** The cluster did not answer within routing.requestTimeout. */
export class UpstreamTimeoutError extends GatewayError {
  readonly status = 504;
  readonly errorName = 'UPSTREAM_TIMEOUT';
  constructor(cluster: string, timeoutMs: number) {
    super(`Trino cluster "${cluster}" did not answer within ${timeoutMs} ms`);
  }
}

/** Anything unexpected: reported without internals. */
export class InternalGatewayError extends GatewayError {
  readonly status = 500;
  readonly errorName = 'GATEWAY_INTERNAL_ERROR';
  constructor() {
    super('The gateway failed to handle the request; see the gateway log');
  }
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** True when the error happened while connecting, i.e. the cluster cannot have seen the request. */
function isConnectFailure(error: unknown): boolean {
  return CONNECT_FAILURES.has(errorCode(error));
}

function isTimeout(error: unknown): boolean {
  return TIMEOUTS.has(errorCode(error));
}

function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? '' : errorCode(cause);
}

/** Turns an undici/socket error from forwarding into the catalogue's error. */
export function upstreamError(cluster: string, error: unknown, timeoutMs: number): GatewayError {
  if (error instanceof GatewayError) return error;
  if (isTimeout(error)) return new UpstreamTimeoutError(cluster, timeoutMs);
  const code = errorCode(error);
  const detail = code || (error instanceof Error ? error.message : String(error));
  return new UpstreamUnreachableError(cluster, detail, isConnectFailure(error), code === 'ECONNREFUSED');
}

/** Trino's code for the error names query management reports on a FAILED page. */
export function trinoErrorCode(errorName: string): number {
  switch (errorName) {
    case 'QUERY_QUEUE_FULL':
      return QUERY_QUEUE_FULL;
    case 'EXCEEDED_TIME_LIMIT':
      return EXCEEDED_TIME_LIMIT;
    default:
      return 65_536 + 503;
  }
}
