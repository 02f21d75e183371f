// The routing cookie that keeps a browser's OAuth2 handshake on one cluster: an HS256 JWT naming the
// cluster, so every replica sharing the secret accepts it and a forged or stale one is just ignored.
import { webcrypto } from 'node:crypto';
import { type CryptoKey, errors, jwtVerify, SignJWT } from 'jose';
import { hasPathPrefix } from '../http/classify.js';

/** A verified routing cookie (its expiry was checked while verifying). */
export interface RoutingCookie {
  readonly cluster: string;
  readonly routingPaths: readonly string[];
}

export interface CookieCodecOptions {
  /** The first signs; all verify, in order (rotation: put the new secret first, drop the old later). */
  readonly secrets: readonly string[];
  readonly lifetimeMs: number;
  readonly routingPaths: readonly string[];
  readonly deletePaths: readonly string[];
  readonly now?: () => number;
}

const COOKIE_NAME = 'TG.OAUTH2';
const ALGORITHM = 'HS256';
// Keeps tokens from other Junction uses of jose (admin API) from being accepted as routing cookies,
// and the other way round, even when an operator reuses the secret.
const AUDIENCE = 'junction:oauth2-routing';

async function importSecret(secret: string): Promise<CryptoKey> {
  const key = await webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  return key as CryptoKey;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

export class CookieCodec {
  readonly name = COOKIE_NAME;
  private readonly cookiePrefix = `${COOKIE_NAME}=`;
  private readonly attributes: string;
  private readonly deletionHeader: string;
  private readonly deletionHeaderSecure: string;
  private readonly verifyOptions = { algorithms: [ALGORITHM], audience: AUDIENCE };

  private constructor(
    private readonly keys: readonly CryptoKey[],
    private readonly lifetimeMs: number,
    // Like the reference, the cookie also routes the delete paths: logging out must reach the
    // cluster that holds the session.
    private readonly routingPaths: readonly string[],
    private readonly deletePaths: readonly string[],
    private readonly issuePaths: readonly string[],
    private readonly now: () => number,
  ) {
    this.attributes = `; Path=/; Max-Age=${Math.max(1, Math.ceil(lifetimeMs / 1000))}; HttpOnly; SameSite=Lax`;
    this.deletionHeader = `${COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`;
    this.deletionHeaderSecure = `${this.deletionHeader}; Secure`;
  }

  /** Imports each secret once: jose would re-import a raw key on every sign and verify. */
  static async create(options: CookieCodecOptions): Promise<CookieCodec> {
    if (options.secrets.length === 0 || options.secrets.some((secret) => secret.length === 0)) {
      throw new Error('cookie signing secrets must be non-empty');
    }
    if (!(options.lifetimeMs > 0)) throw new Error('cookie lifetime must be positive');
    const keys = await Promise.all(options.secrets.map(importSecret));
    const routingPaths = [...new Set([...options.routingPaths, ...options.deletePaths])];
    return new CookieCodec(
      keys,
      options.lifetimeMs,
      Object.freeze(routingPaths),
      Object.freeze([...options.deletePaths]),
      Object.freeze([...options.routingPaths]),
      options.now ?? Date.now,
    );
  }

  /** A `Set-Cookie` value that routes this browser's handshake to `cluster`. */
  async issue(cluster: string, secure: boolean): Promise<string> {
    const exp = Math.ceil((this.now() + this.lifetimeMs) / 1000);
    const token = await new SignJWT({ cluster, paths: this.routingPaths })
      .setProtectedHeader({ alg: ALGORITHM })
      .setAudience(AUDIENCE)
      .setExpirationTime(exp)
      .sign(this.keys[0] as CryptoKey);
    return `${this.cookiePrefix}${token}${this.attributes}${secure ? '; Secure' : ''}`;
  }

  /**
   * The first valid routing cookie in the `Cookie` header(s). Absent, malformed, tampered, foreign or
   * expired cookies are treated as absent: they must never fail the request.
   */
  async read(cookieHeader: string | string[] | undefined): Promise<RoutingCookie | undefined> {
    if (cookieHeader === undefined) return undefined;
    if (typeof cookieHeader === 'string') return this.readOne(cookieHeader);
    for (const header of cookieHeader) {
      const cookie = await this.readOne(header);
      if (cookie !== undefined) return cookie;
    }
    return undefined;
  }

  private async readOne(header: string): Promise<RoutingCookie | undefined> {
    let at = header.indexOf(this.cookiePrefix);
    while (at >= 0) {
      const end = header.indexOf(';', at);
      // Only a whole cookie name counts: `XTG.OAUTH2=` is someone else's cookie.
      if (at === 0 || header.charCodeAt(at - 1) === 0x3b || header.charCodeAt(at - 1) === 0x20) {
        let value = header.slice(at + this.cookiePrefix.length, end < 0 ? header.length : end).trim();
        if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        const cookie = await this.verify(value);
        if (cookie !== undefined) return cookie;
      }
      if (end < 0) break;
      at = header.indexOf(this.cookiePrefix, end);
    }
    return undefined;
  }

  private async verify(token: string): Promise<RoutingCookie | undefined> {
    if (token.length === 0) return undefined;
    const options = { ...this.verifyOptions, currentDate: new Date(this.now()) };
    for (const key of this.keys) {
      try {
        const { payload } = await jwtVerify(token, key, options);
        const { cluster, paths, exp } = payload;
        if (typeof cluster !== 'string' || cluster.length === 0 || !isStringArray(paths) || exp === undefined) {
          return undefined;
        }
        return { cluster, routingPaths: paths };
      } catch (error) {
        // A signature made with another secret: try the next one. Anything else (malformed,
        // expired, wrong audience) will not get better with another key.
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) return undefined;
      }
    }
    return undefined;
  }

  /** A `Set-Cookie` value that removes the routing cookie. */
  deletion(secure: boolean): string {
    return secure ? this.deletionHeaderSecure : this.deletionHeader;
  }

  /** Whether the cookie decides where `path` goes (a segment-boundary prefix, like path classification). */
  routes(cookie: RoutingCookie, path: string): boolean {
    for (const prefix of cookie.routingPaths) if (hasPathPrefix(path, prefix)) return true;
    return false;
  }

  /** Whether a request on `path` without a valid cookie gets one (the configured routingPaths). */
  issuesOn(path: string): boolean {
    for (const prefix of this.issuePaths) if (hasPathPrefix(path, prefix)) return true;
    return false;
  }

  /** Exact match, as in the reference. */
  isDeletePath(path: string): boolean {
    return this.deletePaths.includes(path);
  }
}
