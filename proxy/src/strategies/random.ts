// Weighted random: each candidate's chance is its share of the total weight.
import type { Candidate, Chooser } from './index.js';

/** Weights that cannot be a share (0, negative, NaN, Infinity) are never chosen, by any strategy. */
export function isEligible(candidate: Candidate): boolean {
  return candidate.weight > 0 && candidate.weight < Number.POSITIVE_INFINITY;
}

export class RandomChooser implements Chooser {
  constructor(private readonly random: () => number) {}

  choose(candidates: readonly Candidate[]): Candidate | undefined {
    let total = 0;
    let last: Candidate | undefined;
    for (const candidate of candidates) {
      if (!isEligible(candidate)) continue;
      total += candidate.weight;
      last = candidate;
    }
    if (last === undefined) return undefined;
    let remaining = this.random() * total;
    for (const candidate of candidates) {
      if (!isEligible(candidate)) continue;
      remaining -= candidate.weight;
      if (remaining < 0) return candidate;
    }
    // Rounding can leave `remaining` a hair above 0 after the last subtraction.
    return last;
  }
}
