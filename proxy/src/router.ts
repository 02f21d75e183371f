// Chooses where a new query goes: the routing group (header, then CEL rules, then the default)
// and a cluster in it (Healthy, enabled, weight > 0, by the group's strategy), following the
// group's fallbackGroup once. Sticky follow-ups never come here.
import type { IncomingMessage } from 'node:http';
import type { ClusterEntry, ClusterHealth, GroupEntry, Registry, RuleRequest } from '@junction/shared';
import { NoHealthyClusterError, NoRoutingGroupError } from './errors.js';
import type { RoutedCounter } from './load/routed-counter.js';
import { type Candidate, type Chooser, createChooser } from './strategies/index.js';

export interface HealthView {
  get(name: string): ClusterHealth;
  /** Rises whenever any cluster's health changes, so routers can cache what they derive from it. */
  version(): number;
}

/** A group's routable members, derived once per registry snapshot and health change. */
interface Routable {
  readonly generation: number;
  readonly healthVersion: number;
  readonly candidates: Array<{ name: string; weight: number; load: number }>;
  /** All weights equal: RoundRobin is a plain rotation and Random a uniform index, both O(1). */
  readonly uniform: boolean;
  next: number;
}

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

  /** The routing group for a new request. */
  chooseGroup(registry: Registry, req: IncomingMessage, path: string, query: string): GroupEntry {
    if (this.options.honorRoutingGroupHeader) {
      const named = req.headers['x-trino-routing-group'];
      const group = typeof named === 'string' ? registry.groups.get(named) : undefined;
      if (group !== undefined) return group;
    }
    if (registry.rules.length > 0) {
      const request = ruleRequest(req, path, query);
      for (const rule of registry.rules) {
        if (rule.matches(request)) {
          const group = registry.groups.get(rule.group);
          if (group !== undefined) return group;
        }
      }
    }
    const fallback = registry.defaultGroup === undefined ? undefined : registry.groups.get(registry.defaultGroup);
    if (fallback === undefined) {
      throw new NoRoutingGroupError('No routing group matches the request and no default routing group is defined');
    }
    return fallback;
  }

  /**
   * A routable cluster of `group`, else of its fallbackGroup (once, no chains).
   * `exclude` names clusters that just failed to connect (failover of a submission).
   */
  chooseCluster(registry: Registry, group: GroupEntry, exclude?: ReadonlySet<string>): ClusterEntry {
    const chosen = this.#pick(registry, group, exclude);
    if (chosen !== undefined) return chosen;
    const fallback = group.fallbackGroup === undefined ? undefined : registry.groups.get(group.fallbackGroup);
    const fromFallback = fallback === undefined ? undefined : this.#pick(registry, fallback, exclude);
    if (fromFallback !== undefined) return fromFallback;
    let reason = this.#whyNone(registry, group, exclude);
    if (fallback !== undefined)
      reason += `; fallback group "${fallback.name}": ${this.#whyNone(registry, fallback, exclude)}`;
    throw new NoHealthyClusterError(group.name, reason);
  }

  /** Records that a new query went to `cluster` (LeastLoaded counts it until the next probe). */
  routed(cluster: string): void {
    this.options.counter.increment(cluster);
  }

  #pick(registry: Registry, group: GroupEntry, exclude: ReadonlySet<string> | undefined): ClusterEntry | undefined {
    const routable = this.#routableMembers(registry, group);
    let candidates = routable.candidates;
    if (exclude !== undefined && exclude.size > 0) candidates = candidates.filter((c) => !exclude.has(c.name));
    if (candidates.length === 0) return undefined;
    if (group.strategy === 'LeastLoaded') {
      for (const candidate of candidates) {
        candidate.load = this.#load(candidate.name, this.options.health.get(candidate.name));
      }
    } else if (routable.uniform && candidates === routable.candidates) {
      const index =
        group.strategy === 'RoundRobin'
          ? routable.next++ % candidates.length
          : Math.floor(Math.random() * candidates.length);
      return registry.clusters.get((candidates[index] as Candidate).name);
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
    const uniform = candidates.every((candidate) => candidate.weight === candidates[0]?.weight);
    const routable: Routable = {
      generation: registry.generation,
      healthVersion,
      candidates,
      uniform,
      next: cached?.next ?? 0,
    };
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

/** The `request` a CEL rule sees. Built only when there are rules. */
export function ruleRequest(req: IncomingMessage, path: string, query: string): RuleRequest {
  const headers = req.headers;
  const tags = header(headers['x-trino-client-tags']);
  return {
    method: req.method ?? 'GET',
    path,
    query: query === '' ? {} : Object.fromEntries(new URLSearchParams(query)),
    headers: headers as Record<string, string>,
    user: header(headers['x-trino-user']) || header(headers['x-presto-user']) || basicUser(headers.authorization),
    source: header(headers['x-trino-source']) || header(headers['x-presto-source']),
    clientTags: tags === '' ? [] : tags.split(',').map((tag) => tag.trim()),
    catalog: header(headers['x-trino-catalog']) || header(headers['x-presto-catalog']),
    schema: header(headers['x-trino-schema']) || header(headers['x-presto-schema']),
  };
}

function header(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join(',');
}

function basicUser(authorization: string | undefined): string {
  if (authorization === undefined || !/^basic /i.test(authorization)) return '';
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : decoded.slice(0, colon);
}
