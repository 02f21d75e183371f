// The admin listener's settings, shared by the gateway and the operator: where it listens and who may
// read it. Authentication is on unless switched off by name (`auth.mode: None`).
import { z } from 'zod';
import { duration, listenAddress } from './common.js';

export const AdminOidc = z
  .strictObject({
    issuer: z.url().describe('The OpenID Connect issuer; ID tokens must carry it as `iss`.'),
    audience: z.string().min(1).describe('The client id ID tokens must be issued to (`aud`).'),
    jwksUri: z
      .url()
      .optional()
      .describe(
        "Where the issuer's signing keys are; default: jwks_uri from <issuer>/.well-known/openid-configuration.",
      ),
  })
  .describe('Accept OpenID Connect ID tokens (signature, issuer, audience and expiry checked with jose).');

export const AdminAuth = z
  .strictObject({
    mode: z
      .enum(['Required', 'None'])
      .default('Required')
      .describe('Required: every path but openPaths needs a bearer token. None: the admin port is open.'),
    tokensFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A file of static bearer tokens, one per line ("name: token" or just the token; # comments) — a mounted Secret key. Re-read when it changes: rotation needs no restart.',
      ),
    reloadInterval: duration.default(1_000).describe('How often, at most, the tokens file is checked for changes.'),
    oidc: AdminOidc.optional(),
    openPaths: z
      .array(z.string().startsWith('/'))
      .default(['/livez', '/readyz', '/metrics'])
      .describe('Paths served without authentication (probes and Prometheus scrapes).'),
  })
  .prefault({});

/** The admin listener on `port` by default, with authentication. */
export const adminListener = (port: number) => listenAddress(port).extend({ auth: AdminAuth }).prefault({});

export type AdminAuth = z.infer<typeof AdminAuth>;
export type AdminOidc = z.infer<typeof AdminOidc>;
