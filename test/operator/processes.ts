// What tests ask of running operator processes (started with test/harness/operator.ts): a metric's
// value on one of them, and who holds the leader Lease.
import type { OperatorProcess } from '../harness/operator.js';
import { type Environment, getJson } from './support.js';

/** Sum over every series of the metric (0 when it has none). */
export async function operatorMetric(target: OperatorProcess, name: string): Promise<number> {
  const text = await (await fetch(`${target.adminUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Who holds the operator's leader Lease now. */
export async function leaseHolder(env: Environment): Promise<string | undefined> {
  const lease = await getJson(env, 'lease', 'junction-operator');
  return lease.spec['holderIdentity'] as string | undefined;
}
