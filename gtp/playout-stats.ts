/**
 * Random-playout statistics over a position: who ends up owning each point, and the area-score margin.
 * Shared by the no-network move generator and by dead-stone estimation (final_score, final_status_list).
 * Playouts are engine/playout.ts's uniformly random light playouts; nothing here decides legality.
 */
import { BLACK, Board, EMPTY, WHITE, geometry, randomPlayout, type Rng, type StoneColor } from '../engine/index.js';

/**
 * Black's area margin (stones + single-colour-surrounded empty points, no komi) of a board that a random
 * playout has finished: its empty points are then (almost always) single points whose neighbours tell
 * the owner, so looking at the neighbours is exact there and cheap. Adds each point's owner to
 * `ownership` (+1 black, -1 white) when given.
 */
export function playoutAreaMargin(board: Board, ownership?: Float64Array): number {
  const { neighbors, neighborStart } = geometry(board.size);
  const stones = board.stones;
  let margin = 0;
  for (let p = 0; p < board.area; p++) {
    let owner = stones[p]!;
    if (owner === EMPTY) {
      let reach = 0;
      for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) reach |= stones[neighbors[k]!]!;
      owner = reach === BLACK || reach === WHITE ? reach : EMPTY;
    }
    const sign = owner === BLACK ? 1 : owner === WHITE ? -1 : 0;
    margin += sign;
    if (ownership !== undefined) ownership[p]! += sign;
  }
  return margin;
}

/** Playouts needed for a stable ownership estimate at a reasonable cost (~0.1 s on 9x9, ~1 s on 19x19). */
export function defaultOwnershipPlayouts(area: number): number {
  return Math.max(200, Math.min(1000, Math.round(200_000 / area)));
}

/**
 * Average final ownership of each point over `playouts` random playouts from `board`, Black's view
 * (+1 black, -1 white). Half the playouts start with each colour to move, so the estimate does not
 * favour whoever happens to be on move at the end of a game.
 */
export function estimateOwnership(board: Board, playouts: number, rng: Rng): Float32Array {
  const sum = new Float64Array(board.area);
  const scratch = new Board(board.size, board.rules);
  for (let i = 0; i < playouts; i++) {
    scratch.copyFrom(board);
    scratch.toPlay = (i & 1) === 0 ? BLACK : WHITE;
    scratch.passes = 0;
    randomPlayout(scratch, rng);
    playoutAreaMargin(scratch, sum);
  }
  const out = new Float32Array(board.area);
  for (let p = 0; p < board.area; p++) out[p] = sum[p]! / playouts;
  return out;
}

export interface ChainStatus {
  /** Stones judged dead (every stone of each dead chain). */
  dead: number[];
  /** Chains judged alive, as lists of stones. */
  aliveChains: number[][];
  deadChains: number[][];
}

/**
 * Splits the board's chains into alive and dead from an ownership estimate (Black's view): a chain is
 * dead when, on average over its stones, the opponent owns its points by more than `threshold`.
 */
export function classifyChains(board: Board, ownershipBlack: Float32Array, threshold = 0.3): ChainStatus {
  const seen = new Uint8Array(board.area);
  const dead: number[] = [];
  const aliveChains: number[][] = [];
  const deadChains: number[][] = [];
  for (let p = 0; p < board.area; p++) {
    const color = board.stones[p] as 0 | StoneColor;
    if (color === EMPTY || seen[p]) continue;
    const stones = board.chainStones(p);
    let sum = 0;
    for (const s of stones) {
      seen[s] = 1;
      sum += ownershipBlack[s]!;
    }
    const ownView = (color === BLACK ? sum : -sum) / stones.length;
    if (ownView < -threshold) {
      deadChains.push(stones);
      dead.push(...stones);
    } else {
      aliveChains.push(stones);
    }
  }
  return { dead, aliveChains, deadChains };
}
