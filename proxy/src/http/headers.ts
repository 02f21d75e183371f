// Header rewriting for both hops: hop-by-hop headers never cross the proxy, X-Forwarded-* and Via
// tell Trino the gateway's address (so nextUri points back here), Host never leaves the client hop.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
]);
const VIA = '1.1 junction';

export interface ForwardingOptions {
  /** routing.forwardedHeaders: add X-Forwarded-*; when false, strip any the client sent. */
  readonly forwardedHeaders: boolean;
  /** Drop Accept-Encoding so the answer is plain (the statement POST, whose body the proxy reads). */
  readonly dropAcceptEncoding: boolean;
  /** Prefix routing: appended to any X-Forwarded-Prefix a proxy in front set (`/_c/blue`). */
  readonly prefix?: string;
}

/** Who sent the request, as far as the forwarded headers need to know. */
export interface ClientHop {
  readonly remoteAddress: string;
  readonly encrypted: boolean;
}

export function clientHop(req: IncomingMessage): ClientHop {
  return { remoteAddress: req.socket.remoteAddress ?? '', encrypted: (req.socket as TLSSocket).encrypted === true };
}

/**
 * The header list (flat [name, value, …], duplicates kept) sent to the cluster.
 * Forwarded values the client (or a load balancer in front) already set are kept: the first proxy
 * knows the client's scheme and host best; ours are used when there are none.
 */
export function upstreamRequestHeaders(req: IncomingMessage, options: ForwardingOptions): string[] {
  return forwardedRequestHeaders(req.rawHeaders, req.socket.remoteAddress ?? '', isEncrypted(req), options);
}

/** The same for a request kept for later (a queued query): its raw headers and its client hop. */
export function storedRequestHeaders(raw: readonly string[], client: ClientHop, options: ForwardingOptions): string[] {
  return forwardedRequestHeaders(raw, client.remoteAddress, client.encrypted, options);
}

function isEncrypted(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true;
}

function forwardedRequestHeaders(
  raw: readonly string[],
  clientIp: string,
  encrypted: boolean,
  options: ForwardingOptions,
): string[] {
  const out: string[] = [];
  let connectionTokens: string | undefined;
  let xff: string | undefined;
  let xfProto: string | undefined;
  let xfHost: string | undefined;
  let xfPort: string | undefined;
  let xfPrefix: string | undefined;
  let via: string | undefined;
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') connectionTokens = connectionTokens ? `${connectionTokens},${value}` : value;
      continue;
    }
    switch (lower) {
      case 'host':
        host = value;
        continue;
      case 'expect':
        continue;
      case 'accept-encoding':
        if (options.dropAcceptEncoding) continue;
        break;
      case 'via':
        via = via ? `${via}, ${value}` : value;
        continue;
      case 'x-forwarded-for':
        xff = xff ? `${xff}, ${value}` : value;
        continue;
      case 'x-forwarded-proto':
        xfProto ??= value;
        continue;
      case 'x-forwarded-host':
        xfHost ??= value;
        continue;
      case 'x-forwarded-port':
        xfPort ??= value;
        continue;
      case 'x-forwarded-prefix':
        xfPrefix ??= value;
        continue;
      case 'forwarded':
        if (!options.forwardedHeaders) continue;
        break;
      default:
        if (!options.forwardedHeaders && lower.startsWith('x-forwarded-')) continue;
    }
    out.push(name, value);
  }
  if (connectionTokens !== undefined) removeConnectionListed(out, connectionTokens);
  out.push('via', via ? `${via}, ${VIA}` : VIA);
  if (options.forwardedHeaders) {
    out.push('x-forwarded-for', xff ? `${xff}, ${clientIp}` : clientIp);
    out.push('x-forwarded-proto', xfProto ?? (encrypted ? 'https' : 'http'));
    const forwardedHost = xfHost ?? host;
    if (forwardedHost !== undefined) out.push('x-forwarded-host', forwardedHost);
    const port = xfPort ?? (xfHost === undefined && host !== undefined ? portOf(host) : undefined);
    if (port !== undefined) out.push('x-forwarded-port', port);
    const prefix = (xfPrefix === undefined ? '' : xfPrefix.replace(/\/+$/, '')) + (options.prefix ?? '');
    if (prefix !== '') out.push('x-forwarded-prefix', prefix);
  }
  return out;
}

/** Port written in a Host value ("gw:8080" → "8080", "[::1]:80" → "80"), undefined when absent. */
function portOf(host: string): string | undefined {
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.indexOf(']', colon) >= 0) return undefined;
  const port = host.slice(colon + 1);
  return port.length > 0 ? port : undefined;
}

function removeConnectionListed(out: string[], tokens: string): void {
  const listed = new Set(tokens.split(',').map((token) => token.trim().toLowerCase()));
  for (let i = out.length - 2; i >= 0; i -= 2) {
    if (listed.has((out[i] as string).toLowerCase())) out.splice(i, 2);
  }
}

/** Removes hop-by-hop headers from an upstream response's header object, in place. */
export function stripResponseHopHeaders(headers: Record<string, string | string[] | undefined>): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    for (const token of String(connection).split(',')) delete headers[token.trim().toLowerCase()];
  }
  for (const name of HOP_BY_HOP) delete headers[name];
}

/** Adds a Set-Cookie value to an upstream response's headers without losing the cluster's own. */
export function appendSetCookie(headers: Record<string, string | string[] | undefined>, cookie: string): void {
  const existing = headers['set-cookie'];
  if (existing === undefined) headers['set-cookie'] = cookie;
  else if (Array.isArray(existing)) existing.push(cookie);
  else headers['set-cookie'] = [existing, cookie];
}

/**
 * A flat header list (name, value, name, value, …) with `extra` set: same-named entries (any case)
 * are dropped and the extra ones appended. Returns `flat` itself when there is nothing to set.
 */
export function withHeaders(flat: readonly string[], extra: Readonly<Record<string, string>> | undefined): string[] {
  if (extra === undefined) return flat as string[];
  const names = Object.keys(extra);
  if (names.length === 0) return flat as string[];
  const out: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (!Object.hasOwn(extra, (flat[i] as string).toLowerCase())) out.push(flat[i] as string, flat[i + 1] as string);
  }
  for (const name of names) out.push(name, extra[name] as string);
  return out;
}
