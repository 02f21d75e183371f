// Turns catalogue errors into responses: JSON `{"error": …}` everywhere, except that a statement
// submission that cannot be routed gets a FAILED Trino QueryResults, which every client prints.
import type { ServerResponse } from 'node:http';
import { sendJson } from '@junction/shared';
import { GatewayError, InternalGatewayError } from './errors.js';
import { newFailedQueryId } from './gateway-query-ids.js';
import { failedResults } from './query-results.js';

/** The QueryResults Trino itself sends for a query that failed before running. */
export function failedQueryResults(error: GatewayError, id = newFailedQueryId()): object {
  return failedResults(id, `about:blank#${id}`, error);
}

export function errorBody(error: GatewayError): object {
  return { error: { code: error.status, name: error.errorName, message: error.message } };
}

/**
 * Writes `error` as the response, or cuts the connection when the response already started.
 * `queryId` names a FAILED submission (default: a new gateway id).
 */
export function sendError(res: ServerResponse, error: unknown, statementSubmit: boolean, queryId?: string): void {
  const gatewayError = error instanceof GatewayError ? error : new InternalGatewayError();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const asQuery = statementSubmit && gatewayError.failsQuery;
  sendJson(
    res,
    asQuery ? 200 : gatewayError.status,
    asQuery ? failedQueryResults(gatewayError, queryId) : errorBody(gatewayError),
  );
}
