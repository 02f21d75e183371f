// Weighted random: each candidate's chance is its share of the total weight; equal weights are a
// uniform index.
import { allEqualWeights, type Candidate, type Chooser, isEligible } from './candidate.js';

export class RandomChooser implements Chooser {
  #seen: readonly Candidate[] | undefined;
  #uniform = false;

  constructor(private readonly random: () => number) {}

  choose(candidates: readonly Candidate[]): Candidate | undefined {
    if (candidates !== this.#seen) {
      this.#seen = candidates;
      this.#uniform = allEqualWeights(candidates);
    }
    if (this.#uniform) return candidates[Math.floor(this.random() * candidates.length)];
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
