// The proxy's one routing decision, in order: sticky ownership first (cluster prefix, query id or
// kill_query target, OAuth2 id, routing cookie), then a routing group and a cluster in it. Forward
// and submit both ask it; it answers route to a cluster, queue in a group, or reject.
import type { IncomingMessage } from 'node:http';
import {
  type ClusterEntry,
  type GroupEntry,
  NO_SQL_FACTS,
  type Registry,
  type RuleRequest,
  type RuleSql,
} from '@junction/shared';
import type { PathRules, RequestKind } from '../http/classify.js';
import { GatewayError, UnknownClusterError, UnknownQueryError } from '../http/errors.js';
import { isQueuedQueryId } from '../http/gateway-query-ids.js';
import { extractQueryId } from '../http/query-id.js';
import type { QueryQueue } from '../queue/query-queue.js';
import { SqlAnalyser } from '../sql/analyser.js';
import type { Statement } from '../sql/statement.js';
import type { CookieCodec } from '../sticky/cookies.js';
import { oauthIdFromPath } from '../sticky/oauth-ids.js';
import type { QueryOwners } from '../sticky/query-owners.js';
import type { ExternalRouter } from './external-router.js';
import type { GroupChoice, Router } from './router.js';
import { ruleRequest } from './rule-request.js';

/** Why a request went where it went: a sticky owner, or how a new request's group was chosen. */
export type RoutedBy = 'prefix' | 'query-id' | 'oauth2-id' | 'cookie' | 'header' | 'external' | 'rule' | 'default';

export interface RoutingRequest {
  readonly req: IncomingMessage;
  /** The request target, without a cluster prefix. */
  readonly path: string;
  readonly query: string;
  /** Origin-form target as sent upstream (kept with a queued submission). */
  readonly target: string;
  readonly kind: RequestKind;
  /** Prefix routing: the cluster the path names (`/_c/blue/v1/...`). */
  readonly prefixCluster: string | undefined;
  /** A statement submission: its SQL names a kill_query target and, when asked, SQL facts. */
  readonly statement: Statement | undefined;
  /** Clusters that just failed to connect; a new query fails over past them. */
  readonly exclude?: ReadonlySet<string>;
}

/** Sent to `cluster`. `group` is set for a new request (so it may fail over within the group). */
export interface RouteTo {
  readonly action: 'route';
  readonly cluster: ClusterEntry;
  readonly by: RoutedBy;
  readonly group: GroupEntry | undefined;
  /** The matching rule, when `by` is 'rule'. */
  readonly rule: string | undefined;
  /** A routing cookie the response must set (OAuth2 handshakes). */
  readonly setCookie: string | undefined;
  /** The query a follow-up belongs to, when `by` is 'query-id'. */
  readonly queryId: string | undefined;
  /** Query management holds a slot for this submission under this id (until its answer names the query). */
  readonly slot: string | undefined;
}

/**
 * Answered by the gateway's queue: a submission it just queued in `group`, or a follow-up (poll,
 * DELETE, info) of a query that waits there (`group` undefined).
 */
export interface QueueIn {
  readonly action: 'queue';
  readonly entry: string;
  readonly group: GroupEntry | undefined;
  readonly by: RoutedBy;
  readonly rule: string | undefined;
}

/** Answered by the gateway itself with the catalogue error (a FAILED QueryResults for submissions). */
export interface Reject {
  readonly action: 'reject';
  readonly error: GatewayError;
}

export type Destination = RouteTo | QueueIn | Reject;

export interface RoutingDecisionOptions {
  readonly router: Router;
  readonly owners: QueryOwners;
  readonly cookies: CookieCodec | undefined;
  readonly paths: PathRules;
  /** Query management; undefined when this proxy runs without it (tests of routing alone). */
  readonly queue?: QueryQueue | undefined;
  /** Analyses a submission for conditions that read sql.*; default bounds when not given. */
  readonly sql?: SqlAnalyser | undefined;
  /** routing.external: asked for the group of a new statement after the header, before the rules. */
  readonly external?: ExternalRouter | undefined;
}

const reject = (error: GatewayError): Reject => ({ action: 'reject', error });
const sticky = (cluster: ClusterEntry, by: RoutedBy, queryId?: string): RouteTo => ({
  action: 'route',
  cluster,
  by,
  group: undefined,
  rule: undefined,
  setCookie: undefined,
  queryId,
  slot: undefined,
});

export class RoutingDecision {
  readonly #sql: SqlAnalyser;

  constructor(readonly options: RoutingDecisionOptions) {
    this.#sql = options.sql ?? new SqlAnalyser();
  }

  /** Where `request` goes. Sticky owners ignore `enabled` and group membership, not deletion. */
  async decide(request: RoutingRequest, registry: Registry): Promise<Destination> {
    const { path, kind, statement, req } = request;
    const { owners, cookies } = this.options;
    if (request.prefixCluster !== undefined) {
      const named = registry.clusters.get(request.prefixCluster);
      return named === undefined ? reject(new UnknownClusterError(request.prefixCluster)) : sticky(named, 'prefix');
    }
    const queryId =
      statement === undefined ? extractQueryId(path, request.query, this.options.paths) : statement.killedQueryId();
    if (queryId !== undefined) {
      if (isQueuedQueryId(queryId) && this.options.queue !== undefined) {
        return { action: 'queue', entry: queryId, group: undefined, by: 'query-id', rule: undefined };
      }
      return this.#owner(queryId, registry, req);
    }
    if (kind === 'oauth2') {
      const id = oauthIdFromPath(path);
      const owner = id === undefined ? undefined : registry.clusters.get((await owners.oauthOwner(id)) ?? '');
      if (owner !== undefined) return sticky(owner, 'oauth2-id');
    }
    let issueCookie = false;
    if (cookies !== undefined && (kind === 'oauth2' || kind === 'cookie')) {
      const cookie = await cookies.read(req.headers.cookie);
      const owner =
        cookie !== undefined && cookies.routes(cookie, path) ? registry.clusters.get(cookie.cluster) : undefined;
      if (owner !== undefined) return sticky(owner, 'cookie');
      issueCookie = cookies.issuesOn(path);
    }
    return this.#choose(request, registry, issueCookie);
  }

  async #owner(queryId: string, registry: Registry, req: IncomingMessage): Promise<Destination> {
    const name = await this.options.owners.owner(queryId, registry, req.headers);
    if (name === undefined) return reject(new UnknownQueryError(queryId));
    const cluster = registry.clusters.get(name);
    if (cluster === undefined) {
      return reject(new UnknownQueryError(queryId, `its cluster "${name}" is no longer registered`));
    }
    return sticky(cluster, 'query-id', queryId);
  }

  /** Something new: a group (header, external service, rules, default), then a routable member of it — or admission. */
  async #choose(request: RoutingRequest, registry: Registry, issueCookie: boolean): Promise<Destination> {
    const { router, cookies, queue } = this.options;
    const { req, path, query, statement } = request;
    let rules: RuleRequest | undefined;
    const ruleInput = () => {
      rules ??= ruleRequest(req, path, query);
      return rules;
    };
    // The statement remembers its facts, so a second decision after a connect failure parses nothing.
    const sql = (): RuleSql => (statement === undefined ? NO_SQL_FACTS : statement.sqlFacts(this.#sql));
    let choice = router.headerChoice(registry, req.headers) ?? (await this.#external(request, registry, ruleInput));
    try {
      choice ??= router.chooseGroup(registry, req.headers, ruleInput, sql);
    } catch (error) {
      if (error instanceof GatewayError) return reject(error);
      throw error;
    }
    const rule = choice.by === 'rule' ? choice.rule : undefined;
    if (statement !== undefined && queue?.manages(choice.group, registry) === true) {
      return this.#admit(request, registry, queue, choice, ruleInput(), sql, rule);
    }
    let cluster: ClusterEntry;
    try {
      cluster = router.chooseCluster(registry, choice.group, {
        newQuery: statement !== undefined,
        exclude: request.exclude,
      });
    } catch (error) {
      if (error instanceof GatewayError) return reject(error);
      throw error;
    }
    const secure = req.headers['x-forwarded-proto'] === 'https';
    const setCookie = issueCookie && cookies !== undefined ? await cookies.issue(cluster.name, secure) : undefined;
    return {
      action: 'route',
      cluster,
      by: choice.by,
      group: choice.group,
      rule,
      setCookie,
      queryId: undefined,
      slot: undefined,
    };
  }

  /** The external service's group for a new statement (asked once per submission), if it names one. */
  async #external(
    request: RoutingRequest,
    registry: Registry,
    rules: () => RuleRequest,
  ): Promise<GroupChoice | undefined> {
    const { external } = this.options;
    const { statement, req } = request;
    if (external === undefined || statement === undefined) return undefined;
    const choice = await statement.externalChoice(() => {
      const facts = external.sendsSqlFacts;
      return external.groupFor(
        {
          method: req.method ?? 'POST',
          path: request.path,
          query: request.query,
          remoteAddress: req.socket.remoteAddress,
          request: rules(),
          sql: facts ? statement.sqlFacts(this.#sql) : undefined,
          body: facts && statement.body.length <= this.#sql.options.maxBytes ? statement.sql : '',
          headers: external.forwardedHeaders(req.headers),
        },
        (group) => registry.groups.has(group),
      );
    });
    const group = choice === undefined ? undefined : registry.groups.get(choice.group);
    if (choice === undefined || group === undefined) return undefined;
    // The service's externalHeaders go with the statement to whichever member the group picks.
    statement.upstreamExtraHeaders = choice.headers;
    return { group, by: 'external' };
  }

  /** A new query of a managed group: run now on a member with room, wait in the group's queue, or be refused. */
  async #admit(
    request: RoutingRequest,
    registry: Registry,
    queue: QueryQueue,
    choice: GroupChoice,
    rules: RuleRequest,
    sql: () => RuleSql,
    rule: string | undefined,
  ): Promise<Destination> {
    const { group, by } = choice;
    const candidates = this.options.router.candidates(registry, group, request.exclude);
    if (candidates.length === 0) return reject(this.options.router.noClusterError(registry, group, request.exclude));
    const admission = await queue.admit({
      req: request.req,
      target: request.target,
      statement: request.statement as Statement,
      group,
      request: rules,
      sql,
      candidates,
    });
    switch (admission.outcome) {
      case 'run':
        return {
          action: 'route',
          cluster: admission.cluster,
          by,
          group,
          rule,
          setCookie: undefined,
          queryId: undefined,
          slot: admission.id,
        };
      case 'queued':
        return { action: 'queue', entry: admission.id, group, by, rule };
      case 'rejected':
        return reject(admission.error);
    }
  }
}

/** The request target the decision reads: the gateway's, with any cluster prefix split off (`cluster`). */
export interface DecisionTarget {
  readonly path: string;
  readonly query: string;
  readonly target: string;
  readonly cluster?: string;
}

export function routingRequest(
  req: IncomingMessage,
  target: DecisionTarget,
  kind: RequestKind,
  statement: Statement | undefined,
  exclude: ReadonlySet<string> | undefined,
): RoutingRequest {
  const { path, query } = target;
  return { req, path, query, target: target.target, kind, prefixCluster: target.cluster, statement, exclude };
}

/** Forwarding needs a cluster: a rejection is answered with its error (queue answers are handled before). */
export function routeOrThrow(destination: Exclude<Destination, QueueIn>): RouteTo {
  if (destination.action === 'route') return destination;
  throw destination.error;
}
