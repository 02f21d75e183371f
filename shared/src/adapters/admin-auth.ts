// Who may read the admin port: static bearer tokens from a file (a mounted Kubernetes Secret, re-read
// when it changes, so rotation needs no restart) compared in constant time, and OpenID Connect ID
// tokens checked with jose against the issuer's published keys. Tokens are never logged or echoed.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { AdminAuth, AdminOidc } from '../contract/schemas/admin.js';

/** Why a request was let in (`subject`) or turned away (`reason` for metrics, `message` for the caller). */
export type AuthResult =
  | { readonly ok: true; readonly subject: string }
  | { readonly ok: false; readonly reason: DenyReason; readonly message: string };

export type DenyReason = 'missing' | 'invalid' | 'expired' | 'unconfigured';

export interface AdminAuthenticator {
  /** True for paths served without a token (openPaths, or everything when auth is off). */
  isOpen(path: string): boolean;
  authenticate(req: IncomingMessage): Promise<AuthResult>;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

interface Token {
  readonly name: string;
  readonly digest: Buffer;
}

/** "name: token" or "token" per line; blank lines and # comments skipped. */
export function parseTokens(text: string): Token[] {
  const tokens: Token[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const [name, token] =
      colon > 0 ? [line.slice(0, colon).trim(), line.slice(colon + 1).trim()] : [`token-${tokens.length + 1}`, line];
    if (token !== '') tokens.push({ name, digest: digest(token) });
  }
  return tokens;
}

/** The tokens file, re-read at most every `intervalMs` when its identity (inode, size, mtime) changed. */
class TokensFile {
  #tokens: Token[] = [];
  #identity = '';
  #checkedAt = Number.NEGATIVE_INFINITY;
  #checking: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly intervalMs: number,
  ) {}

  async tokens(now: number): Promise<Token[]> {
    if (now - this.#checkedAt >= this.intervalMs) {
      this.#checkedAt = now;
      this.#checking ??= this.#reload().finally(() => {
        this.#checking = undefined;
      });
    }
    if (this.#checking !== undefined) await this.#checking;
    return this.#tokens;
  }

  async #reload(): Promise<void> {
    try {
      const info = await stat(this.path);
      const identity = `${info.ino}:${info.size}:${info.mtimeMs}`;
      if (identity === this.#identity) return;
      this.#tokens = parseTokens(await readFile(this.path, 'utf8'));
      this.#identity = identity;
    } catch {
      // Unreadable for now (a Secret volume mid-swap): the last good set stays in force.
    }
  }
}

/** The matching token's name; every token is compared, so the time taken says nothing about which. */
function match(tokens: readonly Token[], presented: string): string | undefined {
  const candidate = digest(presented);
  let found: string | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(token.digest, candidate) && found === undefined) found = token.name;
  }
  return found;
}

/** ID tokens of one issuer; its keys are found through discovery unless jwksUri is given. */
class OidcTokens {
  #keys: Promise<JWTVerifyGetKey> | undefined;

  constructor(private readonly settings: AdminOidc) {}

  async verify(token: string): Promise<AuthResult> {
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.#keySet();
    } catch {
      this.#keys = undefined; // discovery failed: ask again next time
      return { ok: false, reason: 'invalid', message: 'the OIDC issuer could not be reached to check the token' };
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
      });
      const subject = typeof payload['email'] === 'string' ? payload['email'] : (payload.sub ?? 'oidc');
      return { ok: true, subject: `oidc:${subject}` };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', message: 'the token has expired' };
      return { ok: false, reason: 'invalid', message: 'the token was not accepted' };
    }
  }

  #keySet(): Promise<JWTVerifyGetKey> {
    this.#keys ??= (async () => {
      const uri = this.settings.jwksUri ?? (await discoverJwksUri(this.settings.issuer));
      return createRemoteJWKSet(new URL(uri));
    })();
    return this.#keys;
  }
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`OIDC discovery: HTTP ${response.status}`);
  const document = (await response.json()) as { jwks_uri?: unknown };
  if (typeof document.jwks_uri !== 'string') throw new Error('OIDC discovery: no jwks_uri');
  return document.jwks_uri;
}

const looksLikeJwt = (token: string) => token.split('.').length === 3;

export function createAdminAuthenticator(settings: AdminAuth, now: () => number = Date.now): AdminAuthenticator {
  const open = new Set(settings.openPaths);
  if (settings.mode === 'None') return { isOpen: () => true, authenticate: async () => ({ ok: true, subject: '' }) };
  const file =
    settings.tokensFile === undefined ? undefined : new TokensFile(settings.tokensFile, settings.reloadInterval);
  const oidc = settings.oidc === undefined ? undefined : new OidcTokens(settings.oidc);
  return {
    isOpen: (path) => open.has(path),
    async authenticate(req) {
      if (file === undefined && oidc === undefined) {
        return {
          ok: false,
          reason: 'unconfigured',
          message:
            'admin authentication is required but no credentials are configured: set admin.auth.tokensFile or admin.auth.oidc (or admin.auth.mode: None to open the admin port)',
        };
      }
      const header = req.headers.authorization;
      const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (presented === '') return { ok: false, reason: 'missing', message: 'a bearer token is required' };
      const name = file === undefined ? undefined : match(await file.tokens(now()), presented);
      if (name !== undefined) return { ok: true, subject: `token:${name}` };
      if (oidc !== undefined && looksLikeJwt(presented)) return oidc.verify(presented);
      return { ok: false, reason: 'invalid', message: 'the token was not accepted' };
    },
  };
}
