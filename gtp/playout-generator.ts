/**
 * The move generator used when no network is available: flat Monte-Carlo. Every legal root move (own
 * single-point eyes excepted) is tried by UCB1, each try finishing the game with a uniformly random
 * light playout (engine/playout.ts) and scoring it by area. Weak, but it plays legal, sensible moves
 * (captures, saves, takes territory in the endgame), reports win rates, score and ownership for the
 * analysis commands, and needs nothing but engine/.
 */
import { BLACK, Board, PASS, Rng, opponent, randomPlayout, type Game, type Move, type StoneColor } from '../engine/index.js';
import { sortCandidates, type Analysis, type CandidateMove, type MoveGenerator, type SearchOutcome, type SearchRequest } from './move-generator.js';
import { playoutAreaMargin } from './playout-stats.js';

export interface PlayoutGeneratorConfig {
  /** Playouts per move when the request gives neither visits nor time. */
  defaultPlayouts: number;
  /** UCB1 exploration constant. */
  exploration: number;
  /** Playouts between checks of the clock, the abort signal and the analysis callback. */
  batch: number;
  /**
   * Pass only if the pass's win rate is within this of the best move's and its expected score within
   * `passScoreSlack` points: passing must cost (almost) nothing.
   */
  passWinrateSlack: number;
  passScoreSlack: number;
  /** A point counts as settled when its mean ownership is at least this far from 0. */
  settledOwnership: number;
  seed: number;
}

export const DEFAULT_PLAYOUT_GENERATOR_CONFIG: PlayoutGeneratorConfig = {
  defaultPlayouts: 2000,
  exploration: 0.7,
  batch: 32,
  passWinrateSlack: 0.02,
  passScoreSlack: 0.5,
  settledOwnership: 0.8,
  seed: 1,
};

export class PlayoutGenerator implements MoveGenerator {
  readonly description = 'Monte-Carlo playouts (no network)';
  private readonly config: PlayoutGeneratorConfig;
  private readonly rng: Rng;

  constructor(config: Partial<PlayoutGeneratorConfig> = {}) {
    this.config = { ...DEFAULT_PLAYOUT_GENERATOR_CONFIG, ...config };
    this.rng = new Rng(this.config.seed);
  }

  async search(game: Game, request: SearchRequest): Promise<SearchOutcome> {
    const root = game.board;
    const color = root.toPlay;
    const komi = game.effectiveKomi;
    const area = root.area;
    const moves: Move[] = [];
    for (let p = 0; p < area; p++) if (!root.isEyeLike(p, color) && root.isLegal(p, color)) moves.push(p);
    moves.push(PASS);
    const n = moves.length;
    const visits = new Float64Array(n);
    const wins = new Float64Array(n);
    const scoreSum = new Float64Array(n);
    const ownershipSum = new Float64Array(area);
    const scratch = new Board(root.size, root.rules);
    const limitVisits = request.limits.visits ?? (request.limits.timeMs === undefined ? this.config.defaultPlayouts : Infinity);
    const deadline = request.limits.timeMs === undefined ? Infinity : performance.now() + request.limits.timeMs;
    const interval = request.analysisIntervalMs ?? 0;
    let nextReport = interval > 0 ? performance.now() + interval : Infinity;
    const sign = color === BLACK ? 1 : -1;
    let total = 0;

    const analysis = (): Analysis => this.analysis(color, moves, visits, wins, scoreSum, ownershipSum, total, sign);

    // Moves alone (pass aside) are tried first; pass enters selection with them.
    while (total < limitVisits && !request.signal?.aborted) {
      const batchEnd = Math.min(limitVisits, total + this.config.batch);
      for (; total < batchEnd; total++) {
        const i = this.select(visits, wins, total);
        scratch.copyFrom(root);
        scratch.playLegal(moves[i]!, color);
        // The playout must finish the game even after a root pass (else a pass would score the
        // unfinished board): the random game continues from here.
        scratch.passes = 0;
        randomPlayout(scratch, this.rng);
        const margin = (playoutAreaMargin(scratch, ownershipSum) - komi) * sign;
        visits[i]!++;
        wins[i]! += margin > 0 ? 1 : margin === 0 ? 0.5 : 0;
        scoreSum[i]! += margin;
      }
      const now = performance.now();
      if (now >= deadline) break;
      if (now >= nextReport && request.onAnalysis) {
        request.onAnalysis(analysis());
        nextReport = now + interval;
      }
      // Yield to the event loop so input (an abort) and output get through during long searches.
      if (total % (this.config.batch * 8) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const result = analysis();
    return { move: this.choose(game, color, moves, visits, wins, scoreSum, result, request.allowPass ?? true), analysis: result };
  }

  async dispose(): Promise<void> {}

  private select(visits: Float64Array, wins: Float64Array, total: number): number {
    const n = visits.length;
    // Every move gets one playout before UCB compares them.
    if (total < n) return total;
    const logTotal = Math.log(total);
    let best = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      const value = wins[i]! / visits[i]! + this.config.exploration * Math.sqrt(logTotal / visits[i]!);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    return best;
  }

  private analysis(
    color: StoneColor,
    moves: Move[],
    visits: Float64Array,
    wins: Float64Array,
    scoreSum: Float64Array,
    ownershipSum: Float64Array,
    total: number,
    sign: number,
  ): Analysis {
    const candidates: CandidateMove[] = [];
    const prior = 1 / moves.length;
    let winSum = 0;
    let scoreTotal = 0;
    for (let i = 0; i < moves.length; i++) {
      const v = visits[i]!;
      winSum += wins[i]!;
      scoreTotal += scoreSum[i]!;
      if (v === 0) {
        candidates.push({ move: moves[i]!, visits: 0, winrate: 0, prior, lcb: 0, pv: [moves[i]!] });
        continue;
      }
      const winrate = wins[i]! / v;
      // Normal-approximation lower bound, as the GUIs' "lcb" column expects a conservative win rate.
      const lcb = Math.max(0, winrate - 1.96 * Math.sqrt((winrate * (1 - winrate) + 0.25 / v) / v));
      candidates.push({ move: moves[i]!, visits: v, winrate, prior, lcb, pv: [moves[i]!], scoreLead: scoreSum[i]! / v });
    }
    sortCandidates(candidates);
    const ownership = new Float32Array(ownershipSum.length);
    if (total > 0) for (let p = 0; p < ownership.length; p++) ownership[p] = (ownershipSum[p]! / total) * sign;
    return {
      color,
      visits: total,
      winrate: total > 0 ? winSum / total : 0.5,
      scoreLead: total > 0 ? scoreTotal / total : 0,
      candidates,
      ownership,
      policy: visitShares(ownership.length, moves, visits, total),
    };
  }

  private choose(
    game: Game,
    color: StoneColor,
    moves: Move[],
    visits: Float64Array,
    wins: Float64Array,
    scoreSum: Float64Array,
    analysis: Analysis,
    allowPass: boolean,
  ): Move {
    const passIndex = moves.length - 1;
    let best = -1;
    for (let i = 0; i < passIndex; i++) if (best < 0 || visits[i]! > visits[best]!) best = i;
    if (best < 0) return PASS;
    if (visits[best] === 0) return moves[best]!;
    const ownership = analysis.ownership!;
    const settled = ownership.every((o) => Math.abs(o) >= this.config.settledOwnership);
    const board = game.board;
    const opponentPassed = board.lastMove === PASS;
    if (!allowPass) {
      // Cleanup: keep playing while opponent stones stand on points we will own.
      const deadOpponentStones = ownership.some((o, p) => board.stones[p] === opponent(color) && o > 0);
      return settled && !deadOpponentStones ? PASS : moves[best]!;
    }
    const passVisits = visits[passIndex]!;
    if (passVisits === 0 || !(settled || opponentPassed)) return moves[best]!;
    const passWinrate = wins[passIndex]! / passVisits;
    const bestWinrate = wins[best]! / visits[best]!;
    const passScore = scoreSum[passIndex]! / passVisits;
    const bestScore = scoreSum[best]! / visits[best]!;
    // Ending the game by passing back is right whenever we win as things stand.
    if (opponentPassed && analysis.winrate >= 0.5 && passWinrate >= 0.5) return PASS;
    if (passWinrate >= bestWinrate - this.config.passWinrateSlack && passScore >= bestScore - this.config.passScoreSlack) return PASS;
    return moves[best]!;
  }
}

/**
 * Without a network there are no raw priors; the policy reported is the search's own: each move's share
 * of the playouts (AlphaGo Zero's search policy), which is what a heatmap of "where it would play" shows.
 */
function visitShares(area: number, moves: readonly Move[], visits: Float64Array, total: number): Float32Array {
  const policy = new Float32Array(area + 1);
  if (total === 0) return policy;
  moves.forEach((m, i) => (policy[m === PASS ? area : m] = visits[i]! / total));
  return policy;
}
