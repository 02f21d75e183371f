#!/usr/bin/env node
// Command-line entry point: `node proxy/dist/main.js --config gateway.yaml`.
import { exitWith, loadGatewayConfig, runCli } from '@junction/shared';
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

exitWith(
  'junction-proxy',
  runCli({
    name: 'junction-proxy',
    usage: USAGE,
    start: (file) => startProxy(loadGatewayConfig(file)),
    started: (proxy) => `junction proxy listening on ${proxy.url} (admin ${proxy.adminUrl})`,
  }),
);
