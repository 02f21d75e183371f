// What the operator writes into TrinoCluster and RoutingGroup `.status`, and which Events go with a
// change. Pure: the writer (status-writer.ts) compares, patches and records.
import {
  type ClusterEntry,
  type ClusterHealth,
  type ClusterPhase,
  describeAdmission,
  type GroupEntry,
  type RegistryProblem,
  type Condition as ResourceCondition,
} from '@junction/shared/contract';
import type { EventInput } from './kube-types.js';

export type ConditionStatus = ResourceCondition['status'];

/** A condition as the operator writes it: the resource schema's Condition with reason, message and
 * lastTransitionTime always set (the schema leaves them optional because other writers may omit them). */
export type Condition = Readonly<
  Pick<ResourceCondition, 'type' | 'status' | 'observedGeneration'> &
    Required<Pick<ResourceCondition, 'reason' | 'message' | 'lastTransitionTime'>>
>;

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export type Status = Record<string, unknown> & { conditions?: readonly Condition[] };

export interface ClusterStatus extends Status {
  phase: ClusterPhase;
  runningQueries: number;
  queuedQueries: number;
  routingGroups: string[];
  /** Queries the proxies count on it (the shared queue); absent until the operator has read it. */
  admittedQueries?: number;
  observedGeneration: number | undefined;
  conditions: Condition[];
}

export interface GroupStatus extends Status {
  clusters: string[];
  healthyClusters: number;
  /** Queries waiting in the group's queue; absent until the operator has read the shared queue. */
  queuedQueries?: number;
  /** The admission limits in effect; null removes a summary of limits that are gone. */
  admission?: string | null;
  observedGeneration: number | undefined;
  conditions: Condition[];
}

function previousConditions(previous: Record<string, unknown> | undefined): Condition[] {
  const list = previous?.['conditions'];
  return Array.isArray(list) ? (list as Condition[]) : [];
}

/** metav1.Condition rules: lastTransitionTime moves only when the status flips. */
export function mergeConditions(
  previous: Record<string, unknown> | undefined,
  next: readonly ConditionInput[],
  now: string,
): Condition[] {
  const before = previousConditions(previous);
  return next.map((condition) => {
    const old = before.find((candidate) => candidate.type === condition.type);
    const lastTransitionTime =
      old?.status === condition.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { ...condition, lastTransitionTime };
  });
}

export interface ClusterStatusInput {
  readonly generation: number | undefined;
  readonly enabled: boolean;
  /** Undefined when the registry left the cluster out (see its problems). */
  readonly entry: ClusterEntry | undefined;
  readonly health: ClusterHealth;
  /** Queries admitted on it over all proxies; undefined while the shared queue has not been read. */
  readonly admitted?: number | undefined;
  readonly previous: Record<string, unknown> | undefined;
  readonly now: string;
}

export function clusterStatus(input: ClusterStatusInput): ClusterStatus {
  const { health, generation } = input;
  const phase: ClusterPhase = input.enabled ? health.phase : 'Draining';
  const ready: ConditionInput =
    phase === 'Healthy'
      ? { type: 'Ready', status: 'True', reason: 'Healthy', message: health.message }
      : phase === 'Draining'
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'Draining',
            message: 'spec.enabled is false: no new queries; queries already running here are still served',
          }
        : { type: 'Ready', status: 'False', reason: phase, message: health.message };
  return {
    phase,
    runningQueries: health.runningQueries,
    queuedQueries: health.queuedQueries,
    routingGroups: [...(input.entry?.groups ?? [])],
    ...(input.admitted === undefined ? {} : { admittedQueries: input.admitted }),
    observedGeneration: generation,
    conditions: mergeConditions(input.previous, [{ ...ready, observedGeneration: generation }], input.now),
  };
}

export interface GroupStatusInput {
  readonly generation: number | undefined;
  readonly entry: GroupEntry | undefined;
  readonly clusters: ReadonlyMap<string, ClusterEntry>;
  readonly health: (cluster: string) => ClusterHealth;
  /** The registry's problems about this group. */
  readonly problems: readonly RegistryProblem[];
  /** Queries waiting in its queue over all proxies; undefined while the shared queue has not been read. */
  readonly queued?: number | undefined;
  readonly previous: Record<string, unknown> | undefined;
  readonly now: string;
}

export function groupStatus(input: GroupStatusInput): GroupStatus {
  const { entry, generation } = input;
  const members = [...(entry?.members ?? [])];
  const healthy = members.filter((name) => input.health(name).phase === 'Healthy');
  const routable = healthy.filter((name) => {
    const cluster = input.clusters.get(name);
    return cluster?.enabled === true && cluster.weight > 0;
  });
  const ruleErrors = input.problems
    .filter((problem) => problem.severity === 'error' && problem.message.startsWith('spec.rules['))
    .map((problem) => problem.message);
  const rulesValid: ConditionInput =
    ruleErrors.length === 0
      ? { type: 'RulesValid', status: 'True', reason: 'Compiled', message: 'every rule compiles' }
      : {
          type: 'RulesValid',
          status: 'False',
          reason: 'InvalidRules',
          message: `${ruleErrors.join('; ')}; routing keeps the last valid rules`,
        };
  const fallback = entry?.fallbackGroup ? `; new queries go to fallback group "${entry.fallbackGroup}"` : '';
  const ready: ConditionInput =
    routable.length > 0
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'Routable',
          message: `${routable.length} of ${members.length} clusters routable`,
        }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'NoRoutableCluster',
          message:
            members.length === 0
              ? `clusterSelector matches no TrinoCluster${fallback}`
              : `none of ${members.length} clusters is Healthy, enabled and weighted${fallback}`,
        };
  const admission = describeAdmission(entry?.admission ?? []);
  return {
    clusters: members,
    healthyClusters: healthy.length,
    ...(input.queued === undefined ? {} : { queuedQueries: input.queued }),
    ...(admission !== '' ? { admission } : input.previous?.['admission'] !== undefined ? { admission: null } : {}),
    observedGeneration: generation,
    conditions: mergeConditions(
      input.previous,
      [rulesValid, ready].map((condition) => ({ ...condition, observedGeneration: generation })),
      input.now,
    ),
  };
}

/** Status of a resource that failed validation: it is left out of the registry until fixed. */
export function invalidStatus(
  generation: number | undefined,
  message: string,
  previous: Record<string, unknown> | undefined,
  now: string,
): Status {
  const ready: ConditionInput = {
    type: 'Ready',
    status: 'False',
    reason: 'InvalidSpec',
    message,
    observedGeneration: generation,
  };
  return { observedGeneration: generation, conditions: mergeConditions(previous, [ready], now) };
}

/** Key order does not matter; undefined members are dropped, as JSON does. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}

/** True when merge-patching `desired` would change nothing in `current`. */
export function sameStatus(current: Record<string, unknown> | undefined, desired: Status): boolean {
  return Object.entries(desired).every(([key, value]) => canonical(current?.[key]) === canonical(value));
}

function condition(status: Record<string, unknown> | undefined, type: string): Condition | undefined {
  return previousConditions(status).find((candidate) => candidate.type === type);
}

/** Events for a status change: phase changes, newly invalid specs or rules, and their repair. */
export function statusEvents(current: Record<string, unknown> | undefined, desired: Status): EventInput[] {
  const events: EventInput[] = [];
  const phase = desired['phase'];
  if (typeof phase === 'string' && phase !== current?.['phase']) {
    const ready = condition(desired, 'Ready');
    const detail = phase === 'Healthy' || !ready ? '' : `: ${ready.message}`;
    events.push({
      type: phase === 'Unhealthy' ? 'Warning' : 'Normal',
      reason: phase,
      message: `phase is ${phase}${detail}`,
    });
  }
  for (const [type, badReason] of [
    ['RulesValid', 'InvalidRules'],
    ['Ready', 'InvalidSpec'],
  ] as const) {
    const before = condition(current, type);
    const after = condition(desired, type);
    if (after?.reason === badReason && (before?.reason !== badReason || before.message !== after.message)) {
      events.push({ type: 'Warning', reason: badReason, message: after.message });
    } else if (type === 'RulesValid' && before?.reason === badReason && after?.status === 'True') {
      events.push({ type: 'Normal', reason: 'RulesValid', message: 'every rule compiles again' });
    }
  }
  return events;
}
