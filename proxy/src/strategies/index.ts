// Strategy choosers: pure picks among the members the router already found routable (Healthy,
// enabled, weight > 0). The router keeps one chooser per routing group.
import { LeastLoadedChooser } from './least-loaded.js';
import { RandomChooser } from './random.js';
import { RoundRobinChooser } from './round-robin.js';

export interface Candidate {
  readonly name: string;
  readonly weight: number;
  /** Running + queued at the last probe + queries routed there since. */
  readonly load: number;
}

export interface Chooser {
  /** undefined when no candidate has a positive weight. */
  choose(candidates: readonly Candidate[]): Candidate | undefined;
}

export type StrategyName = 'LeastLoaded' | 'RoundRobin' | 'Random';

export function createChooser(strategy: StrategyName, random: () => number = Math.random): Chooser {
  switch (strategy) {
    case 'RoundRobin':
      return new RoundRobinChooser();
    case 'Random':
      return new RandomChooser(random);
    case 'LeastLoaded':
      return new LeastLoadedChooser(random);
  }
}
