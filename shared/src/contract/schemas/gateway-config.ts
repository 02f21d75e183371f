// The proxy's configuration (gateway.yaml): listeners, Redis, resource files, routing and the
// reference gateway's cookie settings. Unknown keys are errors, so a typo stops start-up.
import { z } from 'zod';
import { adminListener } from './admin.js';
import { duration, LoggingConfig, listenAddress, RedisConfig } from './common.js';
import { TracingConfig } from './tracing.js';

/** The routing group of requests nothing claims when no RoutingGroup is marked default. */
export const DEFAULT_ROUTING_GROUP = 'adhoc';

const regex = z.string().refine((value) => {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

const absolutePath = z.string().regex(/^\//, 'must be an absolute path starting with "/"');

/** The request headers sent on to an external routing service unless routing.external.headers says otherwise. */
export const DEFAULT_EXTERNAL_ROUTING_HEADERS: readonly string[] = Object.freeze([
  'X-Trino-User',
  'X-Trino-Source',
  'X-Trino-Client-Tags',
  'X-Trino-Client-Info',
  'X-Trino-Catalog',
  'X-Trino-Schema',
  'X-Trino-Routing-Group',
]);

const ExternalRouting = z.strictObject({
  url: z
    .url({ protocol: /^https?$/ })
    .describe('Where the request description is POSTed (JSON); the answer names the routing group.'),
  timeout: duration.default(100).describe('An answer later than this counts as a failure; the CEL rules decide.'),
  failureThreshold: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Consecutive failures after which the service is not asked (the circuit opens).'),
  openFor: duration.default(30_000).describe('How long the circuit stays open before one request tries again.'),
  headers: z
    .array(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'))
    .default([...DEFAULT_EXTERNAL_ROUTING_HEADERS])
    .describe('Request headers sent on to the service, as headers of its POST (never others, so no credentials).'),
  sqlFacts: z
    .boolean()
    .default(true)
    .describe('Send the SQL facts (trinoQueryProperties), parsing the statement within routing.sqlFacts bounds.'),
});
/** Query history: where records go and what they keep. Writing never holds a request up. */
const HistoryConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('false = no history is recorded (the API answers empty).'),
    store: z
      .enum(['memory', 'redis', 'postgres'])
      .optional()
      .describe('Absent: redis when a redis section is configured, else memory.'),
    maxRecords: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('Records kept; the oldest go first (memory ring, Redis stream, PostgreSQL table).'),
    recordSql: z.boolean().default(true).describe('false = the SQL text is never stored (privacy).'),
    sqlMaxBytes: z.number().int().min(0).default(4_096).describe('The SQL text is cut to this many UTF-8 bytes.'),
    batchSize: z.number().int().min(1).default(100).describe('Events written to the store per round trip at most.'),
    flushInterval: duration.default(1_000).describe('Buffered events are written at least this often.'),
    bufferSize: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('Events waiting for the store at most; more are dropped (junction_history_dropped_total).'),
    postgres: z
      .strictObject({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
          .optional()
          .describe('Connection URL (may carry the password; never logged). Prefer urlEnv.'),
        urlEnv: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
          .optional()
          .describe('Name of the environment variable holding the connection URL.'),
        poolSize: z.number().int().min(1).default(4),
      })
      .refine((pg) => (pg.url === undefined) !== (pg.urlEnv === undefined), {
        message: 'set exactly one of url and urlEnv',
        path: ['url'],
      })
      .optional(),
  })
  .refine((history) => history.store !== 'postgres' || history.postgres !== undefined, {
    message: 'required when store is postgres',
    path: ['postgres'],
  })
  .prefault({});

export const GatewayConfig = z.strictObject({
  server: listenAddress(8080)
    .extend({
      drainTimeout: duration.default(30_000).describe('On SIGTERM: how long in-flight requests may take to finish.'),
    })
    .prefault({}),
  admin: adminListener(8081),
  redis: RedisConfig.optional(),
  resources: z.strictObject({ files: z.array(z.string().min(1)).min(1) }).optional(),
  routing: z
    .strictObject({
      defaultRoutingGroup: z.string().default(DEFAULT_ROUTING_GROUP),
      honorRoutingGroupHeader: z.boolean().default(true),
      statementPaths: z.array(absolutePath).default([]),
      extraPaths: z.array(regex).default([]),
      queryIdTtl: duration.default(86_400_000),
      forwardedHeaders: z.boolean().default(true),
      requestTimeout: duration.default(300_000),
      connectTimeout: duration.default(5_000),
      queryLookupTimeout: duration.default(2_000),
      maxConnectionsPerCluster: z.number().int().min(1).default(256),
      sqlFacts: z
        .strictObject({
          maxBytes: z
            .number()
            .int()
            .min(0)
            .default(32 * 1024)
            .describe('Statements larger than this (UTF-8 bytes) are routed without SQL facts (sql.parsed false).'),
          timeBudgetMs: z
            .number()
            .positive()
            .default(50)
            .describe('A parse that takes longer is abandoned and the statement routed without SQL facts.'),
        })
        .prefault({})
        .describe(
          'Bounds of the SQL analysis that rules reading sql.* ask for (defaults measured in docs/adr/0006-sql-parser.md).',
        ),
      external: ExternalRouting.optional().describe(
        'An external routing service asked for the group of each new statement (after X-Trino-Routing-Group, before ' +
          "the CEL rules, which decide when it fails); compatible with Trino Gateway's external routing API.",
      ),
      clusterPrefix: z
        .string()
        .regex(/^\/[A-Za-z0-9._~-]+$/, 'must be one path segment such as "/_c"')
        .optional()
        .describe(
          'When set, Trino is asked (X-Forwarded-Prefix) to put <clusterPrefix>/<cluster> into every URI it returns, and ' +
            'requests under it go to that cluster without a lookup: follow-ups need no shared state, and spooled ' +
            'segment URIs (which carry no query id) reach their cluster. Needs Trino with process-forwarded=true.',
        ),
    })
    .prefault({}),
  gatewayCookieConfiguration: z
    .strictObject({
      enabled: z.boolean().default(false),
      cookieSigningSecret: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    })
    .refine((c) => !c.enabled || c.cookieSigningSecret !== undefined, {
      message: 'required when enabled is true',
      path: ['cookieSigningSecret'],
    })
    .prefault({}),
  oauth2GatewayCookieConfiguration: z
    .strictObject({
      routingPaths: z.array(absolutePath).default(['/oauth2']),
      deletePaths: z.array(absolutePath).default(['/logout']),
      lifetime: duration.default(600_000),
    })
    .prefault({}),
  queue: z
    .strictObject({
      clientTimeout: duration
        .default(300_000)
        .describe(
          "A query nobody polls for this long is abandoned: it leaves the queue, or frees its cluster's slot (Trino's query.client.timeout).",
        ),
      pollWait: duration
        .default(1_000)
        .describe('How long a poll of a queued query waits for its release before answering QUEUED again.'),
      dispatchInterval: duration
        .default(250)
        .describe('How often each replica looks for queued queries that now fit (besides at once when a slot frees).'),
      sweepInterval: duration
        .default(1_000)
        .describe('How often expired leases, waits and abandoned entries are swept.'),
      reconcileInterval: duration
        .default(30_000)
        .describe(
          "How often each replica compares the queries it counts on a cluster with the cluster's query list (GET /v1/query) and frees those it reports done or no longer lists (0 = never).",
        ),
      reconcileGrace: duration
        .default(10_000)
        .describe(
          'A query bound to its cluster less than this long ago is never freed for being missing from the query list (Trino lists a query only once its client first polls it).',
        ),
      sqlPreviewBytes: z
        .number()
        .int()
        .min(0)
        .default(1_000)
        .describe('How much of a queued statement the admin API shows (0 = none).'),
    })
    .prefault({}),
  history: HistoryConfig,
  tracing: TracingConfig,
  logging: LoggingConfig,
});

export type GatewayConfig = z.infer<typeof GatewayConfig>;
/** The config as written in YAML, before defaults. */
export type GatewayConfigInput = z.input<typeof GatewayConfig>;
