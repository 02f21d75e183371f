// The request pipeline of the proxy port: validate and classify the target, ask the routing
// decision where it goes, then forward — streaming for everything but the statement POST, whose
// answer names the new query id that must be recorded before the client sees it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ClusterEntry, type GatewayConfig, type Logger, type Registry, sendJson } from '@junction/shared';
import type { QueryHistory, Submission } from './history/query-history.js';
import { readBody } from './http/body.js';
import { classifyPath, isStatementSubmit, type PathRules, type RequestKind } from './http/classify.js';
import {
  GatewayError,
  InternalGatewayError,
  InvalidRequestTargetError,
  PathNotProxiedError,
  QueryLostError,
  UpstreamUnreachableError,
} from './http/errors.js';
import { newFailedQueryId } from './http/gateway-query-ids.js';
import { upstreamRequestHeaders, withHeaders } from './http/headers.js';
import { extractQueryId } from './http/query-id.js';
import { failedResults } from './http/query-results.js';
import { parseRequestTarget, splitClusterPrefix } from './http/request-target.js';
import { sendError } from './http/respond.js';
import type { MetricKind, ProxyMetrics } from './metrics.js';
import { type PageListener, watchQuery } from './queue/page-end.js';
import type { QueryQueue } from './queue/query-queue.js';
import type { QueuedPages } from './queue/queued-pages.js';
import { responseHook } from './response-hook.js';
import { type QueueIn, type RouteTo, type RoutingDecision, routeOrThrow, routingRequest } from './routing/decision.js';
import { Statement } from './sql/statement.js';
import type { CookieCodec } from './sticky/cookies.js';
import type { QueryOwners } from './sticky/query-owners.js';
import { recordStatementAnswer } from './sticky/statement-answer.js';
import { decideTraced } from './tracing/traced-decision.js';
import { finish, type RequestTrace, type Tracing } from './tracing/tracing.js';
import type { SubmitResult } from './upstream/forwarder.js';
import type { Forwarders } from './upstream/forwarders.js';

export interface GatewayOptions {
  readonly config: GatewayConfig;
  /** The proxied path families (the routing decision reads query ids with the same rules). */
  readonly paths: PathRules;
  readonly registry: () => Registry;
  readonly decision: RoutingDecision;
  readonly owners: QueryOwners;
  readonly forwarders: Forwarders;
  readonly cookies: CookieCodec | undefined;
  readonly markUnreachable: (cluster: string, message: string) => void;
  readonly metrics: ProxyMetrics;
  readonly logger: Logger;
  /** Query management: admission counting and the queue's own pages. */
  readonly queue?: { readonly queue: QueryQueue; readonly pages: QueuedPages } | undefined;
  /** Query history; undefined when it is off. */
  readonly history?: QueryHistory | undefined;
  /** OpenTelemetry tracing; undefined when it is off (then no span is ever made). */
  readonly tracing?: Tracing | undefined;
}

/** The request target; `prefixCluster` when prefix routing names one (`/_c/blue/v1/...`, prefix removed). */
interface Target {
  readonly path: string;
  readonly query: string;
  readonly target: string;
  readonly cluster?: string;
}

export class Gateway {
  readonly #paths: PathRules;
  readonly #clusterPrefix: string | undefined;
  #draining = false;

  constructor(readonly options: GatewayOptions) {
    this.#paths = options.paths;
    this.#clusterPrefix = options.config.routing.clusterPrefix;
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
    let traced: RequestTrace | undefined;
    const parsed = parseRequestTarget(req.url ?? '');
    const done = (error?: unknown) => {
      if (error !== undefined) {
        sendError(res, error, submit);
        if (!(error instanceof GatewayError)) {
          this.options.logger.error('unexpected error while proxying', { error: String(error), kind });
        }
      }
      this.options.metrics.request(kind, res.statusCode, (performance.now() - started) / 1000);
      traced?.end(res.statusCode, error);
    };
    if ('error' in parsed) {
      done(new InvalidRequestTargetError(`Invalid request target: ${parsed.error}`));
      return;
    }
    const prefix = this.#clusterPrefix;
    const target: Target = (prefix === undefined ? undefined : splitClusterPrefix(parsed, prefix)) ?? parsed;
    const pathKind = classifyPath(target.path, this.#paths);
    if (pathKind === undefined) {
      done(new PathNotProxiedError(target.path));
      return;
    }
    submit = isStatementSubmit(req.method ?? 'GET', pathKind);
    kind = submit ? 'submit' : pathKind;
    if (pathKind === 'statement' && this.options.tracing !== undefined) {
      traced = this.options.tracing.start(
        submit ? 'junction.submit' : 'junction.poll',
        req.method ?? 'GET',
        target.path,
        req.headers,
      );
    }
    const work = submit ? this.#submit(req, res, target, traced) : this.#forward(req, res, target, pathKind, traced);
    work.then(() => done(), done);
  };

  /** Any request except the statement POST: stream it to its owner or to a newly chosen cluster. */
  async #forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    kind: RequestKind,
    traced: RequestTrace | undefined,
  ): Promise<void> {
    const registry = this.options.registry();
    const request = routingRequest(req, target, kind, undefined, undefined);
    const answer = await decideTraced(this.options.decision, request, registry, traced);
    if (answer.action === 'queue') return this.#queuePages().serve(req, res, answer.entry, target.path);
    const destination = routeOrThrow(answer);
    const deleteCookie = this.options.cookies?.isDeletePath(target.path) === true;
    const up = traced?.upstream(destination.cluster.name);
    const headers = withHeaders(this.#upstreamHeaders(req, destination.cluster, false), up?.headers);
    const hook = responseHook(this.options, req, destination, deleteCookie, kind);
    const listeners = this.#listeners(req.method ?? 'GET', target, kind, destination, registry);
    const observer = listeners === undefined ? undefined : watchQuery(req.method ?? 'GET', target.path, listeners);
    try {
      await this.options.forwarders.get(destination.cluster).stream(req, res, target.target, headers, hook, observer);
      if (up !== undefined) finish(up.span);
    } catch (error) {
      if (up !== undefined) finish(up.span, error);
      this.#noteFailure(destination.cluster, error);
      const queryId = destination.queryId;
      if (kind === 'statement' && queryId !== undefined && QueryLostError.lost(error, req.method) && !res.headersSent) {
        // The query is gone with its cluster: its slot is freed and history records how it ended.
        for (const listener of listeners ?? []) listener.ended({ state: 'FAILED', errorName: 'UPSTREAM_UNREACHABLE' });
        sendJson(
          res,
          200,
          failedResults(queryId, `about:blank#${queryId}`, new QueryLostError(destination.cluster.name)),
        );
        return;
      }
      throw error;
    }
  }

  /**
   * The statement POST: read the SQL, let the decision choose (the owner for kill_query), send it —
   * failing over within the group only when the connection could not be made — then record the new
   * query id before the answer reaches the client.
   */
  async #submit(req: IncomingMessage, res: ServerResponse, target: Target, traced?: RequestTrace): Promise<void> {
    const submittedAt = Date.now();
    const statement = new Statement(await readBody(req), req.headers);
    const { history } = this.options;
    const submission = (answer: RouteTo | QueueIn | undefined): Submission => ({
      headers: req.headers,
      body: statement.body,
      submittedAt,
      group: answer?.group?.name,
      by: answer?.by,
      rule: answer?.rule,
    });
    const attempt: { answer?: RouteTo | QueueIn } = {};
    try {
      await this.#send(req, res, target, statement, submission, attempt, traced);
    } catch (error) {
      // Answered FAILED by the gateway itself: history records it under the id the client sees.
      if (history === undefined || !(error instanceof GatewayError) || !error.failsQuery || res.headersSent) {
        throw error;
      }
      const id = newFailedQueryId();
      const { answer } = attempt;
      history.refused(
        submission(answer),
        id,
        error.errorName,
        answer?.action === 'route' ? answer.cluster.name : undefined,
      );
      sendError(res, error, true, id);
    }
  }

  /** Decides and sends (or queues) the submission; failing over on a connect failure. */
  async #send(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    statement: Statement,
    submission: (answer: RouteTo | QueueIn) => Submission,
    /** The last routing answer, for history when the submission fails in the gateway. */
    attempt: { answer?: RouteTo | QueueIn },
    traced: RequestTrace | undefined,
  ): Promise<void> {
    const { history } = this.options;
    const registry = this.options.registry();
    const exclude = new Set<string>();
    for (;;) {
      const request = routingRequest(req, target, 'statement', statement, exclude);
      const answer = await decideTraced(this.options.decision, request, registry, traced);
      if (answer.action !== 'reject') attempt.answer = answer;
      if (answer.action === 'queue') {
        history?.queued(submission(answer), answer.entry);
        return this.#queuePages().queued(req, res, answer.entry);
      }
      const destination = routeOrThrow(answer);
      const { cluster, slot } = destination;
      const up = traced?.upstream(cluster.name);
      const extra =
        up === undefined ? statement.upstreamExtraHeaders : { ...statement.upstreamExtraHeaders, ...up.headers };
      const headers = withHeaders(this.#upstreamHeaders(req, cluster, true), extra);
      let result: SubmitResult;
      const sentAt = performance.now();
      try {
        result = await this.options.forwarders.get(cluster).submit(target.target, headers, statement.body);
        this.options.metrics.upstream('submit', (performance.now() - sentAt) / 1000);
        if (up !== undefined) finish(up.span);
      } catch (error) {
        if (up !== undefined) finish(up.span, error);
        this.#noteFailure(cluster, error);
        if (slot !== undefined) await this.options.queue?.queue.release(slot);
        if (destination.group !== undefined && error instanceof UpstreamUnreachableError && error.beforeSend) {
          exclude.add(cluster.name);
          continue;
        }
        throw error;
      }
      if (destination.group !== undefined) this.options.metrics.routed(destination.group.name, cluster.name);
      const recording = traced?.child('junction.record_owner');
      const queryId = await this.#recordAndReply(res, cluster.name, result, slot);
      if (recording !== undefined) finish(recording);
      if (queryId !== undefined) traced?.queryId(queryId);
      if (queryId !== undefined) history?.routed(submission(destination), queryId, cluster.name, result.body);
      return;
    }
  }

  /**
   * Who listens to a running query's follow-up: query management (its lease, its end) and history
   * (first rows, the end). undefined when nobody does.
   */
  /** Who listens to a follow-up's pages (query management, history); undefined when nobody does. */
  #listeners(
    method: string,
    target: Target,
    kind: RequestKind,
    destination: RouteTo,
    registry: Registry,
  ): PageListener[] | undefined {
    const { history } = this.options;
    // Routed by its cluster prefix, a follow-up was not looked up by id; its path still names it.
    const queryId =
      destination.queryId ??
      (destination.by === 'prefix' ? extractQueryId(target.path, target.query, this.#paths) : undefined);
    if (queryId === undefined) return undefined;
    const listeners: PageListener[] = [];
    if (kind === 'statement') {
      const queue = registry.managesQueries ? this.options.queue?.queue : undefined;
      if (queue !== undefined) listeners.push(queue.follow(queryId, method));
      if (history !== undefined) listeners.push(history.follow(queryId));
    } else if (kind === 'query' && method === 'DELETE' && history !== undefined) {
      // DELETE /v1/query/<id>: how trino-client and the Trino UI kill a query.
      listeners.push(history.follow(queryId));
    }
    return listeners.length === 0 ? undefined : listeners;
  }

  #queuePages(): QueuedPages {
    // The decision answers 'queue' only when it was given a queue, which comes with its pages.
    const queue = this.options.queue;
    if (queue === undefined) throw new InternalGatewayError();
    return queue.pages;
  }

  #upstreamHeaders(req: IncomingMessage, cluster: ClusterEntry, statementSubmit: boolean): string[] {
    const prefix = this.#clusterPrefix;
    return upstreamRequestHeaders(req, {
      forwardedHeaders: this.options.config.routing.forwardedHeaders,
      dropAcceptEncoding: statementSubmit,
      prefix: prefix === undefined ? undefined : `${prefix}/${encodeURIComponent(cluster.name)}`,
    });
  }

  async #recordAndReply(
    res: ServerResponse,
    cluster: string,
    result: SubmitResult,
    slot: string | undefined,
  ): Promise<string | undefined> {
    const { statusCode, headers, body } = result;
    const queue = this.options.queue?.queue;
    // Before the answer reaches the client; the query id is read once.
    const queryId = await recordStatementAnswer(this.options.owners, cluster, result);
    if (slot !== undefined && queue !== undefined) await queue.started(slot, queryId, result);
    headers['content-length'] = String(body.length);
    res.writeHead(statusCode, headers as Record<string, string | string[]>);
    res.end(body);
    return queryId;
  }

  #noteFailure(cluster: ClusterEntry, error: unknown): void {
    if (error instanceof UpstreamUnreachableError && error.beforeSend) {
      this.options.markUnreachable(cluster.name, error.message);
    }
  }
}
