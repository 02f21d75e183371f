// Load for a chaos scenario: `concurrency` retrying clients run queries back to back; the fault is
// pulled once enough queries have finished (a condition, not a clock), and the run ends once as many
// again have finished after the fault was over. The result is one table row.
import { Agent } from 'undici';
import { expectedRows } from '../fixtures/sim-trino.js';
import { type QueryResult, RetryingClient } from './retrying-client.js';
import { CLUSTERS } from './rig.js';

export interface LoadOptions {
  readonly replicas: readonly string[];
  readonly concurrency: number;
  /** Pulled after `concurrency` queries have finished; the run goes on while it runs. */
  readonly fault: () => Promise<void>;
  readonly retryDeadlineMs: number;
}

export interface ScenarioRow {
  readonly scenario: string;
  readonly started: number;
  readonly finished: number;
  readonly failed: number;
  readonly lost: number;
  readonly longestStallMs: number;
  readonly retries: number;
  /** Up to five distinct reasons for failed and lost queries. */
  readonly reasons: { failed: string[]; lost: string[] };
}

const PAGES = 4;
const SQL = (n: number) => `SELECT ${n} -- sim:pages=${PAGES} sim:pageDelayMs=40`;
const expected = CLUSTERS.map((cluster) => JSON.stringify(expectedRows(cluster, PAGES)));
const rowsOk = (rows: unknown[][]) => expected.includes(JSON.stringify(rows));

export async function runLoad(scenario: string, options: LoadOptions): Promise<ScenarioRow> {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const results: QueryResult[] = [];
  let started = 0;
  let finishedBeforeFault = -1;
  let faultOver = false;
  let finishedAfterFault = 0;
  let faultError: unknown;
  let pulled: Promise<void> | undefined;
  const enough = () => faultOver && finishedAfterFault >= options.concurrency;

  const worker = async (index: number) => {
    const client = new RetryingClient({
      replicas: options.replicas,
      first: index,
      retryDeadlineMs: options.retryDeadlineMs,
      rowsOk,
      dispatcher,
    });
    while (!enough() && faultError === undefined) {
      started += 1;
      const result = await client.run(SQL(started), `user-${index % 7}`);
      results.push(result);
      if (faultOver) finishedAfterFault += 1;
      if (pulled === undefined && results.length >= options.concurrency) {
        finishedBeforeFault = results.length;
        pulled = options.fault().then(
          () => {
            faultOver = true;
          },
          (error: unknown) => {
            faultError = error;
          },
        );
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
    await pulled;
  } finally {
    await dispatcher.close();
  }
  if (faultError !== undefined) throw faultError;
  if (finishedBeforeFault < 0) throw new Error(`${scenario}: the fault was never pulled`);
  const count = (outcome: QueryResult['outcome']) => results.filter((result) => result.outcome === outcome);
  const reasons = (outcome: QueryResult['outcome']) => [...new Set(count(outcome).map((r) => r.detail))].slice(0, 5);
  return {
    scenario,
    started,
    finished: count('finished').length,
    failed: count('failed').length,
    lost: count('lost').length,
    longestStallMs: Math.max(0, ...results.map((result) => result.longestStallMs)),
    retries: results.reduce((sum, result) => sum + result.retries, 0),
    reasons: { failed: reasons('failed'), lost: reasons('lost') },
  };
}

export function markdownTable(rows: readonly ScenarioRow[]): string {
  const lines = [
    '| scenario | started | finished | failed | lost | longest stall | client retries |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${row.started} | ${row.finished} | ${row.failed} | ${row.lost} | ${(row.longestStallMs / 1000).toFixed(2)} s | ${row.retries} |`,
    );
  }
  return lines.join('\n');
}
