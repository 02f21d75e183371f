// Every kind of page the two simulated backends send — test/fixtures' SimTrino and bench/backend.mjs
// (started as a child process, as the benchmark runs it) — collected for the shape check against real
// Trino (test/fixtures/trino-shapes.test.ts, and test/trino/real-trino.test.ts against a live server).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { SimTrino } from '../fixtures/sim-trino.js';
import { followStatement, type Page } from './trino-pages.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const USER = { 'x-trino-user': 'shapes' };

/** Statements SimTrino runs to completion: rows, a failure, and each kind of update it knows. */
export const SIM_STATEMENTS = [
  'SELECT n, label, cluster FROM sim -- sim:pages=2',
  'SELECT 1 -- sim:fail',
  'CREATE TABLE memory.default.sim_t AS SELECT n FROM sim',
  'INSERT INTO memory.default.sim_t VALUES (1)',
  'CREATE TABLE memory.default.sim_u (x bigint)',
  'DROP TABLE memory.default.sim_u',
];

async function deleteUri(uri: unknown): Promise<void> {
  const response = await request(String(uri), { method: 'DELETE', headers: USER });
  await response.body.dump();
}

/** SimTrino's pages: SIM_STATEMENTS, plus a query cancelled while queued and one cancelled while running. */
export async function simTrinoPages(): Promise<Page[]> {
  const sim = await SimTrino.start({ name: 'shapes' });
  try {
    const pages: Page[] = [];
    for (const sql of SIM_STATEMENTS) pages.push(...(await followStatement(sim.url, sql)));
    // Cancelled on the first answer (still queued), and after the first page of rows.
    const cancelAt = async (sql: string, at: number) =>
      followStatement(sim.url, sql, {
        onPage: async (page, index) => (index === at ? deleteUri(page.body['nextUri']) : undefined),
      });
    pages.push(...(await cancelAt('SELECT 1 -- cancelled while queued', 0)));
    pages.push(...(await cancelAt('SELECT 1 -- cancelled while running', 2)));
    return pages;
  } finally {
    await sim.close();
  }
}

export interface BenchBackend {
  url: string;
  stop(): Promise<void>;
}

/** `node bench/backend.mjs --clusters 1`, ready once it printed its ports. */
export async function startBenchBackend(): Promise<BenchBackend> {
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'bench/backend.mjs'), '--clusters', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ports = await new Promise<number[]>((done, fail) => {
    child.once('exit', (code) => fail(new Error(`bench/backend.mjs exited with ${code} before printing its ports`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) done((JSON.parse(output) as { ports: number[] }).ports);
    });
  });
  return {
    url: `http://127.0.0.1:${ports[0]}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The stream workload's page sizes (bench/lib/workloads.mjs), and a few odd ones. */
export const BENCH_STREAM_SIZES = [1, 2, 4, 8].map((mb) => mb * 1024 * 1024).concat([1_000_003, 4096]);

async function get(sql: string, uri: string): Promise<Page> {
  const response = await request(uri, { headers: USER });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${uri} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  return { sql, uri, bytes: Buffer.byteLength(text), body: JSON.parse(text) };
}

/**
 * bench/backend.mjs's pages, by the paths the workloads use: the submit answer, a queued poll, an
 * executing poll, and stream pages of BENCH_STREAM_SIZES. Its queries never finish (poll needs that).
 */
export async function benchBackendPages(url: string): Promise<Page[]> {
  const sql = 'SELECT count(*) FROM tpch.tiny.lineitem';
  const submitted = await request(`${url}/v1/statement`, { method: 'POST', headers: USER, body: sql });
  const text = await submitted.body.text();
  const first: Page = { sql, uri: `${url}/v1/statement`, bytes: Buffer.byteLength(text), body: JSON.parse(text) };
  const queuedUri = String(first.body['nextUri']);
  const [id, slug] = new URL(queuedUri).pathname.split('/').slice(4, 6) as [string, string];
  const pages = [first, await get(sql, queuedUri)];
  pages.push(await get(sql, `${url}/v1/statement/executing/${id}/${slug}/1`));
  for (const size of BENCH_STREAM_SIZES) {
    pages.push(await get(`stream page of ${size} bytes`, `${url}/v1/statement/executing/${id}/big${size}/1`));
  }
  return pages;
}
