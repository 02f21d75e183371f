// The strategy of a routing group, by its name in the RoutingGroup schema. The router keeps one
// chooser per group (round robin is stateful).
import type { RoutingStrategy } from '@junction/shared';
import type { Chooser } from './candidate.js';
import { LeastLoadedChooser } from './least-loaded.js';
import { RandomChooser } from './random.js';
import { RoundRobinChooser } from './round-robin.js';

export type { Candidate, Chooser } from './candidate.js';

export function createChooser(strategy: RoutingStrategy, random: () => number = Math.random): Chooser {
  switch (strategy) {
    case 'RoundRobin':
      return new RoundRobinChooser();
    case 'Random':
      return new RandomChooser(random);
    case 'LeastLoaded':
      return new LeastLoadedChooser(random);
  }
}
