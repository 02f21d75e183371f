// The routing model every component reads: an immutable Registry built from resources, and the
// health each cluster was last seen in. Nothing mutates a Registry; a new one replaces it.
import type { ResourceKind } from './resource-kinds.js';
import type { AdmissionLimit, FairShare } from './schemas/group-queue.js';
import type { ClusterPhase, HealthCheck, RoutingStrategy } from './schemas/resources.js';

/** What a CEL rule sees as `request`. Header names are lower-case. */
export interface RuleRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  user: string;
  source: string;
  clientTags: string[];
  catalog: string;
  schema: string;
}

/**
 * What a CEL rule sees as `sql`: the facts of a submitted statement (docs/routing.md). Worked out only
 * when some condition reads `sql`, at most once per submission; `parsed` is false when the statement
 * was too large, ran over the time budget, did not parse, or the request is not a statement submission.
 */
export interface RuleSql {
  readonly parsed: boolean;
  /** '' when parsed; otherwise why not. */
  readonly error: string;
  /** Trino's AST class ('Query', 'Insert', 'CreateTableAsSelect', …); '' when not parsed. */
  readonly statement: string;
  /** Trino's resource-group QueryType ('SELECT', 'INSERT', 'DATA_DEFINITION', …); '' when none. */
  readonly queryType: string;
  /** Referenced catalogs, lower-case, sorted, unique. */
  readonly catalogs: readonly string[];
  /** Referenced schemas as 'catalog.schema'. */
  readonly schemas: readonly string[];
  /** Referenced tables and views as 'catalog.schema.table'. */
  readonly tables: readonly string[];
}

/** A compiled CEL condition: `sql` is asked for only when `readsSql` (it may cost a parse). */
export interface RuleCondition {
  /** True when the condition references the `sql` variable. */
  readonly readsSql: boolean;
  /** True when the condition holds; an evaluation error counts as false. */
  matches(request: RuleRequest, sql?: RuleSql): boolean;
}

export interface CompiledRule extends RuleCondition {
  readonly name: string;
  /** The group this rule routes to. */
  readonly group: string;
  readonly priority: number;
  readonly condition: string;
}

/** A named CEL condition compiled once per registry build (queue priority classes, admission limits). */
export interface CompiledCondition extends RuleCondition {
  readonly name: string;
  readonly condition: string;
}

/** RoutingGroup.spec.queue, compiled. */
export interface GroupQueueing {
  readonly maxQueued: number;
  readonly maxWaitMs: number;
  /** In service order; a query none of them claims joins the implicit last class, "default". */
  readonly classes: readonly CompiledCondition[];
  readonly fairShare: FairShare;
}

/** One RoutingGroup.spec.admission entry, compiled. */
export interface CompiledAdmission extends CompiledCondition {
  readonly key: AdmissionLimit['key'];
  readonly maxConcurrent: number | undefined;
  readonly maxPerSecond: number | undefined;
  /** Tokens the rate allows at once: `burst`, else maxPerSecond rounded up. */
  readonly burst: number;
  readonly onExceed: AdmissionLimit['onExceed'];
}

export interface ClusterEntry {
  readonly name: string;
  /** Origin the proxy connects to, without trailing slash: "http://trino-blue:8080". */
  readonly url: string;
  readonly externalUrl: string;
  readonly enabled: boolean;
  readonly weight: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly healthCheck: HealthCheck;
  /** Names of the groups whose selector matches this cluster, sorted. */
  readonly groups: readonly string[];
  /** spec.maxRunningQueries: undefined = unlimited. */
  readonly maxRunningQueries: number | undefined;
}

export interface GroupEntry {
  readonly name: string;
  readonly strategy: RoutingStrategy;
  readonly priority: number;
  readonly isDefault: boolean;
  readonly fallbackGroup: string | undefined;
  /** Member cluster names, sorted. */
  readonly members: readonly string[];
  readonly rules: readonly CompiledRule[];
  /** False when the group's rules, queue classes or admission conditions did not compile (it then carries its previous valid ones, if any). */
  readonly rulesValid: boolean;
  readonly queue: GroupQueueing;
  readonly admission: readonly CompiledAdmission[];
}

export interface RegistryProblem {
  readonly kind: ResourceKind | 'Registry';
  readonly name: string;
  readonly severity: 'error' | 'warning';
  /** e.g. "spec.rules[0].condition: undeclared reference to 'requets'" */
  readonly message: string;
}

export interface Registry {
  /** Rises with every new snapshot from the same source. */
  readonly generation: number;
  readonly clusters: ReadonlyMap<string, ClusterEntry>;
  readonly groups: ReadonlyMap<string, GroupEntry>;
  /** The group requests go to when nothing else claims them; undefined when none exists. */
  readonly defaultGroup: string | undefined;
  /** Every group's rules in evaluation order: group priority, then group name, then rule order. */
  readonly rules: readonly CompiledRule[];
  readonly problems: readonly RegistryProblem[];
  /**
   * True when some cluster has a maxRunningQueries or some group an admission limit: the proxy then
   * counts queries from forward to end. False keeps the plain routing path free of that work.
   */
  readonly managesQueries: boolean;
  /** True when some rule, priority class or admission condition reads `sql`: submissions may then be parsed. */
  readonly readsSql: boolean;
}

/** What the prober last learned about a cluster. */
export interface ClusterHealth {
  readonly phase: Exclude<ClusterPhase, 'Draining'>;
  readonly runningQueries: number;
  readonly queuedQueries: number;
  /** Active worker nodes when the health check reports them. */
  readonly activeNodes: number | undefined;
  /** Epoch ms of the last completed probe; 0 before the first. */
  readonly probedAt: number;
  readonly message: string;
}

export const PENDING_HEALTH: ClusterHealth = Object.freeze({
  phase: 'Pending',
  runningQueries: 0,
  queuedQueries: 0,
  activeNodes: undefined,
  probedAt: 0,
  message: 'not probed yet',
});

/**
 * True when two healths say the same, probedAt included: a new probe is news. The operator republishes a
 * cluster's health only when it changes, and a proxy lifts its local "unreachable" mark only once the stored
 * probedAt moves past it; ignoring probedAt would leave an idle healthy cluster marked Unhealthy there for good.
 */
export function sameHealth(a: ClusterHealth, b: ClusterHealth): boolean {
  return (
    a.phase === b.phase &&
    a.runningQueries === b.runningQueries &&
    a.queuedQueries === b.queuedQueries &&
    a.activeNodes === b.activeNodes &&
    a.probedAt === b.probedAt &&
    a.message === b.message
  );
}
