// What admission needs to know about one new query of a group: its priority class, the key it
// takes turns by, and the admission buckets it counts against — all from the group's compiled
// settings and the `request` CEL sees.
import type { AdmissionCheck, GroupEntry, RuleCondition, RuleRequest, RuleSql } from '@junction/shared';
import { DEFAULT_CLASS, NO_SQL_FACTS } from '@junction/shared';

export interface QueuePlacement {
  readonly priority: number;
  readonly className: string;
  readonly shareKey: string;
  readonly admission: readonly AdmissionCheck[];
}

/** `sql` is asked for only by conditions that read it (it may parse the statement). */
export function placement(
  group: GroupEntry,
  request: RuleRequest,
  sql: () => RuleSql = () => NO_SQL_FACTS,
): QueuePlacement {
  const { classes, fairShare } = group.queue;
  const holds = (condition: RuleCondition) => condition.matches(request, condition.readsSql ? sql() : undefined);
  let priority = classes.findIndex(holds);
  if (priority < 0) priority = classes.length;
  const className = classes[priority]?.name ?? DEFAULT_CLASS;
  const shareKey = fairShare === 'User' ? request.user : fairShare === 'Source' ? request.source : '';
  const admission: AdmissionCheck[] = [];
  for (const limit of group.admission) {
    if (!holds(limit)) continue;
    const value = limit.key === 'User' ? request.user : request.source;
    admission.push({
      bucket: `${group.name}/${limit.name}/${value}`,
      maxConcurrent: limit.maxConcurrent,
      maxPerSecond: limit.maxPerSecond,
      burst: limit.burst,
      onExceed: limit.onExceed,
    });
  }
  return { priority, className, shareKey, admission };
}

/** Whether new queries of `group` go through the queue: a member (or fallback member) has a limit, or the group admission limits. */
export function isManaged(
  group: GroupEntry,
  clusterLimit: (name: string) => number | undefined,
  fallback?: GroupEntry,
): boolean {
  if (group.admission.length > 0) return true;
  for (const source of fallback === undefined ? [group] : [group, fallback]) {
    for (const name of source.members) if (clusterLimit(name) !== undefined) return true;
  }
  return false;
}
