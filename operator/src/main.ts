#!/usr/bin/env node
// Command-line entry point: `node operator/dist/main.js --config operator.yaml`.
import { exitWith, loadOperatorConfig, runCli } from '@junction/shared';
import { startOperator } from './operator.js';

const USAGE = `Usage: junction-operator --config <operator.yaml>

Runs the Junction operator: watches TrinoCluster and RoutingGroup resources in one namespace,
probes every cluster, publishes the registry and health to Redis for the proxies, and keeps
the resources' .status current. Replicas elect one leader through a Lease; only it writes.

Options:
  -c, --config <file>   operator configuration (YAML; \${ENV:NAME} is substituted)
  -h, --help            show this help

The config names the namespace (kubernetes.namespace; kubernetes.kubeconfig, else the in-cluster
service account), Redis (redis.url, redis.sentinel or redis.cluster; redis.keyPrefix — the proxies'
prefix), leader election (leaderElection: leaseName, identity, 15 s / 10 s / 2 s), probe concurrency
and the admin port (admin: /livez /readyz /metrics). SIGTERM or SIGINT releases the Lease and exits 0.
`;

exitWith(
  'junction-operator',
  runCli({
    name: 'junction-operator',
    usage: USAGE,
    start: (file) => startOperator(loadOperatorConfig(file)),
    started: (operator) => `junction operator ${operator.identity} started (admin ${operator.adminUrl})`,
  }),
);
