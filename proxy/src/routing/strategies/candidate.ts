// What every strategy chooses among: the members the router already found routable (Healthy,
// enabled, weight > 0), and the one interface each strategy implements.

export interface Candidate {
  readonly name: string;
  readonly weight: number;
  /** Running + queued at the last probe + queries routed there since. */
  readonly load: number;
}

export interface Chooser {
  /**
   * undefined when no candidate has a positive weight. Callers pass the same array again while the
   * members are unchanged, so a chooser may keep what it derives from it (keyed by identity).
   */
  choose(candidates: readonly Candidate[]): Candidate | undefined;
}

/** Weights that cannot be a share (0, negative, NaN, Infinity) are never chosen, by any strategy. */
export function isEligible(candidate: Candidate): boolean {
  return candidate.weight > 0 && candidate.weight < Number.POSITIVE_INFINITY;
}

/**
 * True when every candidate is eligible with the same weight: round robin is then a plain rotation
 * and random a uniform index, both O(1). Choosers cache this per candidates array.
 */
export function allEqualWeights(candidates: readonly Candidate[]): boolean {
  const first = candidates[0];
  if (first === undefined || !isEligible(first)) return false;
  for (const candidate of candidates) if (candidate.weight !== first.weight) return false;
  return true;
}
