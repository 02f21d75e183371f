// Least loaded relative to weight: a cluster of weight 2 is "as loaded" as one of weight 1 with
// half its queries. Ties (all idle, typically) are split by weight so canaries still get their share.
import { type Candidate, type Chooser, isEligible } from './candidate.js';

export class LeastLoadedChooser implements Chooser {
  constructor(private readonly random: () => number) {}

  choose(candidates: readonly Candidate[]): Candidate | undefined {
    let best = Number.POSITIVE_INFINITY;
    let tiedWeight = 0;
    let last: Candidate | undefined;
    for (const candidate of candidates) {
      if (!isEligible(candidate)) continue;
      // A load the prober could not read counts as idle rather than excluding the member.
      const score = Math.max(0, candidate.load || 0) / candidate.weight;
      if (score < best) {
        best = score;
        tiedWeight = candidate.weight;
        last = candidate;
      } else if (score === best) {
        tiedWeight += candidate.weight;
        last = candidate;
      }
    }
    if (last === undefined) return undefined;
    let remaining = this.random() * tiedWeight;
    for (const candidate of candidates) {
      if (!isEligible(candidate) || Math.max(0, candidate.load || 0) / candidate.weight !== best) continue;
      remaining -= candidate.weight;
      if (remaining < 0) return candidate;
    }
    return last;
  }
}
