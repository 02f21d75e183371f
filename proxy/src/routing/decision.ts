// The proxy's one routing decision, in order: sticky ownership first (cluster prefix, query id or
// kill_query target, OAuth2 id, routing cookie), then a routing group and a cluster in it. Forward
// and submit both ask it; it answers route to a cluster, queue in a group, or reject.
import type { IncomingMessage } from 'node:http';
import type { ClusterEntry, GroupEntry, Registry } from '@junction/shared';
import type { PathRules, RequestKind } from '../http/classify.js';
import { GatewayError, UnknownClusterError, UnknownQueryError } from '../http/errors.js';
import { extractQueryId } from '../http/query-id.js';
import type { Statement } from '../sql/statement.js';
import type { CookieCodec } from '../sticky/cookies.js';
import { oauthIdFromPath } from '../sticky/oauth-ids.js';
import type { QueryOwners } from '../sticky/query-owners.js';
import type { Router } from './router.js';
import { ruleRequest } from './rule-request.js';

/** Why a request went where it went: a sticky owner, or how a new request's group was chosen. */
export type RoutedBy = 'prefix' | 'query-id' | 'oauth2-id' | 'cookie' | 'header' | 'rule' | 'default';

export interface RoutingRequest {
  readonly req: IncomingMessage;
  /** The request target, without a cluster prefix. */
  readonly path: string;
  readonly query: string;
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
}

/** Held by the gateway until a member of `group` has room (query management). */
export interface QueueIn {
  readonly action: 'queue';
  readonly group: GroupEntry;
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
}

const reject = (error: GatewayError): Reject => ({ action: 'reject', error });
const sticky = (cluster: ClusterEntry, by: RoutedBy): RouteTo => ({
  action: 'route',
  cluster,
  by,
  group: undefined,
  rule: undefined,
  setCookie: undefined,
});

export class RoutingDecision {
  constructor(readonly options: RoutingDecisionOptions) {}

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
    if (queryId !== undefined) return this.#owner(queryId, registry, req);
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
    return sticky(cluster, 'query-id');
  }

  /** Something new: a group (header, rules, default), then a routable member of it. */
  async #choose(request: RoutingRequest, registry: Registry, issueCookie: boolean): Promise<Destination> {
    const { router, cookies } = this.options;
    const { req, path, query } = request;
    let choice: ReturnType<Router['chooseGroup']>;
    let cluster: ClusterEntry;
    try {
      choice = router.chooseGroup(registry, req.headers, () => ruleRequest(req, path, query));
      cluster = router.chooseCluster(registry, choice.group, {
        newQuery: request.statement !== undefined,
        exclude: request.exclude,
      });
    } catch (error) {
      if (error instanceof GatewayError) return reject(error);
      throw error;
    }
    const secure = req.headers['x-forwarded-proto'] === 'https';
    const setCookie = issueCookie && cookies !== undefined ? await cookies.issue(cluster.name, secure) : undefined;
    const rule = choice.by === 'rule' ? choice.rule : undefined;
    return { action: 'route', cluster, by: choice.by, group: choice.group, rule, setCookie };
  }
}
