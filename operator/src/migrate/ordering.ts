// Last write wins → first match wins. Trino Gateway runs every matching rule and keeps the last
// routing group written; Junction takes the first matching rule over groups ordered by priority.
// Reversing the writes makes the first match the last writer, but a group's rules must sit
// together: a write that moves ahead of later writes of other groups gets `&& !(their guard)`.
import { and, type Cel, not, print } from './cel.js';
import type { RuleNote, Write } from './convert-rules.js';

export interface PlacedRule {
  readonly name: string;
  readonly condition: Cel;
  /** The Trino Gateway rule it came from, and its line. */
  readonly rule: string;
  readonly line: number;
}

export interface Placement {
  /** Groups that have rules, in evaluation order (give them ascending priorities). */
  readonly order: readonly string[];
  /** Each group's rules, in evaluation order. Keys are Trino Gateway group names. */
  readonly rules: ReadonlyMap<string, readonly PlacedRule[]>;
  /** Writes that can never decide the outcome, left out. */
  readonly notes: readonly RuleNote[];
}

/**
 * Why it is exact: let k be the last write whose guard holds (Trino Gateway's answer). Rule k
 * carries only negations of later writes, none of which hold, so rule k matches. A rule f of
 * another group that also matches has f before k in Trino Gateway's order; if f were placed
 * before k here, f would carry `!(guard k)` and not match. So the first match is k or a rule of
 * k's group, and when no write holds no rule matches and the default group gets the request.
 */
export function placeWrites(writes: readonly Write[], defaultGroup: string): Placement {
  const groupOf = (w: Write) => (w.group === '' ? defaultGroup : w.group);
  const reversed: string[] = [];
  for (let i = writes.length - 1; i >= 0; i--) {
    const group = groupOf(writes[i] as Write);
    if (!reversed.includes(group)) reversed.push(group);
  }
  const order = fewestNegations(reversed, writes.map(groupOf));
  const rank = new Map(order.map((group, index) => [group, index]));
  const placed = new Map<string, PlacedRule[]>(order.map((group) => [group, []]));
  const notes: RuleNote[] = [];

  for (let i = writes.length - 1; i >= 0; i--) {
    const write = writes[i] as Write;
    const group = groupOf(write);
    const later = writes.slice(i + 1).filter((w) => groupOf(w) !== group);
    const own = print(write.guard);
    const overriddenBy = later.find((w) => print(w.guard) === own);
    if (overriddenBy !== undefined) {
      notes.push({
        rule: write.rule,
        line: write.line,
        note: `never decides the routing: "${overriddenBy.name}" runs later under the same condition; left out`,
      });
      continue;
    }
    const ahead = later.filter((w) => (rank.get(groupOf(w)) as number) > (rank.get(group) as number));
    const condition = and(write.guard, ...ahead.map((w) => not(w.guard)));
    if (condition.k === 'lit' && condition.v === false) {
      notes.push({ rule: write.rule, line: write.line, note: 'its condition can never hold; left out' });
      continue;
    }
    (placed.get(group) as PlacedRule[]).push({ name: write.name, condition, rule: write.rule, line: write.line });
  }

  const used = order.filter((group) => (placed.get(group) as PlacedRule[]).length > 0);
  const rules = new Map<string, PlacedRule[]>();
  for (const group of used) rules.set(group, uniqueNames(placed.get(group) as PlacedRule[]));
  return { order: used, rules, notes };
}

/** How many negations an order of groups costs, for writes (given by group) in Trino Gateway's order. */
function negations(order: readonly string[], groups: readonly string[]): number {
  const rank = new Map(order.map((group, index) => [group, index]));
  let count = 0;
  groups.forEach((group, i) => {
    for (const later of groups.slice(i + 1)) if ((rank.get(later) as number) > (rank.get(group) as number)) count++;
  });
  return count;
}

/**
 * Any order of groups is exact; fewer negations read better. With a handful of groups every
 * order is tried (ties keep the reversed first-appearance order), with more that order is used.
 */
function fewestNegations(initial: readonly string[], groups: readonly string[]): readonly string[] {
  if (initial.length > 6 || groups.length > 200) return initial;
  let best = initial;
  let cost = negations(initial, groups);
  const permute = (prefix: string[], rest: string[]) => {
    if (rest.length === 0) {
      const candidate = negations(prefix, groups);
      if (candidate < cost) [best, cost] = [[...prefix], candidate];
      return;
    }
    rest.forEach((group, i) => {
      permute([...prefix, group], [...rest.slice(0, i), ...rest.slice(i + 1)]);
    });
  };
  permute([], [...initial]);
  return best;
}

/** Rule names within a group stay unique (the registry warns about duplicates). */
function uniqueNames(rules: readonly PlacedRule[]): PlacedRule[] {
  const seen = new Map<string, number>();
  return rules.map((rule) => {
    const count = (seen.get(rule.name) ?? 0) + 1;
    seen.set(rule.name, count);
    return count === 1 ? rule : { ...rule, name: `${rule.name} (${count})` };
  });
}
