/**
 * Worker thread of RolloutWorkerPool (rollout-workers.ts): rebuilds each leaf position sent to it and
 * answers the mean outcome of its rollouts for the player to move. Loaded from dist/ (compiled JavaScript).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Board } from '../../engine/board.js';
import type { StoneColor, Color } from '../../engine/color.js';
import type { ScoreUtility } from '../search/outcome.js';
import { RolloutLeafEvaluator } from './leaf.js';
import { RolloutPolicy } from './rollout-policy.js';

export interface RolloutWorkerData {
  policyPath: string;
  size: number;
  rolloutsPerLeaf: number;
  seed: number;
  scoreUtility?: ScoreUtility;
}

/** One leaf position: what a rollout needs of a Board (stones, side to move, ko, passes, last move). */
export interface RolloutRequest {
  id: number;
  komi: number;
  stones: Uint8Array;
  toPlay: StoneColor;
  koPoint: number;
  koColor: Color;
  passes: number;
  lastMove: number | null;
}

export interface RolloutReply {
  id: number;
  value: number;
  moves: number;
  error?: string;
}

const data = workerData as RolloutWorkerData;
const policy = RolloutPolicy.load(data.policyPath);
const leaves = new Map<number, RolloutLeafEvaluator>();

function leafFor(komi: number): RolloutLeafEvaluator {
  let leaf = leaves.get(komi);
  if (leaf === undefined) {
    leaf = new RolloutLeafEvaluator({ policy, size: data.size, komi, lambda: 1, rolloutsPerLeaf: data.rolloutsPerLeaf, seed: data.seed, scoreUtility: data.scoreUtility });
    leaves.set(komi, leaf);
  }
  return leaf;
}

parentPort!.on('message', (r: RolloutRequest) => {
  try {
    const board = new Board(data.size);
    for (let p = 0; p < r.stones.length; p++) {
      const s = r.stones[p]!;
      if (s !== 0) board.placeSetupStone(p, s as StoneColor);
    }
    board.toPlay = r.toPlay;
    board.koPoint = r.koPoint;
    board.koColor = r.koColor;
    board.passes = r.passes;
    board.lastMove = r.lastMove;
    const leaf = leafFor(r.komi);
    const before = leaf.rolloutMoves;
    const value = leaf.evaluate(board);
    parentPort!.postMessage({ id: r.id, value, moves: leaf.rolloutMoves - before } satisfies RolloutReply);
  } catch (e) {
    parentPort!.postMessage({ id: r.id, value: 0, moves: 0, error: (e as Error).message } satisfies RolloutReply);
  }
});
