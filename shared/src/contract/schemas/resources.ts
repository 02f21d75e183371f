// The TrinoCluster and RoutingGroup resources and their pieces: what `kubectl apply` and the standalone
// resource files hold. Types are inferred from these, and the CRDs are generated from them (crd.ts).
import { z } from 'zod';
import { API_VERSION } from '../resource-kinds.js';
import { AdmissionLimit, GroupQueue } from './group-queue.js';
import { dnsName, httpUrl } from './names.js';

export const ObjectMeta = z.looseObject({
  name: dnsName.describe('Name of the resource, unique in its namespace.'),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
});

// ---------------------------------------------------------------- TrinoCluster

export const HealthCheckType = z.enum(['Info', 'Metrics', 'QueryList', 'None']);

export const HealthCheck = z
  .strictObject({
    type: HealthCheckType.default('Info').describe(
      'Info: GET /v1/info and starting=false. Metrics: Trino OpenMetrics /metrics (load and active nodes). QueryList: GET /v1/query (load). None: always healthy.',
    ),
    intervalSeconds: z.number().int().min(1).default(10).describe('Seconds between probes.'),
    timeoutSeconds: z.number().int().min(1).default(5).describe('Seconds before a probe counts as failed.'),
    failureThreshold: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('Consecutive failures before the cluster is Unhealthy.'),
  })
  .describe('How Junction decides the cluster is healthy and how loaded it is.');

/** The coordinator's origin: the proxy appends the client's path, so a path here would be lost. */
const originUrl = httpUrl
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.pathname === '/' && url.search === '' && url.hash === '' && !url.username && !url.password;
    } catch {
      return true;
    }
  }, "must be the coordinator's origin (scheme://host:port) without a path")
  .meta({
    'x-kubernetes-validations': [
      {
        // Only the origin: a non-http(s) value already fails the pattern, with its own message.
        rule: "!self.matches('^https?://') || self.matches('^https?://[^/?#@]+/?$')",
        message: "must be the coordinator's origin (scheme://host:port) without a path",
      },
    ],
  });

export const TrinoClusterSpec = z
  .strictObject({
    url: originUrl.describe('How the proxy reaches the coordinator, e.g. http://trino-blue:8080.'),
    externalUrl: httpUrl.optional().describe('Address shown to people (UI links); defaults to url.'),
    enabled: z
      .boolean()
      .default(true)
      .describe('false = draining: no new queries, follow-ups of running queries still served.'),
    weight: z
      .number()
      .min(0)
      .default(1)
      .describe('Relative share of new queries inside a routing group; 0 receives none.'),
    // The filled-in object (not `{}`) is what the CRD shows as the default, and the apiserver applies it as is.
    healthCheck: HealthCheck.prefault(() => HealthCheck.parse({})),
    maxRunningQueries: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "The most queries Junction lets run on this cluster at once, counted over all proxy replicas; more wait in their routing group's queue. Absent = unlimited.",
      ),
  })
  .describe('Where the coordinator is and how Junction routes to it and probes it.');

export const ClusterPhase = z.enum(['Pending', 'Healthy', 'Unhealthy', 'Draining']);

/** The standard metav1.Condition shape. */
export const Condition = z
  .looseObject({
    type: z.string().describe('Type of condition in CamelCase, e.g. Ready.'),
    status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition: True, False or Unknown.'),
    reason: z.string().optional().describe("Machine-readable CamelCase reason for the condition's last transition."),
    message: z.string().optional().describe('Human-readable details about the last transition.'),
    lastTransitionTime: z
      .string()
      .optional()
      .meta({ format: 'date-time' })
      .describe('When the condition last changed from one status to another (RFC 3339).'),
    observedGeneration: z
      .number()
      .int()
      .optional()
      .describe('The .metadata.generation the condition was set from; older than the current one = stale.'),
  })
  .describe('One aspect of the current state, in the standard Kubernetes condition shape.');

// Conditions are a list keyed by type, as for built-in resources (server-side apply merges by type).
const conditions = (types: string) =>
  z
    .array(Condition)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .describe(`Latest observations of the resource's state, one per type: ${types}.`);

export const TrinoClusterStatus = z
  .looseObject({
    phase: ClusterPhase.optional().describe(
      'Pending: not probed yet. Healthy: receives new queries. Unhealthy: failureThreshold probes in a row failed. Draining: enabled is false; queries already running are still served.',
    ),
    runningQueries: z.number().int().optional().describe('Running queries at the last probe.'),
    queuedQueries: z.number().int().optional().describe('Queued queries at the last probe.'),
    routingGroups: z
      .array(z.string())
      .optional()
      .describe('Names of the RoutingGroups whose clusterSelector selects this cluster.'),
    admittedQueries: z
      .number()
      .int()
      .optional()
      .describe('Queries Junction counts as running on this cluster (all replicas), against spec.maxRunningQueries.'),
    observedGeneration: z.number().int().optional().describe('The .metadata.generation this status was computed from.'),
    conditions: conditions('Ready'),
  })
  .describe('Observed state, written by the Junction operator (or the standalone prober).');

export const TrinoCluster = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('TrinoCluster'),
    metadata: ObjectMeta,
    spec: TrinoClusterSpec,
    status: TrinoClusterStatus.optional(),
  })
  .describe(
    'A Trino coordinator behind the Junction gateway. RoutingGroups select TrinoClusters by label; relabeling moves new queries (blue/green) while running queries stay on their cluster.',
  );

// ---------------------------------------------------------------- RoutingGroup

export const LabelSelectorRequirement = z
  .strictObject({
    key: z.string().min(1).describe('The label key the requirement applies to.'),
    operator: z
      .enum(['In', 'NotIn', 'Exists', 'DoesNotExist'])
      .describe("The key's relationship to the values: In, NotIn, Exists or DoesNotExist."),
    values: z
      .array(z.string())
      .optional()
      .describe('Label values; non-empty for In and NotIn, empty for Exists and DoesNotExist.'),
  })
  .meta({
    // selectorProblems() enforces this for standalone files; the apiserver enforces it for the CRDs.
    'x-kubernetes-validations': [
      {
        rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
        message: 'values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
      },
    ],
  })
  .describe('A label requirement: a key, an operator and (for In and NotIn) values.');

export const LabelSelector = z.strictObject({
  matchLabels: z
    .record(z.string(), z.string())
    .optional()
    .describe('Labels a cluster must all carry with exactly these values.'),
  matchExpressions: z
    .array(LabelSelectorRequirement)
    .optional()
    .describe('Label requirements a cluster must all satisfy, in addition to matchLabels.'),
});

export const RoutingStrategy = z.enum(['LeastLoaded', 'RoundRobin', 'Random']);

export const RoutingRule = z
  .strictObject({
    name: z.string().min(1).describe('Rule name, shown in status and logs.'),
    condition: z.string().min(1).describe('CEL expression over request.*; true routes the request to this group.'),
  })
  .describe('A named CEL condition that claims matching new queries for this group.');

export const RoutingGroupSpec = z
  .strictObject({
    clusterSelector: LabelSelector.describe('Selects member TrinoClusters by label.'),
    default: z
      .boolean()
      .default(false)
      .describe('The group for requests nothing else claims; exactly one should be default.'),
    strategy: RoutingStrategy.default('LeastLoaded').describe(
      'How a member is chosen; weights apply to all strategies.',
    ),
    priority: z.number().int().default(0).describe('Rules of lower priority are evaluated first; ties by name.'),
    fallbackGroup: dnsName
      .optional()
      .describe('Where new queries go when no member is routable; absent = fail clearly.'),
    rules: z.array(RoutingRule).default([]).describe('CEL rules; the first matching rule across all groups wins.'),
    queue: GroupQueue.prefault({}),
    admission: z
      .array(AdmissionLimit)
      .default([])
      .describe('Limits per user or source on queries routed to this group; all that match apply.'),
  })
  .describe('Which clusters belong to the group, which requests it claims and how it picks a cluster.');

export const RoutingGroupStatus = z
  .looseObject({
    clusters: z.array(z.string()).optional().describe('Names of the member TrinoClusters.'),
    healthyClusters: z.number().int().optional().describe('How many members are Healthy.'),
    queuedQueries: z.number().int().optional().describe("Queries waiting in the group's queue (all replicas)."),
    admission: z
      .string()
      .optional()
      .describe('The admission limits in effect, e.g. "per-user: 20 concurrent per User, Reject".'),
    observedGeneration: z.number().int().optional().describe('The .metadata.generation this status was computed from.'),
    conditions: conditions('RulesValid (every rule and queue or admission condition compiles), Ready'),
  })
  .describe('Observed state, written by the Junction operator.');

export const RoutingGroup = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('RoutingGroup'),
    metadata: ObjectMeta,
    spec: RoutingGroupSpec,
    status: RoutingGroupStatus.optional(),
  })
  .describe(
    'A set of TrinoClusters, selected by label, that new queries are routed to by CEL rules, the X-Trino-Routing-Group header or as the default group.',
  );

export type HealthCheckType = z.infer<typeof HealthCheckType>;
export type HealthCheck = z.infer<typeof HealthCheck>;
export type TrinoCluster = z.infer<typeof TrinoCluster>;
export type TrinoClusterSpec = z.infer<typeof TrinoClusterSpec>;
export type ClusterPhase = z.infer<typeof ClusterPhase>;
export type Condition = z.infer<typeof Condition>;
export type RoutingGroup = z.infer<typeof RoutingGroup>;
export type RoutingGroupSpec = z.infer<typeof RoutingGroupSpec>;
export type LabelSelector = z.infer<typeof LabelSelector>;
export type RoutingStrategy = z.infer<typeof RoutingStrategy>;
export type RoutingRule = z.infer<typeof RoutingRule>;
