// QueryResults pages as a client walks them, sorted into the phases of the statement protocol, and the
// per-phase shapes (json-shape.ts) that hold the simulated backends to what real Trino sends.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { MISSING, type Shape, shapeDifferences, shapeOf, shapeOfAll } from './json-shape.js';

/**
 * The phases a page can be in. `waiting` is an executing page without rows (STARTING, RUNNING between
 * batches, FINISHED before the last page); a row-count statement (INSERT, CREATE TABLE AS) answers with
 * `update-*` pages, other DDL (CREATE TABLE, DROP TABLE) only with one `ddl-finished` page.
 */
export const PHASES = [
  'queued',
  'waiting',
  'running',
  'finished',
  'failed',
  'update-running',
  'update-finished',
  'ddl-finished',
] as const;

export type Phase = (typeof PHASES)[number];

export interface Page {
  /** The statement the page belongs to, and the URI it was fetched from (POST /v1/statement for the first). */
  sql: string;
  uri: string;
  /** Size of the body as sent. */
  bytes: number;
  body: Record<string, unknown>;
}

export type PhaseShapes = Partial<Record<Phase, Shape>>;

export function phaseOf(body: Record<string, unknown>): Phase {
  const state = (body['stats'] as { state?: unknown } | undefined)?.state;
  if (state === 'FAILED') return 'failed';
  if (state === 'QUEUED') return 'queued';
  const update = body['updateType'] !== undefined;
  const counted = body['updateCount'] !== undefined;
  if (body['nextUri'] === undefined) return !update ? 'finished' : counted ? 'update-finished' : 'ddl-finished';
  if (body['data'] === undefined) return 'waiting';
  return update ? 'update-running' : 'running';
}

/** POSTs `sql` and follows nextUri to the end, as a client does; `onPage` may act between pages (cancel). */
export async function followStatement(
  baseUrl: string,
  sql: string,
  options: { headers?: Record<string, string>; onPage?: (page: Page, index: number) => Promise<void> } = {},
): Promise<Page[]> {
  const headers = { 'x-trino-user': 'shapes', 'x-trino-source': 'junction-shapes', ...options.headers };
  const pages: Page[] = [];
  let uri = `${baseUrl}/v1/statement`;
  let response = await request(uri, { method: 'POST', headers, body: sql });
  for (let index = 0; ; index++) {
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${uri} answered ${response.statusCode}: ${text.slice(0, 300)}`);
    const page: Page = { sql, uri, bytes: Buffer.byteLength(text), body: JSON.parse(text) };
    pages.push(page);
    await options.onPage?.(page, index);
    const next = page.body['nextUri'];
    if (typeof next !== 'string') return pages;
    if (index > 10_000) throw new Error(`${sql}: more than 10000 pages`);
    uri = next;
    response = await request(uri, { headers });
  }
}

/**
 * Fields whose presence on a page depends on timing, not on the phase, so a recording may or may not
 * have caught them: they are optional wherever Trino can send them, seen or not. Trino adds the progress
 * percentages once it has counted the splits (OptionalDouble in StatementStats), from the first page
 * after queued on; and partialCancelUri only while the output stage still runs, so a page of rows
 * built just as the query finished has none.
 */
const TIMING_DEPENDENT: { phases: Phase[]; within: 'page' | 'stats'; after: string; fields: Record<string, Shape> }[] =
  [
    {
      phases: PHASES.filter((phase) => phase !== 'queued'),
      within: 'stats',
      after: 'scheduled',
      fields: { progressPercentage: 'number', runningPercentage: 'number' },
    },
    {
      phases: ['waiting', 'running', 'update-running'],
      within: 'page',
      after: 'infoUri',
      fields: { partialCancelUri: 'string' },
    },
  ];

/** One shape per phase, merged over every page of that phase. */
export function shapesByPhase(pages: Page[]): PhaseShapes {
  const shapes: PhaseShapes = {};
  for (const phase of PHASES) {
    let shape = shapeOfAll(pages.filter((page) => phaseOf(page.body) === phase).map((page) => page.body));
    if (shape === undefined) continue;
    for (const rule of TIMING_DEPENDENT.filter((rule) => rule.phases.includes(phase))) {
      const page = asObject(shape);
      shape =
        rule.within === 'page' ? optional(page, rule) : { ...page, stats: optional(asObject(page['stats']), rule) };
    }
    shapes[phase] = shape;
  }
  return shapes;
}

function asObject(shape: Shape | undefined): { [key: string]: Shape } {
  if (typeof shape === 'object' && !Array.isArray(shape)) return shape;
  throw new Error(`expected the shape of an object, not ${JSON.stringify(shape)}`);
}

/** `shape` with `fields` optional, right after `after` (where Trino puts them) when they were never seen. */
function optional(
  shape: { [key: string]: Shape },
  { after, fields }: { after: string; fields: Record<string, Shape> },
) {
  const result: { [key: string]: Shape } = {};
  for (const [key, field] of Object.entries(shape)) {
    const name = key.replace(/\?$/, '');
    if (!(name in fields)) result[key] = field;
    if (name !== after) continue;
    for (const [added, type] of Object.entries(fields))
      result[`${added}?`] = shape[added] ?? shape[`${added}?`] ?? type;
  }
  return result;
}

/**
 * Every way the pages depart from the recorded shapes of their phases; empty when all conform. With
 * `onlyUnknown`, a field the recording always saw but a page lacks is not a difference: what is left
 * are fields and JSON types the recording never saw.
 */
export function pageDifferences(recorded: PhaseShapes, pages: Page[], { onlyUnknown = false } = {}): string[] {
  const differences: string[] = [];
  for (const page of pages) {
    const phase = phaseOf(page.body);
    const where = `${phase} page of ${JSON.stringify(page.sql.slice(0, 60))} (${page.uri.replace(/^https?:\/\/[^/]+/, '')})`;
    const expected = recorded[phase];
    if (expected === undefined) {
      differences.push(`${where}: no ${phase} page was recorded from Trino`);
      continue;
    }
    for (const line of shapeDifferences(expected, shapeOf(page.body))) {
      if (!(onlyUnknown && line.endsWith(MISSING))) differences.push(`${where}: ${line}`);
    }
  }
  return differences;
}

/** The phases the pages cover, in protocol order. */
export function phasesOf(pages: Page[]): Phase[] {
  const seen = new Set(pages.map((page) => phaseOf(page.body)));
  return PHASES.filter((phase) => seen.has(phase));
}

/** Shapes recorded from real Trino by test/trino/real-trino.test.ts (UPDATE_TRINO_SHAPES=1 rewrites it). */
const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const SHAPES_FILE = join(REPO_ROOT, 'test/fixtures/trino-476-shapes.json');

export interface ShapesFile {
  trino: string;
  about: string;
  /** The statements whose pages were recorded (which phases each went through varies between runs). */
  statements: string[];
  phases: PhaseShapes;
}

export function readShapesFile(): ShapesFile {
  return JSON.parse(readFileSync(SHAPES_FILE, 'utf8')) as ShapesFile;
}

export function writeShapesFile(trino: string, pages: Page[]): void {
  const statements = [...new Set(pages.map((page) => page.sql))];
  const file: ShapesFile = {
    trino,
    about:
      'Shapes (keys and JSON types, values ignored; "key?" = sometimes omitted) of the QueryResults pages real ' +
      'Trino answered these statements with, merged per protocol phase. Checked against the simulated backends ' +
      'by test/fixtures/trino-shapes.test.ts. Regenerate: UPDATE_TRINO_SHAPES=1 npm test -- test/trino',
    statements,
    phases: shapesByPhase(pages),
  };
  writeFileSync(SHAPES_FILE, `${JSON.stringify(file, null, 2)}\n`);
  // As `npm run format` would lay it out, so the rewritten file passes `npm run lint` as it is.
  execFileSync(join(REPO_ROOT, 'node_modules/.bin/biome'), ['format', '--write', SHAPES_FILE], { stdio: 'ignore' });
}
