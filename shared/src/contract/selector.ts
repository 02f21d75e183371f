// Kubernetes label selectors: how a RoutingGroup picks its member TrinoClusters. The semantics
// follow metav1.LabelSelector so `kubectl get tc -l …` shows the same clusters.
import type { LabelSelector } from './schemas/resources.js';

/** True when the labels satisfy every matchLabels entry and every matchExpressions requirement. */
export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, requirement.key);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (!present || !values.includes(labels[requirement.key] as string)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(labels[requirement.key] as string)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

/** What makes a selector invalid (Kubernetes rejects it too); empty when it is usable. */
export function selectorProblems(selector: LabelSelector): string[] {
  const problems: string[] = [];
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const count = requirement.values?.length ?? 0;
    const where = `matchExpressions[${index}].values`;
    if ((requirement.operator === 'In' || requirement.operator === 'NotIn') && count === 0) {
      problems.push(`${where}: must be non-empty for operator ${requirement.operator}`);
    }
    if ((requirement.operator === 'Exists' || requirement.operator === 'DoesNotExist') && count > 0) {
      problems.push(`${where}: must be empty for operator ${requirement.operator}`);
    }
  });
  return problems;
}
