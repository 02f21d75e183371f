// The Kubernetes names of Junction's resources, in one table: API group and version, and per kind its
// plural, singular, short names and list kind. The CRDs and the operator's API paths both read it.

export const API_GROUP = 'junction.dev';
/** The version part of apiVersion, as in /apis/<group>/<version>/… */
export const API_VERSION_NAME = 'v1alpha1';
export const API_VERSION = `${API_GROUP}/${API_VERSION_NAME}`;

export type ResourceKind = 'TrinoCluster' | 'RoutingGroup';

/** A kind's names as a CRD's spec.names states them. */
export interface ResourceNames<K extends ResourceKind = ResourceKind> {
  readonly kind: K;
  readonly listKind: `${K}List`;
  readonly plural: string;
  readonly singular: Lowercase<K>;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
}

export const RESOURCE_KINDS: { readonly [K in ResourceKind]: ResourceNames<K> } = Object.freeze({
  TrinoCluster: Object.freeze({
    kind: 'TrinoCluster',
    listKind: 'TrinoClusterList',
    plural: 'trinoclusters',
    singular: 'trinocluster',
    shortNames: Object.freeze(['tc']),
    categories: Object.freeze(['junction']),
  }),
  RoutingGroup: Object.freeze({
    kind: 'RoutingGroup',
    listKind: 'RoutingGroupList',
    plural: 'routinggroups',
    singular: 'routinggroup',
    shortNames: Object.freeze(['rg']),
    categories: Object.freeze(['junction']),
  }),
});
