// Turns catalogue errors into responses: JSON `{"error": …}` everywhere, except that a statement
// submission that cannot be routed gets a FAILED Trino QueryResults, which every client prints.
import type { ServerResponse } from 'node:http';
import { sendJson } from '@junction/shared';
import { GatewayError, InternalGatewayError, NoHealthyClusterError, NoRoutingGroupError } from './errors.js';

let failedQuerySequence = 0;

/** A Trino-shaped query id for a query the gateway itself failed ("jnctn" marks the gateway). */
function gatewayQueryId(now: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  failedQuerySequence = (failedQuerySequence + 1) % 100_000;
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${date}_${time}_${pad(failedQuerySequence, 5)}_jnctn`;
}

/** The QueryResults Trino itself sends for a query that failed before running. */
export function failedQueryResults(error: GatewayError): object {
  const id = gatewayQueryId(new Date());
  return {
    id,
    infoUri: `about:blank#${id}`,
    stats: {
      state: 'FAILED',
      queued: false,
      scheduled: false,
      nodes: 0,
      totalSplits: 0,
      queuedSplits: 0,
      runningSplits: 0,
      completedSplits: 0,
      cpuTimeMillis: 0,
      wallTimeMillis: 0,
      queuedTimeMillis: 0,
      elapsedTimeMillis: 0,
      processedRows: 0,
      processedBytes: 0,
      physicalInputBytes: 0,
      peakMemoryBytes: 0,
      spilledBytes: 0,
    },
    error: {
      message: error.message,
      errorCode: 65_536 + error.status,
      errorName: error.errorName,
      errorType: 'INSUFFICIENT_RESOURCES',
      failureInfo: { type: 'io.trino.gateway.RoutingException', message: error.message, suppressed: [], stack: [] },
    },
    warnings: [],
  };
}

export function errorBody(error: GatewayError): object {
  return { error: { code: error.status, name: error.errorName, message: error.message } };
}

/** Writes `error` as the response, or cuts the connection when the response already started. */
export function sendError(res: ServerResponse, error: unknown, statementSubmit: boolean): void {
  const gatewayError = error instanceof GatewayError ? error : new InternalGatewayError();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const routingFailure = error instanceof NoHealthyClusterError || error instanceof NoRoutingGroupError;
  const asQuery = statementSubmit && routingFailure;
  sendJson(
    res,
    asQuery ? 200 : gatewayError.status,
    asQuery ? failedQueryResults(gatewayError) : errorBody(gatewayError),
  );
}
