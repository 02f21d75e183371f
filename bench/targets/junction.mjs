// Junction itself: `node proxy/dist/main.js --config <file>` on a generated config, with in-memory
// state or Redis. Clusters are TrinoCluster resources without health checks (type None) so probes
// never touch the measured path; one RoundRobin default group holds them all, and a second group
// carries `rules` CEL rules that never match, so every submission evaluates all of them (with `sqlRule`,
// one more that reads sql.catalogs, so every submission is parsed too).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnPinned, waitForHttp } from '../lib/procs.mjs';

/** Multi-document YAML (JSON documents) for `clusterCount` clusters spread over `ports`. */
export function junctionResources({ ports, clusterCount = ports.length, rules = 1, sqlRule = false }) {
  const docs = [];
  for (let i = 0; i < clusterCount; i++) {
    docs.push({
      apiVersion: 'junction.dev/v1alpha1',
      kind: 'TrinoCluster',
      metadata: { name: `c${i}`, labels: { pool: 'adhoc' } },
      spec: { url: `http://127.0.0.1:${ports[i % ports.length]}`, healthCheck: { type: 'None' } },
    });
  }
  docs.push({
    apiVersion: 'junction.dev/v1alpha1',
    kind: 'RoutingGroup',
    metadata: { name: 'adhoc' },
    spec: { clusterSelector: { matchLabels: { pool: 'adhoc' } }, default: true, strategy: 'RoundRobin' },
  });
  if (rules > 0 || sqlRule) {
    docs.push({
      apiVersion: 'junction.dev/v1alpha1',
      kind: 'RoutingGroup',
      metadata: { name: 'etl' },
      spec: {
        clusterSelector: { matchLabels: { pool: 'adhoc' } },
        strategy: 'RoundRobin',
        priority: 10,
        rules: [
          ...Array.from({ length: rules }, (_, i) => ({
            name: `rule-${i}`,
            condition: `request.source == "etl-${i}" && request.user != "nobody"`,
          })),
          ...(sqlRule ? [{ name: 'sql-system', condition: '"system" in sql.catalogs' }] : []),
        ],
      },
    });
  }
  return docs.map((doc) => JSON.stringify(doc)).join('\n---\n');
}

/**
 * A Junction target. `options.clusterCount` clusters over `options.ports` (default: the first
 * backend port only), `options.rules` never-matching rules, `options.redis` for shared state,
 * `options.cpuProfile` = {dir, name} to run under `--cpu-prof`.
 */
export function junctionTarget(name, describe, options = {}) {
  return {
    name,
    describe,
    /** The same target with more options (the SQL workloads add a rule on sql.*). */
    variant: (more) => junctionTarget(name, describe, { ...options, ...more }),
    async start(ctx) {
      const ports = options.ports?.(ctx) ?? [ctx.backendPorts[0]];
      const resourcesFile = join(ctx.dir, `${name}-resources.yaml`);
      writeFileSync(
        resourcesFile,
        junctionResources({
          ports,
          clusterCount: options.clusterCount ?? ports.length,
          rules: options.rules ?? 1,
          sqlRule: options.sqlRule ?? false,
        }),
      );
      const config = {
        server: { host: '127.0.0.1', port: 0, drainTimeout: '2s' },
        admin: { host: '127.0.0.1', port: 0 },
        resources: { files: [resourcesFile] },
        logging: { level: 'warn' },
        routing: { defaultRoutingGroup: 'adhoc' },
      };
      if (options.redis) {
        if (ctx.redis === undefined) throw new Error(`${name} needs Redis, which did not start`);
        config.redis = { url: ctx.redis.url, keyPrefix: `bench-${name}:` };
      }
      const configFile = join(ctx.dir, `${name}-gateway.json`);
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      const nodeArgs = [];
      if (options.cpuProfile !== undefined) {
        nodeArgs.push(
          '--cpu-prof',
          '--cpu-prof-dir',
          options.cpuProfile.dir,
          '--cpu-prof-name',
          options.cpuProfile.name,
        );
      }
      const main = join(ctx.repoRoot, 'proxy/dist/main.js');
      const proc = await spawnPinned(name, ctx.core, process.execPath, [...nodeArgs, main, '--config', configFile], {
        ready: (out) => {
          const match = /junction proxy listening on (\S+) \(admin (\S+)\)/.exec(out);
          return match === null ? undefined : { url: match[1], adminUrl: match[2] };
        },
        cwd: ctx.repoRoot,
        timeoutMs: 60_000,
      });
      const { url, adminUrl } = proc.readyValue;
      await waitForHttp(`${adminUrl}/readyz`, 30_000);
      const version = JSON.parse(readFileSync(join(ctx.repoRoot, 'proxy/package.json'), 'utf8')).version;
      return {
        port: Number(new URL(url).port),
        adminUrl,
        pids: () => [proc.pid],
        version: `junction ${version} (${options.redis ? 'redis' : 'memory'})`,
        keyPrefix: config.redis?.keyPrefix,
        stop: () => proc.stop('SIGTERM', 15_000),
      };
    },
  };
}
