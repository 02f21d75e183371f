#!/usr/bin/env node
// Command-line entry point: `node operator/dist/main.js --config operator.yaml`.
import { parseArgs } from 'node:util';
import { ConfigError, loadOperatorConfig } from '@junction/shared';
import { startOperator } from './operator.js';

const USAGE = `Usage: junction-operator --config <operator.yaml>

Runs the Junction operator: watches TrinoCluster and RoutingGroup resources in one namespace,
probes every cluster, publishes the registry and health to Redis for the proxies, and keeps
the resources' .status current. Replicas elect one leader through a Lease; only it writes.

Options:
  -c, --config <file>   operator configuration (YAML; \${ENV:NAME} is substituted)
  -h, --help            show this help

The config names the namespace (kubernetes.namespace; kubernetes.kubeconfig, else the in-cluster
service account), Redis (redis.url, redis.keyPrefix — the proxies' prefix), leader election
(leaderElection: leaseName, identity, 15 s / 10 s / 2 s), probe concurrency and the admin port
(admin: /livez /readyz /metrics). SIGTERM or SIGINT releases the Lease and exits 0.
`;

async function main(): Promise<number> {
  let values: { config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.config === undefined) {
    process.stderr.write(`--config is required\n\n${USAGE}`);
    return 2;
  }
  let operator: Awaited<ReturnType<typeof startOperator>>;
  try {
    operator = await startOperator(loadOperatorConfig(values.config));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`junction-operator: invalid configuration:\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  process.stdout.write(`junction operator ${operator.identity} started (admin ${operator.adminUrl})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await operator.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`junction-operator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
