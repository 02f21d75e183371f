// QueryResults documents the gateway writes itself — a queued query's QUEUED page and the FAILED
// page of a query it refused or gave up on — with every field Trino 476 sends on such pages, so
// clients and anything that parses pages cannot tell them from a coordinator's.

export interface TrinoErrorInfo {
  readonly message: string;
  readonly errorCode: number;
  readonly errorName: string;
  readonly errorType: string;
}

function stats(state: 'QUEUED' | 'FAILED', elapsedMs: number) {
  return {
    state,
    queued: state === 'QUEUED',
    scheduled: false,
    nodes: 0,
    totalSplits: 0,
    queuedSplits: 0,
    runningSplits: 0,
    completedSplits: 0,
    planningTimeMillis: 0,
    analysisTimeMillis: 0,
    cpuTimeMillis: 0,
    wallTimeMillis: 0,
    queuedTimeMillis: elapsedMs,
    elapsedTimeMillis: elapsedMs,
    finishingTimeMillis: 0,
    physicalInputTimeMillis: 0,
    processedRows: 0,
    processedBytes: 0,
    physicalInputBytes: 0,
    physicalWrittenBytes: 0,
    internalNetworkInputBytes: 0,
    peakMemoryBytes: 0,
    spilledBytes: 0,
  };
}

/** A page of a query still waiting in the gateway's queue; `nextUri` polls the gateway again. */
export function queuedResults(id: string, infoUri: string, nextUri: string, elapsedMs: number): object {
  return { id, infoUri, nextUri, stats: stats('QUEUED', elapsedMs), warnings: [] };
}

/** The last page of a query the gateway failed: no nextUri, a Trino-shaped error. */
export function failedResults(id: string, infoUri: string, error: TrinoErrorInfo, elapsedMs = 0): object {
  return {
    id,
    infoUri,
    stats: stats('FAILED', elapsedMs),
    error: {
      message: error.message,
      errorCode: error.errorCode,
      errorName: error.errorName,
      errorType: error.errorType,
      failureInfo: {
        type: 'io.trino.gateway.QueryManagementException',
        message: error.message,
        suppressed: [],
        stack: [],
        errorInfo: { code: error.errorCode, name: error.errorName, type: error.errorType },
      },
    },
    warnings: [],
  };
}
