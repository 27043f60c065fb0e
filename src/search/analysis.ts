/**
 * What a search says about a position: root winrate, candidate moves with visits / winrate / prior /
 * lower confidence bound / principal variation. GTP turns it into lz-analyze and kata-analyze lines;
 * self-play takes the visit distribution from it.
 */
import { actionToMove, type Move, type StoneColor } from '../../engine/color.js';
import { NodeState, type SearchNode } from './node.js';

export interface CandidateAnalysis {
  move: Move;
  visits: number;
  /** Mean outcome in [0, 1] for the analysed colour after this move. */
  winrate: number;
  /** Prior of the move (noise-free), in [0, 1]. */
  prior: number;
  /** Lower confidence bound of the winrate (winrate − z·σ/√N), in [0, 1]. */
  lcb: number;
  /** Principal variation starting with `move`. */
  pv: Move[];
  scoreLead?: number;
}

export interface Analysis {
  /** The player to move at the analysed position. */
  color: StoneColor;
  /** Visits of the root (reused subtree included). */
  visits: number;
  /** Root winrate in [0, 1] for `color`. */
  winrate: number;
  scoreLead?: number;
  /** Moves with at least one visit, most visited first. */
  candidates: CandidateAnalysis[];
  /** Per point, +1 = owned by `color` (not produced by a policy-value net without an ownership head). */
  ownership?: Float32Array;
  /** The net's priors at the root (area + 1, pass last), zero on illegal moves. */
  policy?: Float32Array;
}

/** Winrate in [0, 1] from a mean value in [-1, 1]. */
export function valueToWinrate(value: number): number {
  return Math.min(1, Math.max(0, (value + 1) / 2));
}

/**
 * Lower confidence bound of an edge's winrate from its value sums: normal approximation with the
 * edge's own sample variance (Leela Zero uses the same idea with a Student-t quantile). With fewer than
 * two visits the variance is unknown and the bound is the most pessimistic one, 0.
 */
export function edgeLcb(node: SearchNode, slot: number, z: number): number {
  const n = node.childVisits[slot]!;
  if (n < 2) return 0;
  const mean = node.childValueSum[slot]! / n;
  const variance = Math.max(0, (node.childValueSquares[slot]! - n * mean * mean) / (n - 1));
  // Values live in [-1, 1]; winrates in [0, 1] halve the standard deviation.
  return Math.max(0, valueToWinrate(mean) - (z * Math.sqrt(variance)) / 2 / Math.sqrt(n));
}


/** Most-visited line from `node` (not including the move into it), at most `length` moves. */
export function principalVariation(node: SearchNode | undefined, area: number, length: number, out: Move[]): Move[] {
  let n = node;
  while (n !== undefined && n.state === NodeState.Expanded && out.length < length) {
    let best = -1;
    let bestVisits = 0;
    for (let s = 0; s < n.actions.length; s++) {
      const v = n.childVisits[s]!;
      if (v > bestVisits) {
        bestVisits = v;
        best = s;
      }
    }
    if (best < 0) break;
    out.push(actionToMove(n.actions[best]!, area));
    n = n.children[best];
  }
  return out;
}
