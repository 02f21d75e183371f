// The routing decision inside a child span when the request is traced: the group, cluster, routed-by
// reason, rule and whether it queued go onto the request's span; owner lookups (the local cache,
// Redis, or discovery across the clusters) happen inside the child span.
import type { Registry } from '@junction/shared';
import type { Destination, RoutingDecision, RoutingRequest } from '../routing/decision.js';
import { finish, type RequestTrace } from './tracing.js';

export async function decideTraced(
  decision: RoutingDecision,
  request: RoutingRequest,
  registry: Registry,
  traced: RequestTrace | undefined,
): Promise<Destination> {
  if (traced === undefined) return decision.decide(request, registry);
  const span = traced.child('junction.decide');
  try {
    const answer = await decision.decide(request, registry);
    if (answer.action !== 'reject') {
      traced.routed({
        group: answer.group?.name,
        cluster: answer.action === 'route' ? answer.cluster.name : undefined,
        routedBy: answer.by,
        rule: answer.rule,
        queued: answer.action === 'queue',
      });
    }
    finish(span);
    return answer;
  } catch (error) {
    finish(span, error);
    throw error;
  }
}
