#!/usr/bin/env node
// Measures SQL facts (proxy/src/sql) from the built output: import and first-use cost, parse times by
// statement size, the whole corpus cold and warm; optionally node-sql-parser's Trino dialect beside it.
//
//   npm run build && node bench/sql-facts.mjs [--iterations 200] [--node-sql-parser <path to its build/trino.js>]
//
// First-use figures come from fresh child processes (one per sample), so nothing is cached between them.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const factsUrl = pathToFileURL(`${root}proxy/dist/sql/facts.js`).href;
const grammarUrl = pathToFileURL(`${root}proxy/dist/sql/grammar.js`).href;
const parseUrl = pathToFileURL(`${root}proxy/dist/sql/parse.js`).href;
const corpusUrl = pathToFileURL(`${root}proxy/dist/sql/corpus/corpus.js`).href;
const corpusDir = `${root}proxy/src/sql/corpus`;
const unlimited = { maxBytes: 1 << 30, timeBudgetMs: 1e9 };

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200' },
    'node-sql-parser': { type: 'string' },
    child: { type: 'string' },
    samples: { type: 'string', default: '5' },
  },
});

if (args.child) {
  await child(args.child);
  process.exit(0);
}

const iterations = Number(args.iterations);
const { readCorpus } = await import(corpusUrl);
const corpus = readCorpus(corpusDir);
const parsedCases = corpus.filter((c) => c.expected.error === undefined);
const byName = (suffix) => corpus.find((c) => c.name.endsWith(suffix)).sql;

const workloads = {
  short: 'SELECT * FROM tpch.tiny.nation',
  'tpch-q02': byName('tpch-q02 minimum cost supplier'),
  'tpcds-q14a': byName('tpcds-q14a'),
  'in-list 100 KB': inList(100 * 1024),
  'union 100 KB': unionOf(
    parsedCases.map((c) => c.sql).filter((s) => s.startsWith('select')),
    100 * 1024,
  ),
};

console.log(
  `SQL facts benchmark: Node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ` +
    `load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}, ${iterations} iterations per warm figure.\n`,
);

// 1. Start-up and first use, each sample in fresh processes: one that parses the corpus on a cold
// cache, one that warms up first (prepareSqlParser) and then parses it.
const samples = Number(args.samples);
const runs = Array.from({ length: samples }, () => ({
  ...JSON.parse(runChild('q14-cold')),
  ...JSON.parse(runChild('corpus-cold')),
  ...JSON.parse(runChild('warm-up')),
}));
const med = (key) => median(runs.map((r) => r[key]));
console.log('First use (fresh processes, median of %d):', samples);
console.log(`  import facts.js (no antlr4ng, no grammar)  ${ms(med('importMs'))}`);
console.log(`  load antlr4ng and the grammar (ATN too)    ${ms(med('loadMs'))}`);
console.log(`  warm-up statements                         ${ms(med('warmUpMs'))}`);
console.log(`  heap after warm-up                         ${mb(med('heapBytes'))}`);
console.log(`  first TPC-DS q14a, no warm-up              ${ms(med('q14NoWarmUp'))}`);
console.log(`  first TPC-DS q14a, after warm-up           ${ms(med('q14AfterWarmUp'))}`);
for (const [label, key] of [
  ['after warm-up', 'corpusAfterWarmUp'],
  ['no warm-up   ', 'corpusNoWarmUp'],
]) {
  const all = runs.map((r) => r[key]);
  const stat = (f) => median(all.map(f));
  console.log(
    `  corpus in order, first parse, ${label}: median ${ms(stat(median))}, p90 ${ms(stat((t) => pct(t, 0.9)))}, ` +
      `max ${ms(stat((t) => Math.max(...t)))}, over 50 ms: ${stat((t) => t.filter((x) => x > 50).length)} of ${parsedCases.length}`,
  );
}

// 2. Warm figures in this process.
const { analyseSql, prepareSqlParser } = await import(factsUrl);
prepareSqlParser();
for (let round = 0; round < 3; round++) for (const c of parsedCases) analyseSql(c.sql, c.session, unlimited);
console.log('\nWarm parse + facts (dt-sql-parser Trino grammar):');
console.log('  workload            bytes     median       p99        max');
for (const [name, sql] of Object.entries(workloads)) {
  const times = timed(
    () => analyseSql(sql, {}, unlimited),
    name.includes('100 KB') ? Math.max(5, iterations / 20) : iterations,
  );
  console.log(
    `  ${name.padEnd(16)} ${String(Buffer.byteLength(sql)).padStart(8)} ${ms(median(times))} ${ms(pct(times, 0.99))} ${ms(Math.max(...times))}`,
  );
}

const perCase = parsedCases.map((c) => median(timed(() => analyseSql(c.sql, c.session, unlimited), 20)));
console.log(
  `  corpus (${parsedCases.length} statements, median of 20 each): median ${ms(median(perCase))}, ` +
    `p99 ${ms(pct(perCase, 0.99))}, max ${ms(Math.max(...perCase))}`,
);

console.log('\nSize scaling (UNION ALL of corpus SELECTs, warm; min is the least disturbed by other load):');
for (const kb of [4, 8, 16, 32, 64, 128]) {
  const sql = unionOf(
    parsedCases.map((c) => c.sql).filter((s) => s.startsWith('select')),
    kb * 1024,
  );
  const times = timed(() => analyseSql(sql, {}, unlimited), kb > 32 ? 7 : 21);
  const best = Math.min(...times);
  console.log(
    `  ${String(kb).padStart(4)} KB  min ${ms(best)} (${(kb / best).toFixed(2)} KB/ms)  median ${ms(median(times))}`,
  );
}
// antlr's prediction cache only grows; how far is worth knowing (run node with --expose-gc for the heap).
const { trinoGrammar } = await import(grammarUrl);
const grammar = trinoGrammar();
const { CharStreams, CommonTokenStream } = grammar.antlr;
const probe = grammar.createParser(new CommonTokenStream(grammar.createLexer(CharStreams.fromString(''))));
const dfaStates = probe.interpreter.decisionToDFA.reduce((n, dfa) => n + dfa.states.length, 0);
globalThis.gc?.();
console.log(
  `  after all of the above: ${dfaStates} prediction DFA states` +
    (globalThis.gc ? `, heap ${mb(process.memoryUsage().heapUsed)} after GC` : ''),
);

// 3. The alternative, when given: node-sql-parser's "trino" dialect.
if (args['node-sql-parser']) await compareNodeSqlParser(args['node-sql-parser']);

function runChild(mode) {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`child ${mode} failed: ${result.stderr}`);
  return result.stdout;
}

async function child(mode) {
  const { readCorpus: read } = await import(corpusUrl);
  const cases = read(corpusDir).filter((c) => c.expected.error === undefined);
  const q14 = cases.find((c) => c.name.endsWith('tpcds-q14a')).sql;
  const time = (fn) => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  const started = performance.now();
  const facts = await import(factsUrl);
  const importMs = performance.now() - started;
  if (mode === 'q14-cold' || mode === 'corpus-cold') {
    // The grammar without prepareSqlParser's warm-up: what the first statements would cost without it.
    const { trinoGrammar } = await import(grammarUrl);
    const { parseStatement } = await import(parseUrl);
    const grammar = trinoGrammar();
    const parse = (sql) => parseStatement(grammar, sql, Number.POSITIVE_INFINITY, 0);
    if (mode === 'q14-cold') {
      process.stdout.write(JSON.stringify({ importMs, loadMs: grammar.loadMs, q14NoWarmUp: time(() => parse(q14)) }));
    } else {
      process.stdout.write(JSON.stringify({ corpusNoWarmUp: cases.map((c) => time(() => parse(c.sql))) }));
    }
  } else if (mode === 'warm-up') {
    const { warmUpMs } = facts.prepareSqlParser();
    const heapBytes = process.memoryUsage().heapUsed;
    const q14AfterWarmUp = time(() => facts.analyseSql(q14, {}, unlimited));
    const corpusAfterWarmUp = cases.map((c) => time(() => facts.analyseSql(c.sql, c.session, unlimited)));
    process.stdout.write(JSON.stringify({ warmUpMs, heapBytes, q14AfterWarmUp, corpusAfterWarmUp }));
  } else {
    throw new Error(`unknown child mode ${mode}`);
  }
}

async function compareNodeSqlParser(path) {
  let started = performance.now();
  const module = await import(pathToFileURL(path).href);
  const Parser = module.Parser ?? module.default?.Parser;
  const loadMs = performance.now() - started;
  const parser = new Parser();
  const opt = { database: 'trino' };
  const failures = parsedCases.filter((c) => {
    try {
      parser.tableList(c.sql, opt);
      return false;
    } catch {
      return true;
    }
  });
  console.log(`\nnode-sql-parser (${path}), "trino" dialect:`);
  console.log(
    `  import ${ms(loadMs)}; parses ${parsedCases.length - failures.length} of ${parsedCases.length} corpus statements`,
  );
  const count = (key) => {
    const counts = new Map();
    for (const f of failures) counts.set(key(f), (counts.get(key(f)) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
  };
  const firstWord = (c) =>
    c.sql
      .replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '')
      .split(/[\s(]/, 1)[0]
      .toUpperCase();
  console.log(`  fails, by corpus file: ${count((c) => c.name.split(':')[0])}`);
  console.log(`  fails, by first word:  ${count(firstWord)}`);
  for (const [name, sql] of Object.entries(workloads)) {
    let times;
    try {
      parser.tableList(sql, opt);
      started = performance.now();
      times = timed(
        () => parser.tableList(sql, opt),
        name.includes('100 KB') ? Math.max(5, iterations / 20) : iterations,
      );
    } catch {
      console.log(`  ${name.padEnd(16)} does not parse`);
      continue;
    }
    console.log(`  ${name.padEnd(16)} median ${ms(median(times))}, p99 ${ms(pct(times, 0.99))}`);
  }
}

function inList(bytes) {
  const head = 'SELECT * FROM hive.web.clicks WHERE user_id IN (';
  const values = [];
  let size = head.length + 1;
  for (let i = 100000; size < bytes; i++) {
    values.push(String(i));
    size += String(i).length + 2;
  }
  return `${head}${values.join(', ')})`;
}

function unionOf(selects, bytes) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const sql = `(${selects[i % selects.length]})`;
    parts.push(sql);
    size += sql.length + 11;
  }
  return parts.join('\nUNION ALL\n');
}

function timed(fn, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times;
}

function median(values) {
  return pct(values, 0.5);
}

function pct(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function ms(value) {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`.padStart(10);
}

function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
