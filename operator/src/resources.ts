// From cached API objects to what the registry is built from and what gets published: validation with
// the zod schemas, and the snapshot content (spec and identifying metadata only, so status writes and
// resourceVersion bumps do not count as changes).
import {
  formatIssues,
  type Registry,
  type RegistryResources,
  type ResourceKind,
  RoutingGroup,
  TrinoCluster,
} from '@junction/shared/contract';
import type { KubeObject } from './kube-types.js';

export interface ValidatedResources {
  readonly clusters: TrinoCluster[];
  readonly groups: RoutingGroup[];
  /** "TrinoCluster/name" → why it was left out. */
  readonly invalid: ReadonlyMap<string, string>;
}

export const resourceKey = (kind: ResourceKind, name: string): string => `${kind}/${name}`;

function validate<T>(
  kind: ResourceKind,
  schema: typeof TrinoCluster | typeof RoutingGroup,
  objects: readonly KubeObject[],
  invalid: Map<string, string>,
): T[] {
  const valid: T[] = [];
  for (const object of objects) {
    const result = schema.safeParse(object);
    if (result.success) valid.push(result.data as T);
    else invalid.set(resourceKey(kind, object.metadata.name), formatIssues('', result.error).join('; '));
  }
  return valid;
}

/** Parses every cached object; an invalid one is reported, never thrown, so one typo stops nothing else. */
export function validateResources(clusters: readonly KubeObject[], groups: readonly KubeObject[]): ValidatedResources {
  const invalid = new Map<string, string>();
  return {
    clusters: validate<TrinoCluster>('TrinoCluster', TrinoCluster, clusters, invalid),
    groups: validate<RoutingGroup>('RoutingGroup', RoutingGroup, groups, invalid),
    invalid,
  };
}

const byName = (a: { metadata: { name: string } }, b: { metadata: { name: string } }) =>
  a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;

function publishedMeta(metadata: TrinoCluster['metadata']) {
  return {
    name: metadata.name,
    ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
    labels: { ...metadata.labels },
  };
}

/**
 * The snapshot proxies route by. A group whose rules do not compile is published with the rules it
 * routes by (the registry's last valid ones), so a proxy that starts later routes the same way.
 */
export function publishable(valid: ValidatedResources, registry: Registry): RegistryResources {
  const clusters = [...valid.clusters].sort(byName).map(
    (cluster): TrinoCluster => ({
      apiVersion: cluster.apiVersion,
      kind: cluster.kind,
      metadata: publishedMeta(cluster.metadata),
      spec: cluster.spec,
    }),
  );
  const groups = [...valid.groups].sort(byName).map((group): RoutingGroup => {
    const entry = registry.groups.get(group.metadata.name);
    const rules =
      entry === undefined || entry.rulesValid
        ? group.spec.rules
        : entry.rules.map((rule) => ({ name: rule.name, condition: rule.condition }));
    return {
      apiVersion: group.apiVersion,
      kind: group.kind,
      metadata: publishedMeta(group.metadata),
      spec: { ...group.spec, rules },
    };
  });
  return { clusters, groups };
}

/** A stable text of the content, to publish only when it changed. */
export function contentKey(resources: RegistryResources): string {
  return JSON.stringify(resources, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );
}
