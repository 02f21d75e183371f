// The two choices for anything new: the routing group (header, then CEL rules, then the default)
// and a cluster in it (Healthy, enabled, weight > 0, by the group's strategy), following the
// group's fallbackGroup once. Sticky follow-ups never come here; decision.ts orders the steps.
import type { IncomingHttpHeaders } from 'node:http';
import type { ClusterEntry, ClusterHealth, GroupEntry, Registry, RuleRequest, RuleSql } from '@junction/shared';
import { NoHealthyClusterError, NoRoutingGroupError } from '../http/errors.js';
import type { HealthView } from '../registry/health-view.js';
import type { RoutedCounter } from './routed-counter.js';
import { type Chooser, createChooser } from './strategies/index.js';

/** A group's routable members, derived once per registry snapshot and health change. */
interface Routable {
  readonly generation: number;
  readonly healthVersion: number;
  /** The same array until the members change, so choosers can cache what they derive from it. */
  readonly candidates: Array<{ name: string; weight: number; load: number }>;
}

/** How the group of a new query was chosen. */
export type GroupChoice =
  | { readonly group: GroupEntry; readonly by: 'header' | 'external' | 'default' }
  | { readonly group: GroupEntry; readonly by: 'rule'; readonly rule: string };

export interface RouterOptions {
  readonly health: HealthView;
  readonly counter: RoutedCounter;
  readonly honorRoutingGroupHeader: boolean;
}

export class Router {
  readonly #choosers = new Map<string, { strategy: string; chooser: Chooser }>();
  readonly #routable = new Map<string, Routable>();
  readonly #baselines = new Map<string, { probedAt: number; base: number }>();

  constructor(readonly options: RouterOptions) {}

  /**
   * The routing group for a new request. `rules` builds what CEL rules see as `request`; it is called
   * only when there are rules to evaluate, at most once. `sql` gives the statement's facts; it is called
   * only when a rule that reads `sql` is reached (it may parse the statement; it remembers the answer).
   */
  chooseGroup(
    registry: Registry,
    headers: IncomingHttpHeaders,
    rules: () => RuleRequest,
    sql: () => RuleSql,
  ): GroupChoice {
    const header = this.headerChoice(registry, headers);
    if (header !== undefined) return header;
    if (registry.rules.length > 0) {
      const request = rules();
      for (const rule of registry.rules) {
        if (rule.matches(request, rule.readsSql ? sql() : undefined)) {
          const group = registry.groups.get(rule.group);
          if (group !== undefined) return { group, by: 'rule', rule: rule.name };
        }
      }
    }
    const fallback = registry.defaultGroup === undefined ? undefined : registry.groups.get(registry.defaultGroup);
    if (fallback === undefined) {
      throw new NoRoutingGroupError('No routing group matches the request and no default routing group is defined');
    }
    return { group: fallback, by: 'default' };
  }

  /** The group X-Trino-Routing-Group names, when it names one and the header is honoured. */
  headerChoice(registry: Registry, headers: IncomingHttpHeaders): GroupChoice | undefined {
    if (!this.options.honorRoutingGroupHeader) return undefined;
    const named = headers['x-trino-routing-group'];
    const group = typeof named === 'string' ? registry.groups.get(named) : undefined;
    return group === undefined ? undefined : { group, by: 'header' };
  }

  /**
   * A routable cluster of `group`, else of its fallbackGroup (once, no chains). `exclude` names
   * clusters that just failed to connect (failover of a submission). A new query is counted on the
   * chosen cluster at once, so LeastLoaded sees it before the next probe does.
   */
  chooseCluster(
    registry: Registry,
    group: GroupEntry,
    options: { readonly newQuery: boolean; readonly exclude?: ReadonlySet<string> | undefined },
  ): ClusterEntry {
    const { exclude } = options;
    const fallback = group.fallbackGroup === undefined ? undefined : registry.groups.get(group.fallbackGroup);
    const chosen =
      this.#pick(registry, group, exclude) ??
      (fallback === undefined ? undefined : this.#pick(registry, fallback, exclude));
    if (chosen !== undefined) {
      if (options.newQuery) this.countRouted(chosen.name);
      return chosen;
    }
    throw this.noClusterError(registry, group, exclude);
  }

  /**
   * For groups whose members have limits: every routable member of `group`, then of its fallbackGroup,
   * the strategy's choice first — admission takes the first of them with room.
   */
  candidates(registry: Registry, group: GroupEntry, exclude?: ReadonlySet<string>): ClusterEntry[] {
    const fallback = group.fallbackGroup === undefined ? undefined : registry.groups.get(group.fallbackGroup);
    const preferred = this.#pick(registry, group, exclude);
    const ordered: ClusterEntry[] = preferred === undefined ? [] : [preferred];
    for (const source of fallback === undefined ? [group] : [group, fallback]) {
      for (const { name } of this.#routableMembers(registry, source).candidates) {
        if (exclude?.has(name) || ordered.some((cluster) => cluster.name === name)) continue;
        const cluster = registry.clusters.get(name);
        if (cluster !== undefined) ordered.push(cluster);
      }
    }
    return ordered;
  }

  /** A new query was sent to `cluster`: LeastLoaded counts it until the next probe sees it. */
  countRouted(cluster: string): void {
    this.options.counter.increment(cluster);
  }

  /** Why `group` (and its fallback) has nothing routable, as the catalogue error. */
  noClusterError(registry: Registry, group: GroupEntry, exclude?: ReadonlySet<string>): NoHealthyClusterError {
    const fallback = group.fallbackGroup === undefined ? undefined : registry.groups.get(group.fallbackGroup);
    let reason = this.#whyNone(registry, group, exclude);
    if (fallback !== undefined)
      reason += `; fallback group "${fallback.name}": ${this.#whyNone(registry, fallback, exclude)}`;
    return new NoHealthyClusterError(group.name, reason);
  }

  #pick(registry: Registry, group: GroupEntry, exclude: ReadonlySet<string> | undefined): ClusterEntry | undefined {
    let candidates = this.#routableMembers(registry, group).candidates;
    if (exclude !== undefined && exclude.size > 0) candidates = candidates.filter((c) => !exclude.has(c.name));
    if (candidates.length === 0) return undefined;
    if (group.strategy === 'LeastLoaded') {
      for (const candidate of candidates) {
        candidate.load = this.#load(candidate.name, this.options.health.get(candidate.name));
      }
    }
    const choice = this.#chooser(group).choose(candidates);
    return choice === undefined ? undefined : registry.clusters.get(choice.name);
  }

  /** Healthy, enabled members with weight > 0 — recomputed only when the registry or health changed. */
  #routableMembers(registry: Registry, group: GroupEntry): Routable {
    const healthVersion = this.options.health.version();
    const cached = this.#routable.get(group.name);
    if (cached !== undefined && cached.generation === registry.generation && cached.healthVersion === healthVersion) {
      return cached;
    }
    const candidates: Routable['candidates'] = [];
    for (const name of group.members) {
      const cluster = registry.clusters.get(name);
      if (cluster === undefined || !cluster.enabled || cluster.weight <= 0) continue;
      if (this.options.health.get(name).phase !== 'Healthy') continue;
      candidates.push({ name, weight: cluster.weight, load: 0 });
    }
    const routable: Routable = { generation: registry.generation, healthVersion, candidates };
    this.#routable.set(group.name, routable);
    return routable;
  }

  /** Probe counts plus queries routed (by every replica) since that probe. */
  #load(name: string, health: ClusterHealth): number {
    const total = this.options.counter.total(name);
    let baseline = this.#baselines.get(name);
    if (baseline === undefined || baseline.probedAt !== health.probedAt) {
      baseline = { probedAt: health.probedAt, base: total };
      this.#baselines.set(name, baseline);
    }
    return health.runningQueries + health.queuedQueries + (total - baseline.base);
  }

  #chooser(group: GroupEntry): Chooser {
    const existing = this.#choosers.get(group.name);
    if (existing !== undefined && existing.strategy === group.strategy) return existing.chooser;
    const chooser = createChooser(group.strategy);
    this.#choosers.set(group.name, { strategy: group.strategy, chooser });
    return chooser;
  }

  #whyNone(registry: Registry, group: GroupEntry, exclude: ReadonlySet<string> | undefined): string {
    if (group.members.length === 0) return 'the group has no member clusters';
    const states = group.members.map((name) => {
      const cluster = registry.clusters.get(name);
      if (cluster === undefined) return `${name} (removed)`;
      if (exclude?.has(name)) return `${name} (unreachable)`;
      if (!cluster.enabled) return `${name} (draining)`;
      if (cluster.weight <= 0) return `${name} (weight 0)`;
      return `${name} (${this.options.health.get(name).phase})`;
    });
    return `no member is Healthy, enabled and weighted: ${states.join(', ')}`;
  }
}
