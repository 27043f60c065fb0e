/**
 * AlphaGo Lee's leaf evaluation: a leaf is scored by the value net (v) and by a fast rollout to the end
 * of the game (z, the outcome ±1), mixed as V = (1 − λ)·v + λ·z with λ = 0.5 by default.
 *
 * The search (src/search/mcts.ts) mixes at the leaf through its `LeafValueSource` plug-in: it calls
 * `start(board)` for each new leaf, waits for the net's v, and backs up (1 − weight)·v + weight·z.
 * Mixing at the leaf is the same as Lee's separate backups Q = (1 − λ)·Wv/N + λ·Wr/N, since every leaf
 * gets both evaluations. `RolloutLeafEvaluator` is that plug-in:
 *
 *   const leaf = new RolloutLeafEvaluator({ policy: RolloutPolicy.load(file), size: 9, komi: 7 });
 *   const search = new MctsSearch(evaluator, params, { leafValue: leaf });
 */
import { Board } from '../../engine/board.js';
import { Rng } from '../../engine/rng.js';
import { score } from '../../engine/score.js';
import type { LeafValueSource } from '../search/mcts.js';
import { checkScoreUtility, defaultScoreScale, outcomeValue, type ScoreUtility } from '../search/outcome.js';
import { Rollout } from './rollout.js';
import type { RolloutPolicy } from './rollout-policy.js';

export const DEFAULT_LAMBDA = 0.5;

/** (1 − λ)·v + λ·z for a value-net output v and a rollout outcome z, both for the same player. */
export function mixedLeafValue(netValue: number, rolloutValue: number, lambda: number): number {
  checkLambda(lambda);
  return (1 - lambda) * netValue + lambda * rolloutValue;
}

function checkLambda(lambda: number): void {
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`λ (rollout weight) must be in [0, 1], got ${lambda}`);
}

export interface RolloutLeafOptions {
  policy: RolloutPolicy;
  size: number;
  /** Komi of the game the rollouts are scored under (area scoring). */
  komi: number;
  /** Weight of the rollout outcome in the leaf value (default 0.5, as AlphaGo Lee). */
  lambda?: number;
  /** Rollouts per leaf, averaged (default 1, as AlphaGo). */
  rolloutsPerLeaf?: number;
  /** Seed of the rollouts' random numbers. */
  seed?: number;
  /** Move cap of one rollout (default 3 × area). */
  maxMoves?: number;
  /** Score term in a rollout's value (src/search/outcome.ts); default none (±1). */
  scoreUtility?: ScoreUtility;
}

export class RolloutLeafEvaluator implements LeafValueSource {
  /** λ: the search mixes (1 − weight)·v_net + weight·(this evaluator's value). */
  readonly weight: number;
  readonly komi: number;
  readonly rolloutsPerLeaf: number;
  private readonly rollout: Rollout;
  private readonly rng: Rng;
  private readonly maxMoves: number;
  private readonly utility: ScoreUtility;
  private board: Board;
  /** Rollouts played and their moves, for statistics. */
  rollouts = 0;
  rolloutMoves = 0;

  constructor(options: RolloutLeafOptions) {
    this.weight = options.lambda ?? DEFAULT_LAMBDA;
    checkLambda(this.weight);
    this.komi = options.komi;
    if (!Number.isFinite(this.komi)) throw new RangeError(`komi must be a number, got ${options.komi}`);
    this.rolloutsPerLeaf = options.rolloutsPerLeaf ?? 1;
    if (!Number.isInteger(this.rolloutsPerLeaf) || this.rolloutsPerLeaf < 1) {
      throw new RangeError(`rolloutsPerLeaf must be a positive integer, got ${options.rolloutsPerLeaf}`);
    }
    this.rollout = new Rollout(options.policy, options.size);
    this.rng = new Rng(options.seed);
    this.maxMoves = options.maxMoves ?? options.size * options.size * 3;
    this.utility = options.scoreUtility ?? { weight: 0, scale: defaultScoreScale(options.size) };
    checkScoreUtility(this.utility);
    this.board = new Board(options.size);
  }

  /** The leaf's rollout value for the player to move on `board` (LeafValueSource). */
  start(board: Board): number {
    return this.evaluate(board);
  }

  /**
   * Mean outcome of `rolloutsPerLeaf` rollouts from `board` for board.toPlay: +1 win, −1 loss, 0 draw,
   * by area count with komi, plus the score term when one is set. `board` is not changed.
   */
  evaluate(board: Board): number {
    if (board.size !== this.board.size) throw new RangeError(`leaf evaluator for ${this.board.size}x${this.board.size} given a ${board.size}x${board.size} board`);
    const toPlay = board.toPlay;
    let total = 0;
    for (let i = 0; i < this.rolloutsPerLeaf; i++) {
      // Without the game's superko history: the rollout has its own ko-cycle guard (rollout.ts).
      this.board.copyFrom(board, false);
      this.rollout.start(this.board);
      this.rolloutMoves += this.rollout.playout(this.rng, this.maxMoves);
      this.rollouts++;
      total += outcomeValue(score(this.board, { komi: this.komi, scoring: 'area' }).margin, toPlay, this.utility);
    }
    return total / this.rolloutsPerLeaf;
  }
}
