// The whole path: Trino Gateway backends (pointing at simulated coordinators) and the example
// rules, converted by the built CLI, served by a Junction proxy; each query must land on a
// backend of the group Trino Gateway would have chosen (its default group's when that group
// has no active backend), never on the inactive one.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { RunningProxy } from '../../../proxy/src/app.js';
import { SimTrino } from '../../../test/fixtures/sim-trino.js';
import { gatewayRoute } from '../../../test/harness/mvel-oracle.js';
import { REPO_ROOT, startInProcess, Workspace } from '../../../test/harness/proxy.js';
import { submit } from '../../../test/harness/trino-http.js';

const BACKENDS = [
  { name: 'adhoc-1', routingGroup: 'adhoc', active: true },
  { name: 'adhoc-2', routingGroup: 'adhoc', active: false },
  { name: 'etl-1', routingGroup: 'etl', active: true },
  { name: 'etl-2', routingGroup: 'etl', active: true },
  { name: 'bi-1', routingGroup: 'bi', active: true },
];
const RULES = join(REPO_ROOT, 'examples/trino-gateway/routing-rules.yaml');

let sims: Map<string, SimTrino>;
let workspace: Workspace;
let proxy: RunningProxy;

beforeAll(async () => {
  sims = new Map(
    await Promise.all(BACKENDS.map(async (b) => [b.name, await SimTrino.start({ name: b.name })] as const)),
  );
  workspace = new Workspace();
  const backends = join(workspace.dir, 'backends.json');
  const exported = BACKENDS.map((b) => ({ ...b, proxyTo: sims.get(b.name)?.url, externalUrl: sims.get(b.name)?.url }));
  writeFileSync(backends, JSON.stringify(exported));
  const main = join(REPO_ROOT, 'operator/dist/migrate/main.js');
  const args = [main, 'backends', backends, '--rules', RULES, '--out', workspace.resourcesFile];
  const converted = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (converted.status !== 0) throw new Error(`junction-migrate failed:\n${converted.stderr}`);
  const base = workspace.config();
  proxy = await startInProcess({ ...base, routing: { honorRoutingGroupHeader: false } });
  await proxy.health.firstRound;
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([...(sims?.values() ?? [])].map((sim) => sim.close()));
  workspace?.remove();
});

/** The backends Trino Gateway would pick from for a group: its active ones, else the default group's. */
function candidates(group: string): string[] {
  const active = (g: string) => BACKENDS.filter((b) => b.routingGroup === g && b.active).map((b) => b.name);
  return active(group).length > 0 ? active(group) : active('adhoc');
}

test.each<Record<string, string>>([
  {},
  { 'X-Trino-Source': 'airflow' },
  { 'X-Trino-Source': 'airflow', 'X-Trino-Client-Tags': 'backfill' },
  { 'X-Trino-Source': 'airflow', 'X-Trino-Client-Tags': 'backfill,interactive' },
  { 'X-Trino-Source': 'superset-4', 'X-Trino-User': 'finance-bot' },
  { 'X-Trino-Source': 'Superset' },
  { 'X-Trino-Source': 'jupyter-3' },
  // With its rules engine on, Trino Gateway ignores the routing-group header; so does this proxy.
  { 'X-Trino-Source': 'cli', 'X-Trino-Routing-Group': 'etl' },
])('%j lands where Trino Gateway would send it', async (headers) => {
  // Lower-case names, so that they replace the x-trino-user that submit() sends by default.
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const sent = { 'x-trino-user': 'tester', ...lower };
  const group = gatewayRoute(readFileSync(RULES, 'utf8'), { headers: sent });
  const expected = candidates(group);
  for (let i = 0; i < 3; i++) {
    const answer = await submit(proxy.url, 'SELECT 1', sent);
    expect(answer.status).toBe(200);
    const owner = [...sims].find(([, sim]) => sim.queryIds().includes(answer.body.id))?.[0];
    expect({ group, owner: expected.includes(owner as string) ? 'expected' : owner }).toEqual({
      group,
      owner: 'expected',
    });
  }
});
