// Pieces the gateway and operator configuration share: durations, listen addresses, Redis and logging.
// A section whose every field has a default is `.prefault({})`: absent parses like `{}`, so each default is stated once.
import { z } from 'zod';
import { parseDuration } from '../duration.js';

/** A duration string ("10m") or a number of milliseconds, parsed to milliseconds. */
export const duration = z.union([z.string(), z.number().int().nonnegative()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a duration such as "500ms", "10s", "5m" or "24h", got "${value}"`,
    });
    return z.NEVER;
  }
  return ms;
});

/** Where a listener binds; the caller adds `.prefault({})` (after any `.extend`). */
export const listenAddress = (port: number) =>
  z.strictObject({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(port) });

/** One Redis Sentinel or Redis Cluster node; `port` defaults to the usual port of its kind. */
const redisNode = (defaultPort: number) =>
  z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535).default(defaultPort) });

/**
 * Where Redis is, in exactly one of three modes, all through ioredis' own support:
 * - `url`: one server (`redis://[user:password@]host:port/db`, `rediss://` for TLS);
 * - `sentinel`: the primary of a Sentinel-managed set, found (and re-found after a failover) through the
 *   sentinels; Junction always talks to the primary, never reads from a replica;
 * - `cluster`: a Redis Cluster, any few of its nodes as seeds; database 0 only.
 * In the last two modes the data nodes' credentials are `username`/`password` (use `${ENV:NAME}`), TLS is `tls`.
 */
export const RedisConfig = z
  .strictObject({
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    sentinel: z
      .strictObject({
        /** The master set's name, as in the sentinels' `sentinel monitor <name> …`. */
        masterName: z.string().min(1),
        nodes: z.array(redisNode(26379)).min(1),
        /** Credentials of the sentinels themselves, when they require AUTH (`requirepass` in sentinel.conf). */
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        db: z.number().int().min(0).default(0),
      })
      .optional(),
    cluster: z.strictObject({ nodes: z.array(redisNode(6379)).min(1) }).optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** TLS to every node (sentinel and cluster modes); absent = plain TCP. */
    tls: z.boolean().optional(),
    keyPrefix: z.string().default('junction:'),
    commandTimeout: duration.default(500),
  })
  .superRefine((redis, ctx) => {
    const modes = (['url', 'sentinel', 'cluster'] as const).filter((mode) => redis[mode] !== undefined);
    if (modes.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          modes.length === 0
            ? 'needs exactly one of url, sentinel or cluster'
            : `takes exactly one of url, sentinel or cluster, got ${modes.join(' and ')}`,
      });
      return;
    }
    if (redis.url !== undefined) {
      for (const field of ['username', 'password', 'tls'] as const) {
        if (redis[field] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `is for sentinel and cluster modes; with url, put it in the URL (${field === 'tls' ? 'rediss://' : 'redis://user:password@host'})`,
          });
        }
      }
    }
  });

export const LoggingConfig = z
  .strictObject({ level: z.enum(['error', 'warn', 'info', 'debug']).default('info') })
  .prefault({});

export type RedisConfig = z.infer<typeof RedisConfig>;
export type LoggingConfig = z.infer<typeof LoggingConfig>;
