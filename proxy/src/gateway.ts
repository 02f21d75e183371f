// The request pipeline of the proxy port: classify the path, find the owner of anything already
// under way (query id, OAuth2 id, routing cookie), otherwise choose a group and a cluster, then
// forward. One function reads top to bottom; each step is a named method or module.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterEntry, GatewayConfig, Logger, Registry } from '@junction/shared';
import { readBody } from './body.js';
import {
  classifyPath,
  compilePathRules,
  extractQueryId,
  isStatementSubmit,
  type PathRules,
  type RequestKind,
} from './classify.js';
import type { CookieCodec } from './cookies.js';
import {
  GatewayError,
  InvalidRequestTargetError,
  PathNotProxiedError,
  UnknownClusterError,
  UnknownQueryError,
  UpstreamUnreachableError,
} from './errors.js';
import type { ResponseHeaders, ResponseHook } from './forwarder.js';
import type { Forwarders } from './forwarders.js';
import { appendSetCookie, upstreamRequestHeaders } from './headers.js';
import { extractKillQueryId } from './kill-query.js';
import type { MetricKind, ProxyMetrics } from './metrics.js';
import { oauthIdFromPath, oauthIdsFromChallenge } from './oauth-ids.js';
import type { QueryOwners } from './query-owners.js';
import { parseRequestTarget, splitClusterPrefix } from './request-target.js';
import { sendError } from './respond.js';
import type { Router } from './router.js';

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly registry: () => Registry;
  readonly router: Router;
  readonly owners: QueryOwners;
  readonly forwarders: Forwarders;
  readonly cookies: CookieCodec | undefined;
  readonly markUnreachable: (cluster: string, message: string) => void;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
}

/** The request target; `cluster` when prefix routing names one (`/_c/blue/v1/...`, prefix removed). */
interface Target {
  readonly path: string;
  readonly query: string;
  readonly target: string;
  readonly cluster?: string;
}

/** Where a request goes, and what the response must carry besides the cluster's answer. */
interface Destination {
  cluster: ClusterEntry;
  setCookie: string | undefined;
}

export class Gateway {
  readonly #rules: PathRules;
  readonly #clusterPrefix: string | undefined;
  #draining = false;

  constructor(readonly options: GatewayOptions) {
    const { routing, oauth2GatewayCookieConfiguration: oauth2 } = options.config;
    this.#rules = compilePathRules(routing, options.cookies === undefined ? undefined : oauth2);
    this.#clusterPrefix = routing.clusterPrefix;
  }

  /** After SIGTERM: keep serving (follow-ups of running queries), but tell clients to reconnect elsewhere. */
  drain(): void {
    this.#draining = true;
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.#draining) res.setHeader('connection', 'close');
    const started = performance.now();
    let kind: MetricKind = 'rejected';
    let submit = false;
    const parsed = parseRequestTarget(req.url ?? '');
    const done = (error?: unknown) => {
      if (error !== undefined) {
        sendError(res, error, submit);
        if (!(error instanceof GatewayError)) {
          this.options.logger.error('unexpected error while proxying', { error: String(error), kind });
        }
      }
      this.options.metrics.request(kind, res.statusCode, (performance.now() - started) / 1000);
    };
    if ('error' in parsed) {
      done(new InvalidRequestTargetError(`Invalid request target: ${parsed.error}`));
      return;
    }
    const prefix = this.#clusterPrefix;
    const target: Target = (prefix === undefined ? undefined : splitClusterPrefix(parsed, prefix)) ?? parsed;
    const pathKind = classifyPath(target.path, this.#rules);
    if (pathKind === undefined) {
      done(new PathNotProxiedError(target.path));
      return;
    }
    submit = isStatementSubmit(req.method ?? 'GET', target.path, pathKind);
    kind = submit ? 'submit' : pathKind;
    const work = submit ? this.#submit(req, res, target) : this.#forward(req, res, target, pathKind);
    work.then(() => done(), done);
  };

  /** Any request except the statement POST: stream it to its owner or to a newly chosen cluster. */
  async #forward(req: IncomingMessage, res: ServerResponse, target: Target, kind: RequestKind): Promise<void> {
    const registry = this.options.registry();
    const destination = await this.#destination(req, registry, target, kind);
    const deleteCookie = this.options.cookies?.isDeletePath(target.path) === true;
    const headers = this.#upstreamHeaders(req, destination.cluster, false);
    const hook = this.#responseHook(req, destination, deleteCookie, kind, performance.now());
    try {
      await this.options.forwarders.get(destination.cluster).stream(req, res, target.target, headers, hook);
    } catch (error) {
      this.#noteFailure(destination.cluster, error);
      throw error;
    }
  }

  /** Sticky owner first (prefix-named cluster, query id, OAuth2 id, cookie), else group and strategy. */
  async #destination(
    req: IncomingMessage,
    registry: Registry,
    target: Target,
    kind: RequestKind,
  ): Promise<Destination> {
    const { path, query } = target;
    if (target.cluster !== undefined) return { cluster: this.#named(registry, target.cluster), setCookie: undefined };
    const queryId = extractQueryId(path, query, this.#rules);
    if (queryId !== undefined) return { cluster: await this.#owner(queryId, registry, req), setCookie: undefined };
    if (kind === 'oauth2') {
      const id = oauthIdFromPath(path);
      const owner =
        id === undefined ? undefined : registry.clusters.get((await this.options.owners.oauthOwner(id)) ?? '');
      if (owner !== undefined) return { cluster: owner, setCookie: undefined };
    }
    const cookies = this.options.cookies;
    let wantsCookie = false;
    if (cookies !== undefined && (kind === 'oauth2' || kind === 'cookie')) {
      const cookie = await cookies.read(req.headers.cookie);
      const owner =
        cookie !== undefined && cookies.routes(cookie, path) ? registry.clusters.get(cookie.cluster) : undefined;
      if (owner !== undefined) return { cluster: owner, setCookie: undefined };
      wantsCookie = cookies.issuesOn(path);
    }
    const group = this.options.router.chooseGroup(registry, req, path, query);
    const cluster = this.options.router.chooseCluster(registry, group);
    const secure = req.headers['x-forwarded-proto'] === 'https';
    const setCookie = wantsCookie && cookies !== undefined ? await cookies.issue(cluster.name, secure) : undefined;
    return { cluster, setCookie };
  }

  /** Prefix routing: the path names the cluster; like every sticky target it ignores `enabled`. */
  #named(registry: Registry, name: string): ClusterEntry {
    const cluster = registry.clusters.get(name);
    if (cluster === undefined) throw new UnknownClusterError(name);
    return cluster;
  }

  #upstreamHeaders(req: IncomingMessage, cluster: ClusterEntry, statementSubmit: boolean): string[] {
    const prefix = this.#clusterPrefix;
    return upstreamRequestHeaders(req, {
      forwardedHeaders: this.options.config.routing.forwardedHeaders,
      dropAcceptEncoding: statementSubmit,
      prefix: prefix === undefined ? undefined : `${prefix}/${encodeURIComponent(cluster.name)}`,
    });
  }

  async #owner(queryId: string, registry: Registry, req: IncomingMessage): Promise<ClusterEntry> {
    const name = await this.options.owners.owner(queryId, registry, req.headers);
    if (name === undefined) throw new UnknownQueryError(queryId);
    const cluster = registry.clusters.get(name);
    if (cluster === undefined) throw new UnknownQueryError(queryId, `its cluster "${name}" is no longer registered`);
    return cluster;
  }

  /** Adds gateway cookies and pins OAuth2 ids named in a 401 challenge before the client sees it. */
  #responseHook(
    req: IncomingMessage,
    destination: Destination,
    deleteCookie: boolean,
    kind: RequestKind,
    sentAt: number,
  ): ResponseHook {
    const { setCookie } = destination;
    const { cookies, owners, metrics } = this.options;
    const cluster = destination.cluster.name;
    return (statusCode: number, headers: ResponseHeaders) => {
      metrics.upstream(kind, (performance.now() - sentAt) / 1000);
      if (setCookie !== undefined) appendSetCookie(headers, setCookie);
      if (deleteCookie && cookies !== undefined) {
        appendSetCookie(headers, cookies.deletion(req.headers['x-forwarded-proto'] === 'https'));
      }
      if (statusCode !== 401) return undefined;
      const ids = oauthIdsFromChallenge(headers['www-authenticate']);
      if (ids.length === 0) return undefined;
      return Promise.all(ids.map((id) => owners.pinOAuth(id, cluster))).then(() => undefined);
    };
  }

  /**
   * The statement POST: read the SQL, choose the cluster (the owner for kill_query), send it —
   * failing over within the group only when the connection could not be made — then record the
   * new query id before the answer reaches the client.
   */
  async #submit(req: IncomingMessage, res: ServerResponse, target: Target): Promise<void> {
    const { path, query } = target;
    const body = await readBody(req);
    const registry = this.options.registry();
    const killed = extractKillQueryId(body.toString('utf8'), {
      catalog: firstHeader(req.headers['x-trino-catalog']),
      schema: firstHeader(req.headers['x-trino-schema']),
    });
    const pinned = target.cluster !== undefined || killed !== undefined;
    const group = pinned ? undefined : this.options.router.chooseGroup(registry, req, path, query);
    const tried = new Set<string>();
    for (;;) {
      const cluster =
        target.cluster !== undefined
          ? this.#named(registry, target.cluster)
          : group === undefined
            ? await this.#owner(killed as string, registry, req)
            : this.options.router.chooseCluster(registry, group, tried);
      const headers = this.#upstreamHeaders(req, cluster, true);
      let result: Awaited<ReturnType<ReturnType<Forwarders['get']>['submit']>>;
      const sentAt = performance.now();
      try {
        result = await this.options.forwarders.get(cluster).submit(target.target, headers, body);
        this.options.metrics.upstream('submit', (performance.now() - sentAt) / 1000);
      } catch (error) {
        this.#noteFailure(cluster, error);
        if (group !== undefined && error instanceof UpstreamUnreachableError && error.beforeSend) {
          tried.add(cluster.name);
          continue;
        }
        throw error;
      }
      if (group !== undefined) {
        this.options.router.routed(cluster.name);
        this.options.metrics.routed(group.name, cluster.name);
      }
      await this.#recordAndReply(res, cluster.name, result);
      return;
    }
  }

  async #recordAndReply(
    res: ServerResponse,
    cluster: string,
    result: { statusCode: number; headers: ResponseHeaders; body: Buffer },
  ): Promise<void> {
    const { statusCode, headers, body } = result;
    if (statusCode === 200) {
      const queryId = queryIdOf(body);
      if (queryId !== undefined) await this.options.owners.record(queryId, cluster);
    } else if (statusCode === 401) {
      const ids = oauthIdsFromChallenge(headers['www-authenticate']);
      await Promise.all(ids.map((id) => this.options.owners.pinOAuth(id, cluster)));
    }
    headers['content-length'] = String(body.length);
    res.writeHead(statusCode, headers as Record<string, string | string[]>);
    res.end(body);
  }

  #noteFailure(cluster: ClusterEntry, error: unknown): void {
    if (error instanceof UpstreamUnreachableError && error.beforeSend) {
      this.options.markUnreachable(cluster.name, error.message);
    }
  }
}

// Trino writes `id` first in QueryResults; reading it from the first bytes avoids parsing whole pages.
const LEADING_ID = /^\s*\{\s*"id"\s*:\s*"([0-9A-Za-z_]+)"/;

function queryIdOf(body: Buffer): string | undefined {
  const leading = LEADING_ID.exec(body.toString('latin1', 0, Math.min(body.length, 128)));
  if (leading !== null) return leading[1];
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { id?: unknown };
    return typeof parsed.id === 'string' && parsed.id.length > 0 ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
