// The log lines of a registry taking effect: each problem at its severity, then one summary line.
import type { Logger, Registry } from '@junction/shared';

export function reportRegistry(logger: Logger, registry: Registry, extra: Record<string, unknown> = {}): void {
  for (const problem of registry.problems) {
    const level = problem.severity === 'error' ? 'error' : 'warn';
    logger.log(level, `${problem.kind} "${problem.name}": ${problem.message}`, { generation: registry.generation });
  }
  logger.info('registry loaded', {
    generation: registry.generation,
    ...extra,
    clusters: registry.clusters.size,
    groups: registry.groups.size,
    defaultGroup: registry.defaultGroup,
  });
}
