#!/usr/bin/env node
// Command-line entry point: `node proxy/dist/main.js --config gateway.yaml`.
import { parseArgs } from 'node:util';
import { ConfigError, loadGatewayConfig } from '@junction/shared';
import { startProxy } from './app.js';

const USAGE = `Usage: junction-proxy --config <gateway.yaml>

Runs the Junction proxy: one URL for every Trino client in front of many Trino clusters.

Options:
  -c, --config <file>   gateway configuration (YAML; \${ENV:NAME} is substituted)
  -h, --help            show this help

The config names the Trino port (server), the admin port (admin: /livez /readyz /metrics
/api/v1/clusters /api/v1/groups), optional shared state (redis), the TrinoCluster/RoutingGroup
manifest files (resources.files, watched for edits) and routing settings. See README.md.
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
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    proxy = await startProxy(loadGatewayConfig(values.config));
    process.stdout.write(`junction proxy listening on ${proxy.url} (admin ${proxy.adminUrl})\n`);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`junction-proxy: invalid configuration:\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await proxy.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`junction-proxy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
