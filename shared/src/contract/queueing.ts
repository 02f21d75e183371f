// RoutingGroup.spec.queue and .spec.admission compiled into the registry: priority-class and
// admission conditions are CEL over `request`, type-checked like routing rules. A group whose
// conditions do not all compile keeps the queueing it had (or none), and says so as a problem.
import type { CompiledAdmission, CompiledCondition, GroupQueueing, Registry, RegistryProblem } from './model.js';
import { compileRule } from './rules.js';
import type { RoutingGroup } from './schemas/resources.js';

export interface CompiledQueueing {
  readonly queue: GroupQueueing;
  readonly admission: readonly CompiledAdmission[];
  readonly valid: boolean;
}

type Report = (severity: RegistryProblem['severity'], message: string) => void;

function compileNamed(
  items: readonly { name: string; condition: string }[],
  path: string,
  report: Report,
): { compiled: CompiledCondition[]; valid: boolean } {
  const compiled: CompiledCondition[] = [];
  const seen = new Set<string>();
  let valid = true;
  items.forEach((item, index) => {
    if (seen.has(item.name)) {
      valid = false;
      report('error', `${path}[${index}].name: duplicate name "${item.name}"`);
    }
    seen.add(item.name);
    const result = compileRule(item.condition);
    if (!result.ok) {
      valid = false;
      report('error', `${path}[${index}].condition: ${result.error}`);
      return;
    }
    compiled.push(
      Object.freeze({
        name: item.name,
        condition: item.condition,
        readsSql: result.readsSql,
        matches: result.matches,
      }),
    );
  });
  return { compiled, valid };
}

export function compileQueueing(group: RoutingGroup, previous: Registry | undefined, report: Report): CompiledQueueing {
  const { queue, admission } = group.spec;
  const classes = compileNamed(queue.priorityClasses, 'spec.queue.priorityClasses', report);
  if (queue.priorityClasses.some((entry) => entry.name === DEFAULT_CLASS)) {
    classes.valid = false;
    report(
      'error',
      `spec.queue.priorityClasses: "${DEFAULT_CLASS}" is the implicit last class; name yours differently`,
    );
  }
  const limits = compileNamed(admission, 'spec.admission', report);
  if (!classes.valid || !limits.valid) {
    const kept = previous?.groups.get(group.metadata.name);
    return {
      queue: kept?.queue ?? Object.freeze({ ...queueSettings(group), classes: Object.freeze([]) }),
      admission: kept?.admission ?? Object.freeze([]),
      valid: false,
    };
  }
  const compiled = limits.compiled.map((condition, index): CompiledAdmission => {
    const limit = admission[index] as RoutingGroup['spec']['admission'][number];
    return Object.freeze({
      ...condition,
      key: limit.key,
      maxConcurrent: limit.maxConcurrent,
      maxPerSecond: limit.maxPerSecond,
      burst: limit.burst ?? Math.max(1, Math.ceil(limit.maxPerSecond ?? 1)),
      onExceed: limit.onExceed,
    });
  });
  return {
    queue: Object.freeze({ ...queueSettings(group), classes: Object.freeze(classes.compiled) }),
    admission: Object.freeze(compiled),
    valid: true,
  };
}

/** The name of the implicit last priority class. */
export const DEFAULT_CLASS = 'default';

function queueSettings(group: RoutingGroup): Omit<GroupQueueing, 'classes'> {
  const { maxQueued, maxWaitSeconds, fairShare } = group.spec.queue;
  return { maxQueued, maxWaitMs: maxWaitSeconds * 1000, fairShare };
}

/** How a group's admission limits read in `kubectl get rg -o wide` and the admin API. */
export function describeAdmission(admission: readonly CompiledAdmission[]): string {
  return admission
    .map((limit) => {
      const parts: string[] = [];
      if (limit.maxConcurrent !== undefined) parts.push(`${limit.maxConcurrent} concurrent`);
      if (limit.maxPerSecond !== undefined) parts.push(`${limit.maxPerSecond}/s (burst ${limit.burst})`);
      return `${limit.name}: ${parts.join(', ')} per ${limit.key}, ${limit.onExceed}`;
    })
    .join('; ');
}
