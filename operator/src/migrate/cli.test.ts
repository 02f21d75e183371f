// End to end: the built `junction-migrate` run as a child process on the files under
// examples/trino-gateway/. Its output must be valid Junction resources, and the converted rules
// must route sample requests to the group Trino Gateway's MVEL semantics choose.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { buildRegistry, parseResources } from '@junction/shared';
import { gatewayRoute, junctionRoute, type SampleRequest } from '../../../test/harness/mvel-oracle.js';
import { REPO_ROOT } from '../../../test/harness/proxy.js';

const MAIN = join(REPO_ROOT, 'operator/dist/migrate/main.js');
const EXAMPLES = 'examples/trino-gateway';
const example = (file: string) => readFileSync(join(REPO_ROOT, EXAMPLES, file), 'utf8');
let dir: string;

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking, so independent runs can overlap. */
function cliAsync(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: REPO_ROOT }, (error, _stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stderr });
    });
  });
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'junction-migrate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('command line', () => {
  test('--help prints the usage and exits 0', () => {
    const { status, stdout } = cli('--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: junction-migrate rules <rules.yaml> \[options\]/);
    expect(stdout).toContain('--skip-unconvertible');
  });

  test('usage errors exit 2 with the reason and the usage', async () => {
    const cases: [string[], string][] = [
      [[], 'the command must be rules or backends'],
      [['rules'], 'rules takes exactly one input file'],
      [['rules', 'a.yaml', '--strategy', 'Fastest'], '--strategy must be one of LeastLoaded, RoundRobin, Random'],
      [['rules', 'a.yaml', '--rules', 'b.yaml'], '--rules only goes with backends'],
      [['rules', 'a.yaml', '--label', 'bad key'], '--label "bad key" is not a Kubernetes label key'],
      [['rules', 'a.yaml', '--nope'], "Unknown option '--nope'"],
    ];
    const results = await Promise.all(cases.map(([args]) => cliAsync(...args)));
    results.forEach(({ status, stderr }, index) => {
      expect([cases[index]?.[0], status]).toEqual([cases[index]?.[0], 2]);
      expect(stderr).toContain(cases[index]?.[1]);
      expect(stderr).toContain('Usage: junction-migrate');
    });
  });

  test('a file that cannot be read exits 1 with its name', () => {
    const { status, stderr } = cli('rules', join(dir, 'missing.yaml'));
    expect(status).toBe(1);
    expect(stderr).toContain('missing.yaml: ENOENT');
  });
});

describe('the example in docs/migrating-from-trino-gateway.md', () => {
  const args = ['backends', `${EXAMPLES}/backends.json`, '--rules', `${EXAMPLES}/routing-rules.yaml`];

  test('the checked-in converted file is what the converter writes today', () => {
    const { status, stdout, stderr } = cli(...args);
    expect(status).toBe(0);
    expect(stdout).toBe(example('junction-resources.yaml'));
    expect(stderr).toContain('junction-migrate: 5 TrinoCluster(s), 5 RoutingGroup(s) with 6 rule(s) → stdout');
  });

  test('--out writes the same resources, valid for the registry', () => {
    const out = join(dir, 'resources.yaml');
    expect(cli(...args, '--out', out).status).toBe(0);
    const { clusters, groups } = parseResources(readFileSync(out, 'utf8'), out);
    expect(clusters.find((c) => c.metadata.name === 'adhoc-2')?.spec.enabled).toBe(false);
    const registry = buildRegistry({ clusters, groups, defaultRoutingGroup: 'adhoc', generation: 1 });
    expect(registry.problems.filter((p) => p.severity === 'error')).toEqual([]);
    // Trino Gateway sends a group without backends to the default group; so does fallbackGroup.
    expect(registry.groups.get('finance')).toMatchObject({ members: [], fallbackGroup: 'adhoc' });
    expect(registry.groups.get('etl')?.members).toEqual(['etl-1', 'etl-2']);
  });

  const rules = example('routing-rules.yaml');
  const samples: SampleRequest[] = [];
  for (const source of [undefined, 'airflow', 'Superset-3.1', 'superset', 'jupyter-12', 'jupyter-x', 'cli'])
    for (const tags of [undefined, 'backfill', 'interactive,backfill', 'label=x'])
      for (const user of [undefined, 'finance-bot', 'alice']) {
        const headers = { 'X-Trino-Source': source, 'X-Trino-Client-Tags': tags, 'X-Trino-User': user };
        samples.push({
          headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as never,
        });
      }

  test.each([
    [{ 'X-Trino-Source': 'airflow' }, 'etl'],
    [{ 'X-Trino-Source': 'airflow', 'X-Trino-Client-Tags': 'dag=x,backfill' }, 'etl-backfill'],
    [{ 'X-Trino-Source': 'Superset-3.1', 'X-Trino-User': 'finance-bot' }, 'finance'],
    [{ 'X-Trino-Source': 'superset', 'X-Trino-User': 'alice' }, 'bi'],
    [{ 'X-Trino-Source': 'jupyter-7' }, 'bi'],
    [{ 'X-Trino-Source': 'airflow', 'X-Trino-Client-Tags': 'backfill,interactive' }, 'adhoc'],
    [{ 'X-Trino-Source': 'trino-cli' }, 'adhoc'],
  ])('%j goes to %s in both gateways', (headers, group) => {
    const output = example('junction-resources.yaml');
    expect(gatewayRoute(rules, { headers })).toBe(group);
    expect(junctionRoute(output, { headers })).toBe(group);
  });

  test(`${samples.length} combinations of source, tags and user route the same`, () => {
    const output = example('junction-resources.yaml');
    for (const sample of samples)
      expect([sample, junctionRoute(output, sample)]).toEqual([sample, gatewayRoute(rules, sample)]);
  });

  test('rules on the SQL facts convert to sql.* and route the same on sample facts', () => {
    const { status, stdout, stderr } = cli('rules', `${EXAMPLES}/query-rules.yaml`);
    expect(status).toBe(0);
    expect(stdout).toContain('condition: \'"hive.web.page_views" in sql.tables\'');
    expect(stdout).toContain('condition: sql.statement == "Insert" || sql.statement == "CreateTableAsSelect"');
    expect(stderr).toContain('rules that read sql.* need the SQL facts of the statement: Junction parses it');
    const queryRules = example('query-rules.yaml');
    const facts = [
      {
        statement: 'Query',
        queryType: 'SELECT',
        catalogs: ['system'],
        schemas: ['system.runtime'],
        tables: ['system.runtime.nodes'],
      },
      {
        statement: 'Insert',
        queryType: 'INSERT',
        catalogs: ['system', 'hive'],
        schemas: ['hive.web'],
        tables: ['hive.web.page_views'],
      },
      { statement: 'CreateTableAsSelect', queryType: 'INSERT', catalogs: ['system'], schemas: [], tables: [] },
      { statement: 'CreateSchema', queryType: 'DATA_DEFINITION', catalogs: ['hive'], schemas: ['hive.x'], tables: [] },
      {
        statement: 'Query',
        queryType: 'SELECT',
        catalogs: ['hive'],
        schemas: ['hive.web'],
        tables: ['hive.web.clicks'],
      },
      { statement: '', queryType: '', catalogs: [], schemas: [], tables: [], error: 'line 1:1: mismatched input' },
    ];
    const expected = ['system', 'large', 'etl', 'etl', 'adhoc', 'adhoc'];
    expect(facts.map((sql) => gatewayRoute(queryRules, { sql }))).toEqual(expected);
    expect(facts.map((sql) => junctionRoute(stdout, { sql }))).toEqual(expected);
  });
});

describe('what cannot be converted', () => {
  const rules = `---
name: ok
condition: 'request.getHeader("X-Trino-Source") == "airflow"'
actions: ['result.put("routingGroup", "etl")']
---
name: by state
condition: 'state.get("seen") != null'
actions: ['result.put("routingGroup", "etl")']
`;

  test('is printed as file:line with the reason, nothing is written and the exit status is 1', () => {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, rules);
    const { status, stdout, stderr } = cli('rules', file);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `not convertible: ${file}:7: rule "by state": state passes values from one rule to the next`,
    );
    expect(stderr).toContain('nothing written; fix the rules above or pass --skip-unconvertible');
  });

  test('--skip-unconvertible writes the rest, lists what it skipped and exits 0', () => {
    const file = join(dir, 'rules.yaml');
    const out = join(dir, 'skipped.yaml');
    writeFileSync(file, rules);
    const { status, stderr } = cli('rules', file, '--skip-unconvertible', '-o', out);
    expect(status).toBe(0);
    expect(stderr).toContain(`skipped: ${file}:7: rule "by state"`);
    const written = readFileSync(out, 'utf8');
    expect(written).toContain(`#   ${file}:7: rule "by state"`);
    expect(parseResources(written, out).groups.map((g) => g.metadata.name)).toEqual(['etl', 'adhoc']);
  });

  test("Trino Gateway's config.yaml as backends input: exit 1 and where the backends are", () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'serverConfig:\n  http-server.http.port: 8080\nrouting:\n  defaultRoutingGroup: adhoc\n');
    const { status, stderr } = cli('backends', file, '--skip-unconvertible');
    expect(status).toBe(1);
    expect(stderr).toContain('holds no backends: Trino Gateway keeps them in its database');
  });
});
