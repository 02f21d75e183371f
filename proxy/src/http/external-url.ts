// The address a client used to reach the gateway, for URIs the gateway writes itself (a queued
// query's nextUri): X-Forwarded-Proto/Host/Port/Prefix from a proxy in front, else Host.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

function first(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  // Proxies append to X-Forwarded-* lists; the first entry is the client-facing hop.
  const head = raw?.split(',')[0]?.trim();
  return head === '' ? undefined : head;
}

function splitHostPort(authority: string): { host: string; port: string | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
  if (!match) return { host: authority, port: undefined };
  return { host: match[1] ?? authority, port: match[2] === '' ? undefined : match[2] };
}

/** `scheme://host[:port][/prefix]`, as Trino builds it with http-server.process-forwarded=true. */
export function externalBase(req: IncomingMessage): string {
  const headers = req.headers;
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  const scheme = first(headers['x-forwarded-proto'])?.toLowerCase() ?? (encrypted ? 'https' : 'http');
  const forwardedHost = first(headers['x-forwarded-host']);
  const authority =
    forwardedHost ?? headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort}`;
  const { host, port: authorityPort } = splitHostPort(authority);
  const port = authorityPort ?? first(headers['x-forwarded-port']);
  const isDefault = (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
  const prefix = (first(headers['x-forwarded-prefix']) ?? '').replace(/\/+$/, '');
  const origin = port === undefined || isDefault ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
  return `${origin}${prefix}`;
}
