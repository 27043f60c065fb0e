/**
 * Simulation balancing (Silver & Tesauro 2009, "Monte-Carlo Simulation Balancing"; Huang, Coulom & Lin 2010,
 * "Simulation Balancing in Practice"): trains the rollout policy for what the search uses it for, the mean
 * outcome of its rollouts, instead of for predicting moves. Move prediction (train-rollout.ts) makes each
 * move look like a strong player's; the rollout value can still be biased, because the errors of the two
 * sides do not cancel (a race the policy reads badly for one colour is misjudged every time). Balancing
 * moves the weights so that the rollouts' mean outcome V̂(s) meets a target value V*(s):
 *
 *   θ ← θ + α · (V*(s) − V̂(s)) · ∇θ V̂(s),   ∇θ V̂(s) = E[ z · Σ_t ψ(s_t, a_t) ],
 *
 * ψ(s, a) = ∇θ log π(a | s) = φ(s, a) − Σ_b π(b | s) φ(s, b) for the linear softmax policy, summed over every
 * move of a rollout (both colours: they share the weights), z the rollout's outcome for Black. V̂ and the
 * gradient come from separate rollouts, so their product is an unbiased estimate (the paper's Algorithm 1).
 * Here V*(s) is the result of the recorded game s comes from (±1 for Black): noisy per position, unbiased
 * over many, and exactly what `tengen evaluate --rollouts` scores.
 *
 * The gradient rollouts draw each move from Rollout.moveProbabilities (the same distribution the search's
 * rollouts draw from, ko and superko refusals included) and read each candidate's features the slow way
 * (RolloutFeatures), about 15× slower than a search rollout; V̂ uses the fast path.
 */
import { Board } from '../../engine/board.js';
import { BLACK, PASS, WHITE, type StoneColor } from '../../engine/color.js';
import type { Game } from '../../engine/game.js';
import { Rng } from '../../engine/rng.js';
import { score } from '../../engine/score.js';
import { outcomeValue } from '../search/outcome.js';
import { Rollout } from './rollout.js';
import { RolloutFeatures, SCALAR_COUNT } from './rollout-features.js';
import type { RolloutPolicy } from './rollout-policy.js';

/** A position to balance on: the board (Black or White to move), the komi and the target value for Black. */
export interface BalancePosition {
  board: Board;
  komi: number;
  /** V*(s) for Black in [−1, 1]: the recorded game's result (+1 Black won, −1 White won, 0 a draw). */
  target: number;
}

export interface BalanceConfig {
  /** Fast rollouts per position for V̂ (default 16). */
  valueRollouts: number;
  /** Rollouts per position for the gradient (default 16). */
  gradientRollouts: number;
  /** Step size α (default 0.002). */
  learningRate: number;
  /** Which weights move: 'all', or 'scalars-patterns' (the 3x3 patterns and the flags; the response patterns stay). */
  weights: 'all' | 'scalars-patterns';
  /** A step is clipped to this size per weight (default 0.5), so one noisy position cannot wreck a weight. */
  maxStep: number;
  seed: number;
}

export const DEFAULT_BALANCE: BalanceConfig = {
  valueRollouts: 16,
  gradientRollouts: 16,
  learningRate: 0.002,
  weights: 'all',
  maxStep: 0.5,
  seed: 1,
};

export interface BalanceEpochReport {
  epoch: number;
  positions: number;
  /** Mean (V* − V̂)² over the epoch's positions, V̂ measured before each position's step. */
  mse: number;
  /** Mean (V* − V̂): above 0 the rollouts undervalue Black's positions. */
  bias: number;
  /** Largest |weight change| of the epoch. */
  largestStep: number;
  seconds: number;
}

/** A recorded game and its winner (null: a draw). */
export interface BalanceRecord {
  game: Game;
  winner: StoneColor | null;
}

/**
 * Positions to balance on from game records: `perGame` positions of each game, drawn uniformly from its
 * moves at index ≥ `minMove` (the opening's results say little about its positions), with the game's result
 * as the target. Games no longer than `minMove` give none.
 */
export function balancePositions(records: readonly BalanceRecord[], perGame: number, minMove: number, seed: number): BalancePosition[] {
  const rng = new Rng(seed);
  const out: BalancePosition[] = [];
  for (const { game, winner } of records) {
    if (game.moves.length <= minMove) continue;
    const target = winner === BLACK ? 1 : winner === WHITE ? -1 : 0;
    const picks = new Set<number>();
    const span = game.moves.length - minMove;
    for (let i = 0; i < Math.min(perGame, span); i++) {
      let k = minMove + rng.int(span);
      while (picks.has(k)) k = minMove + ((k - minMove + 1) % span);
      picks.add(k);
    }
    const board = new Board(game.size);
    for (const p of game.setupBlack) board.placeSetupStone(p, BLACK);
    for (const p of game.setupWhite) board.placeSetupStone(p, WHITE);
    for (let i = 0; i < game.moves.length; i++) {
      const { move, color } = game.moves[i]!;
      if (picks.has(i)) {
        const copy = board.copy();
        copy.toPlay = color;
        out.push({ board: copy, komi: game.rules.komi, target });
      }
      if (move !== PASS && !board.isLegalIgnoringSuperko(move, color)) break;
      board.playLegal(move, color);
    }
  }
  return out;
}

/**
 * Runs simulation balancing on one policy and board size. The policy's weight arrays are changed in place;
 * `RolloutPolicy.save` writes them.
 */
export class SimulationBalancer {
  readonly config: BalanceConfig;
  private readonly rollout: Rollout;
  private readonly features: RolloutFeatures;
  private readonly rng: Rng;
  private readonly scratch: Board;
  private readonly probabilities: Float64Array;
  /**
   * ψ summed over one rollout, and the position's gradient estimate; both indexed by weight: the scalar flags,
   * then the 3x3 patterns from `offset3`, then the response patterns from `offsetR`.
   */
  private readonly rolloutPsi: Float64Array;
  private readonly gradient: Float64Array;
  private readonly offset3: number;
  private readonly offsetR: number;
  private readonly size: number;

  constructor(
    readonly policy: RolloutPolicy,
    size: number,
    config: Partial<BalanceConfig> = {},
  ) {
    this.config = { ...DEFAULT_BALANCE, ...config };
    this.size = size;
    this.rollout = new Rollout(policy, size);
    this.features = new RolloutFeatures(size);
    this.rng = new Rng(this.config.seed);
    this.scratch = new Board(size);
    this.probabilities = new Float64Array(size * size);
    this.offset3 = SCALAR_COUNT;
    this.offsetR = SCALAR_COUNT + policy.pattern3Count;
    const n = this.offsetR + policy.responseCount;
    this.rolloutPsi = new Float64Array(n);
    this.gradient = new Float64Array(n);
  }

  /** V̂(s) for Black: the mean outcome of `rollouts` fast rollouts from the position. */
  value(position: BalancePosition, rollouts = this.config.valueRollouts): number {
    let total = 0;
    for (let i = 0; i < rollouts; i++) {
      this.scratch.copyFrom(position.board, false);
      this.rollout.start(this.scratch);
      this.rollout.playout(this.rng);
      total += outcomeForBlack(this.scratch, position.komi);
    }
    return total / rollouts;
  }

  /**
   * ∇θ V̂(s) estimated from `gradientRollouts` rollouts, into `this.gradient` (returned): the mean of
   * z · Σ_t ψ(s_t, a_t).
   */
  valueGradient(position: BalancePosition): Float64Array {
    const gradient = this.gradient;
    gradient.fill(0);
    const n = this.config.gradientRollouts;
    for (let i = 0; i < n; i++) {
      const z = this.gradientRollout(position);
      if (z === 0) continue;
      const psi = this.rolloutPsi;
      for (let k = 0; k < psi.length; k++) if (psi[k] !== 0) gradient[k]! += (z * psi[k]!) / n;
    }
    return gradient;
  }

  /** One balancing step on a position; returns V̂ (measured before the step) and the largest weight change. */
  step(position: BalancePosition): { value: number; largestStep: number } {
    const value = this.value(position);
    const gradient = this.valueGradient(position);
    const scale = this.config.learningRate * (position.target - value);
    let largestStep = 0;
    if (scale !== 0) {
      const { scalarWeights, pattern3Weights, responseWeights } = this.policy;
      const limit = this.config.weights === 'all' ? gradient.length : this.offsetR;
      const maxStep = this.config.maxStep;
      for (let k = 0; k < limit; k++) {
        const g = gradient[k]!;
        if (g === 0) continue;
        const d = Math.max(-maxStep, Math.min(maxStep, scale * g));
        if (k < this.offset3) scalarWeights[k]! += d;
        else if (k < this.offsetR) pattern3Weights[k - this.offset3]! += d;
        else responseWeights[k - this.offsetR]! += d;
        largestStep = Math.max(largestStep, Math.abs(d));
      }
      this.rollout.refreshWeights();
    }
    return { value, largestStep };
  }

  /** One pass over the positions in a random order. */
  epoch(positions: readonly BalancePosition[], epoch: number, onPosition?: (done: number) => void): BalanceEpochReport {
    const started = performance.now();
    const order = positions.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let squares = 0;
    let bias = 0;
    let largestStep = 0;
    order.forEach((k, done) => {
      const p = positions[k]!;
      const { value, largestStep: s } = this.step(p);
      squares += (p.target - value) ** 2;
      bias += p.target - value;
      largestStep = Math.max(largestStep, s);
      onPosition?.(done + 1);
    });
    const count = Math.max(1, positions.length);
    return { epoch, positions: positions.length, mse: squares / count, bias: bias / count, largestStep, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * Plays one rollout from the position, drawing every move from the rollout policy's distribution, and sums
   * ψ(s_t, a_t) over its moves into `rolloutPsi`; returns the outcome for Black.
   */
  private gradientRollout(position: BalancePosition): number {
    const board = this.scratch;
    board.copyFrom(position.board, false);
    const rollout = this.rollout;
    rollout.start(board);
    const psi = this.rolloutPsi;
    psi.fill(0);
    const probabilities = this.probabilities;
    const area = this.size * this.size;
    const maxMoves = 3 * area;
    for (let moves = 0; moves < maxMoves && board.passes < 2; moves++) {
      rollout.moveProbabilities(probabilities);
      const color: StoneColor = board.toPlay;
      let u = this.rng.next();
      let move = PASS;
      for (let p = 0; p < area; p++) {
        const pr = probabilities[p]!;
        if (pr <= 0) continue;
        move = p;
        u -= pr;
        if (u < 0) break;
      }
      if (move !== PASS) this.accumulateScoreFunction(board, color, move, probabilities, psi);
      rollout.play(move);
    }
    return outcomeForBlack(board, position.komi);
  }

  /**
   * ψ(s, a) = ∇θ log π(a | s) for the rollout policy at `board` (the player to move plays `move`), into
   * `out` (zeroed first; indexed scalars, then 3x3 patterns, then response patterns). For tests and analysis.
   */
  scoreFunction(board: Board, move: number, out: Float64Array): void {
    out.fill(0);
    this.scratch.copyFrom(board, false);
    this.rollout.start(this.scratch);
    this.rollout.moveProbabilities(this.probabilities);
    this.accumulateScoreFunction(this.scratch, this.scratch.toPlay, move, this.probabilities, out);
  }

  /** Adds φ(a) − Σ_b π(b) φ(b) to `psi`: every candidate b with π(b) > 0 subtracts its features' share. */
  private accumulateScoreFunction(board: Board, color: StoneColor, move: number, probabilities: Float64Array, psi: Float64Array): void {
    const features = this.features;
    const policy = this.policy;
    const area = this.size * this.size;
    const prev = board.lastMove;
    const vital = this.rollout.nakadeVital;
    for (let p = 0; p < area; p++) {
      const pr = probabilities[p]!;
      if (pr <= 0) continue;
      const w = (p === move ? 1 : 0) - pr;
      const staticMask = features.staticMask(board, p, color);
      if (staticMask < 0) continue; // not a candidate (cannot happen for π(p) > 0)
      const mask = staticMask | features.responseMask(board, p, color, prev, vital);
      for (let m = mask, bit = 0; m !== 0; m >>>= 1, bit++) if (m & 1) psi[bit]! += w;
      const id3 = policy.pattern3Index.get(features.pattern3);
      if (id3 >= 0) psi[this.offset3 + id3]! += w;
      if (features.response >= 0) {
        const idR = policy.responseIndex.get(features.response);
        if (idR >= 0) psi[this.offsetR + idR]! += w;
      }
    }
  }
}

/** ±1 (0 for a draw) for Black by area count: the search's finished-game value without a score term. */
const WIN_LOSS_ONLY = { weight: 0, scale: 1 };
function outcomeForBlack(board: Board, komi: number): number {
  return outcomeValue(score(board, { komi, scoring: 'area' }).margin, BLACK, WIN_LOSS_ONLY);
}
