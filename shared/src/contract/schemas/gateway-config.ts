// The proxy's configuration (gateway.yaml): listeners, Redis, resource files, routing and the
// reference gateway's cookie settings. Unknown keys are errors, so a typo stops start-up.
import { z } from 'zod';
import { duration, LoggingConfig, listenAddress, RedisConfig } from './common.js';

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
  admin: listenAddress(8081).prefault({}),
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
      sqlPreviewBytes: z
        .number()
        .int()
        .min(0)
        .default(1_000)
        .describe('How much of a queued statement the admin API shows (0 = none).'),
    })
    .prefault({}),
  history: HistoryConfig,
  logging: LoggingConfig,
});

export type GatewayConfig = z.infer<typeof GatewayConfig>;
/** The config as written in YAML, before defaults. */
export type GatewayConfigInput = z.input<typeof GatewayConfig>;
