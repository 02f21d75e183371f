// Smooth weighted round robin (as in nginx): weights 5,1,1 give a a b a c a a, spreading the heavy
// member's turns instead of bursting them; equal weights are a plain rotation. Stateful, so the
// router keeps one chooser per group.
import { allEqualWeights, type Candidate, type Chooser, isEligible } from './candidate.js';

interface Turn {
  current: number;
  /** The call that last saw this member; members missing from a call are forgotten. */
  seen: number;
}

export class RoundRobinChooser implements Chooser {
  private readonly turns = new Map<string, Turn>();
  private call = 0;
  #seen: readonly Candidate[] | undefined;
  #uniform = false;
  #next = 0;

  choose(candidates: readonly Candidate[]): Candidate | undefined {
    if (candidates !== this.#seen) {
      this.#seen = candidates;
      this.#uniform = allEqualWeights(candidates);
    }
    if (this.#uniform) {
      const index = this.#next % candidates.length;
      this.#next = index + 1;
      return candidates[index];
    }
    const call = ++this.call;
    let total = 0;
    let chosen: Candidate | undefined;
    let chosenTurn: Turn | undefined;
    for (const candidate of candidates) {
      if (!isEligible(candidate)) continue;
      let turn = this.turns.get(candidate.name);
      if (turn === undefined) {
        // A member that (re)joins starts level, without credit or debt from earlier rounds.
        turn = { current: 0, seen: call };
        this.turns.set(candidate.name, turn);
      }
      turn.seen = call;
      turn.current += candidate.weight;
      total += candidate.weight;
      if (chosenTurn === undefined || turn.current > chosenTurn.current) {
        chosen = candidate;
        chosenTurn = turn;
      }
    }
    if (chosenTurn === undefined) return undefined;
    chosenTurn.current -= total;
    // Members that left (unhealthy, drained, removed) drop their state, so the map stays the size of the group.
    if (this.turns.size > candidates.length) {
      for (const [name, turn] of this.turns) if (turn.seen !== call) this.turns.delete(name);
    }
    return chosen;
  }
}
