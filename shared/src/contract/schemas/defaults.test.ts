// The defaults of gateway.yaml and operator.yaml in full: each is stated once, on its field, and an absent
// section parses exactly like an empty one.
import { DEFAULT_EXTERNAL_ROUTING_HEADERS, GatewayConfig } from './gateway-config.js';
import { OperatorConfig } from './operator-config.js';

const GATEWAY_DEFAULTS = {
  server: { host: '0.0.0.0', port: 8080, drainTimeout: 30_000 },
  admin: {
    host: '0.0.0.0',
    port: 8081,
    auth: { mode: 'Required', reloadInterval: 1000, openPaths: ['/livez', '/readyz', '/metrics'] },
  },
  routing: {
    defaultRoutingGroup: 'adhoc',
    honorRoutingGroupHeader: true,
    statementPaths: [],
    extraPaths: [],
    queryIdTtl: 86_400_000,
    forwardedHeaders: true,
    requestTimeout: 300_000,
    connectTimeout: 5_000,
    queryLookupTimeout: 2_000,
    maxConnectionsPerCluster: 256,
    sqlFacts: { maxBytes: 32_768, timeBudgetMs: 50 },
  },
  gatewayCookieConfiguration: { enabled: false },
  oauth2GatewayCookieConfiguration: { routingPaths: ['/oauth2'], deletePaths: ['/logout'], lifetime: 600_000 },
  queue: {
    clientTimeout: 300_000,
    pollWait: 1_000,
    dispatchInterval: 250,
    sweepInterval: 1_000,
    reconcileInterval: 30_000,
    reconcileGrace: 10_000,
    sqlPreviewBytes: 1_000,
  },
  history: {
    enabled: true,
    maxRecords: 10_000,
    recordSql: true,
    sqlMaxBytes: 4_096,
    batchSize: 100,
    flushInterval: 1_000,
    bufferSize: 10_000,
  },
  tracing: {
    enabled: false,
    endpoint: 'http://localhost:4318/v1/traces',
    headers: {},
    serviceName: 'junction-proxy',
    sampleRatio: 1,
    exportInterval: 2_000,
  },
  logging: { level: 'info' },
};

const REQUIRED_OPERATOR = { kubernetes: { namespace: 'junction' }, redis: { url: 'redis://127.0.0.1:6379/0' } };

const OPERATOR_DEFAULTS = {
  kubernetes: { namespace: 'junction' },
  redis: { url: 'redis://127.0.0.1:6379/0', keyPrefix: 'junction:', commandTimeout: 500 },
  leaderElection: {
    enabled: true,
    leaseName: 'junction-operator',
    leaseDurationSeconds: 15,
    renewDeadlineSeconds: 10,
    retryPeriodSeconds: 2,
  },
  probe: { concurrency: 16 },
  queueStatus: { intervalSeconds: 5 },
  admin: {
    host: '0.0.0.0',
    port: 8082,
    auth: { mode: 'Required', reloadInterval: 1000, openPaths: ['/livez', '/readyz', '/metrics'] },
  },
  logging: { level: 'info' },
};

test('an empty gateway config parses to every default', () => {
  expect(GatewayConfig.parse({})).toStrictEqual(GATEWAY_DEFAULTS);
});

test('gateway sections given as {} parse like absent ones', () => {
  const sections = Object.fromEntries(Object.keys(GATEWAY_DEFAULTS).map((key) => [key, {}]));
  expect(GatewayConfig.parse(sections)).toStrictEqual(GATEWAY_DEFAULTS);
});

test('an operator config with only the required keys parses to every default', () => {
  expect(OperatorConfig.parse(REQUIRED_OPERATOR)).toStrictEqual(OPERATOR_DEFAULTS);
  const sections = { ...REQUIRED_OPERATOR, leaderElection: {}, probe: {}, admin: {}, logging: {} };
  expect(OperatorConfig.parse(sections)).toStrictEqual(OPERATOR_DEFAULTS);
});

test('setting one field keeps the other defaults of its section', () => {
  expect(GatewayConfig.parse({ server: { port: 9080 } }).server).toEqual({
    host: '0.0.0.0',
    port: 9080,
    drainTimeout: 30_000,
  });
  expect(OperatorConfig.parse({ ...REQUIRED_OPERATOR, leaderElection: { enabled: false } }).leaderElection).toEqual({
    ...OPERATOR_DEFAULTS.leaderElection,
    enabled: false,
  });
});

test('every parse gets its own default objects', () => {
  // `.default({...})` on a section handed out the same nested arrays to every parse.
  const first = GatewayConfig.parse({});
  first.routing.statementPaths.push('/v1/custom');
  first.oauth2GatewayCookieConfiguration.routingPaths.push('/sso');
  const second = GatewayConfig.parse({});
  expect(second.routing.statementPaths).toEqual([]);
  expect(second.oauth2GatewayCookieConfiguration.routingPaths).toEqual(['/oauth2']);
});

test('routing.external: only the url is required; a bad url or header name names the key', () => {
  const external = GatewayConfig.parse({ routing: { external: { url: 'http://router:8080/rules' } } }).routing.external;
  expect(external).toEqual({
    url: 'http://router:8080/rules',
    timeout: 100,
    failureThreshold: 5,
    openFor: 30_000,
    headers: [...DEFAULT_EXTERNAL_ROUTING_HEADERS],
    sqlFacts: true,
  });
  expect(GatewayConfig.parse({}).routing.external).toBeUndefined();
  const bad = GatewayConfig.safeParse({ routing: { external: { url: 'ftp://router', headers: ['bad header'] } } });
  expect(bad.success).toBe(false);
  expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
    'routing.external.url',
    'routing.external.headers.0',
  ]);
});

test('history: postgres needs its section, and exactly one of url and urlEnv', () => {
  const issues = (history: object) =>
    GatewayConfig.safeParse({ history }).error?.issues.map((issue) => issue.path.join('.')) ?? [];
  expect(issues({ store: 'postgres' })).toEqual(['history.postgres']);
  expect(issues({ store: 'postgres', postgres: {} })).toEqual(['history.postgres.url']);
  expect(issues({ store: 'postgres', postgres: { url: 'postgres://h/db', urlEnv: 'PG_URL' } })).toEqual([
    'history.postgres.url',
  ]);
  expect(issues({ store: 'postgres', postgres: { urlEnv: 'PG_URL' } })).toEqual([]);
  expect(issues({ store: 'postgres', postgres: { url: 'mysql://h/db' } })).toEqual(['history.postgres.url']);
  expect(issues({ sqlMaxBytes: -1 })).toEqual(['history.sqlMaxBytes']);
});
