// Builds the immutable routing Registry from TrinoCluster and RoutingGroup resources. Pure and
// total: a bad resource becomes a RegistryProblem and is left out, so one typo never stops routing.
import type { ClusterEntry, CompiledRule, GroupEntry, Registry, RegistryProblem } from './model.js';
import { compileQueueing } from './queueing.js';
import { compileRule } from './rules.js';
import type { RoutingGroup, TrinoCluster } from './schemas/resources.js';
import { matchesSelector, selectorProblems } from './selector.js';

export interface RegistryInput {
  readonly clusters: readonly TrinoCluster[];
  readonly groups: readonly RoutingGroup[];
  /** routing.defaultRoutingGroup: the default when no RoutingGroup is marked default. */
  readonly defaultRoutingGroup: string;
  readonly generation: number;
  /** The registry this one replaces: groups whose rules no longer compile keep their rules from it. */
  readonly previous?: Registry;
}

/** A Map that refuses changes once built, so a snapshot shared by every request cannot drift. */
class FrozenMap<K, V> extends Map<K, V> {
  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    // super.set reaches Map.prototype.set directly; only outside callers meet the override.
    for (const [key, value] of entries) super.set(key, value);
    Object.freeze(this);
  }
  override set(_key: K, _value: V): this {
    throw new TypeError('Registry maps are read-only');
  }
  override delete(_key: K): boolean {
    throw new TypeError('Registry maps are read-only');
  }
  override clear(): void {
    throw new TypeError('Registry maps are read-only');
  }
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Keeps the first resource of each name and reports the others. */
function unique<T extends TrinoCluster | RoutingGroup>(items: readonly T[], problems: RegistryProblem[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const name = item.metadata.name;
    if (!seen.has(name)) {
      seen.add(name);
      return true;
    }
    problems.push(
      problem(item.kind, name, 'error', `metadata.name: duplicate ${item.kind} "${name}"; keeping the first`),
    );
    return false;
  });
}

function problem(
  kind: RegistryProblem['kind'],
  name: string,
  severity: RegistryProblem['severity'],
  message: string,
): RegistryProblem {
  return Object.freeze({ kind, name, severity, message });
}

/** The coordinator's origin ("http://a:8080"), or undefined when the URL carries more than that. */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') return undefined;
    if (parsed.username !== '' || parsed.password !== '') return undefined;
    return parsed.origin;
  } catch {
    return undefined;
  }
}

interface ClusterDraft {
  readonly cluster: TrinoCluster;
  readonly url: string;
  readonly groups: string[];
}

function clusterDrafts(clusters: readonly TrinoCluster[], problems: RegistryProblem[]): ClusterDraft[] {
  const drafts: ClusterDraft[] = [];
  for (const cluster of unique(clusters, problems)) {
    const url = originOf(cluster.spec.url);
    if (url === undefined) {
      const message = "spec.url: must be the coordinator's origin (scheme://host:port) without a path";
      problems.push(problem('TrinoCluster', cluster.metadata.name, 'error', message));
      continue;
    }
    drafts.push({ cluster, url, groups: [] });
  }
  return drafts.sort((a, b) => byName(a.cluster.metadata, b.cluster.metadata));
}

function chooseDefault(groups: readonly RoutingGroup[], fallbackName: string, problems: RegistryProblem[]) {
  const marked = groups.filter((group) => group.spec.default).map((group) => group.metadata.name);
  const [first] = marked;
  if (first !== undefined) {
    if (marked.length > 1) {
      const names = marked.map((name) => `"${name}"`).join(', ');
      problems.push(problem('Registry', '', 'error', `RoutingGroup ${names} are all marked default; using "${first}"`));
    }
    return first;
  }
  if (groups.some((group) => group.metadata.name === fallbackName)) return fallbackName;
  const message = `no RoutingGroup is marked default and routing.defaultRoutingGroup "${fallbackName}" does not exist; requests no rule claims will fail`;
  problems.push(problem('Registry', '', 'warning', message));
  return undefined;
}

function groupRules(group: RoutingGroup, previous: Registry | undefined, problems: RegistryProblem[]) {
  const name = group.metadata.name;
  const priority = group.spec.priority;
  const rules: CompiledRule[] = [];
  const seen = new Set<string>();
  let valid = true;
  group.spec.rules.forEach((rule, index) => {
    if (seen.has(rule.name)) {
      problems.push(
        problem('RoutingGroup', name, 'warning', `spec.rules[${index}].name: duplicate rule name "${rule.name}"`),
      );
    }
    seen.add(rule.name);
    const compiled = compileRule(rule.condition);
    if (!compiled.ok) {
      valid = false;
      problems.push(problem('RoutingGroup', name, 'error', `spec.rules[${index}].condition: ${compiled.error}`));
      return;
    }
    rules.push(
      Object.freeze({
        name: rule.name,
        group: name,
        priority,
        condition: rule.condition,
        readsSql: compiled.readsSql,
        matches: compiled.matches,
      }),
    );
  });
  if (valid) return { rules, valid };
  // The last valid rules keep routing as before; the new priority still applies to them.
  const kept = (previous?.groups.get(name)?.rules ?? []).map((rule) =>
    Object.freeze({ ...rule, group: name, priority }),
  );
  return { rules: kept, valid };
}

/** Builds a deeply frozen Registry; never throws. Problems describe what was left out and why. */
export function buildRegistry(input: RegistryInput): Registry {
  const problems: RegistryProblem[] = [];
  const clusters = clusterDrafts(input.clusters, problems);
  const groups = unique(input.groups, problems).sort((a, b) => byName(a.metadata, b.metadata));
  const defaultGroup = chooseDefault(groups, input.defaultRoutingGroup, problems);
  const groupNames = new Set(groups.map((group) => group.metadata.name));

  const entries: GroupEntry[] = groups.map((group) => {
    const name = group.metadata.name;
    const selector = group.spec.clusterSelector;
    const invalid = selectorProblems(selector);
    for (const message of invalid) {
      problems.push(problem('RoutingGroup', name, 'error', `spec.clusterSelector.${message}`));
    }
    const members =
      invalid.length > 0 ? [] : clusters.filter((d) => matchesSelector(selector, d.cluster.metadata.labels ?? {}));
    for (const member of members) member.groups.push(name);
    if (invalid.length === 0 && members.length === 0) {
      problems.push(problem('RoutingGroup', name, 'warning', 'spec.clusterSelector: matches no TrinoCluster'));
    }
    let fallbackGroup = group.spec.fallbackGroup;
    if (fallbackGroup === name) {
      problems.push(problem('RoutingGroup', name, 'warning', 'spec.fallbackGroup: names the group itself; ignored'));
      fallbackGroup = undefined;
    } else if (fallbackGroup !== undefined && !groupNames.has(fallbackGroup)) {
      const message = `spec.fallbackGroup: RoutingGroup "${fallbackGroup}" does not exist; ignored`;
      problems.push(problem('RoutingGroup', name, 'warning', message));
      fallbackGroup = undefined;
    }
    const { rules, valid } = groupRules(group, input.previous, problems);
    const queueing = compileQueueing(group, input.previous, (severity, message) =>
      problems.push(problem('RoutingGroup', name, severity, message)),
    );
    return Object.freeze({
      name,
      strategy: group.spec.strategy,
      priority: group.spec.priority,
      isDefault: name === defaultGroup,
      fallbackGroup,
      members: Object.freeze(members.map((d) => d.cluster.metadata.name)),
      rules: Object.freeze(rules),
      rulesValid: valid && queueing.valid,
      queue: queueing.queue,
      admission: queueing.admission,
    });
  });

  const clusterEntries: ClusterEntry[] = clusters.map(({ cluster, url, groups: memberOf }) => {
    const externalUrl = cluster.spec.externalUrl?.replace(/\/+$/, '') || url;
    return Object.freeze({
      name: cluster.metadata.name,
      url,
      externalUrl,
      enabled: cluster.spec.enabled,
      weight: cluster.spec.weight,
      labels: Object.freeze({ ...cluster.metadata.labels }),
      healthCheck: Object.freeze({ ...cluster.spec.healthCheck }),
      groups: Object.freeze(memberOf.sort()),
      maxRunningQueries: cluster.spec.maxRunningQueries,
    });
  });

  const ordered = [...entries].sort((a, b) => a.priority - b.priority || byName(a, b));
  return Object.freeze({
    generation: input.generation,
    clusters: new FrozenMap(clusterEntries.map((entry) => [entry.name, entry] as const)),
    groups: new FrozenMap(entries.map((entry) => [entry.name, entry] as const)),
    defaultGroup,
    rules: Object.freeze(ordered.flatMap((entry) => entry.rules)),
    problems: Object.freeze(problems),
    managesQueries:
      clusterEntries.some((entry) => entry.maxRunningQueries !== undefined) ||
      entries.some((entry) => entry.admission.length > 0),
    readsSql: entries.some(
      (entry) =>
        entry.rules.some((rule) => rule.readsSql) ||
        entry.queue.classes.some((entry) => entry.readsSql) ||
        entry.admission.some((limit) => limit.readsSql),
    ),
  });
}
