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

export const RedisConfig = z.strictObject({
  url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  keyPrefix: z.string().default('junction:'),
  commandTimeout: duration.default(500),
});

export const LoggingConfig = z
  .strictObject({ level: z.enum(['error', 'warn', 'info', 'debug']).default('info') })
  .prefault({});

export type RedisConfig = z.infer<typeof RedisConfig>;
export type LoggingConfig = z.infer<typeof LoggingConfig>;
