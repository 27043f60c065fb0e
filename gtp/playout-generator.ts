/**
 * The move generator used when no network is available: flat Monte-Carlo with all-moves-as-first
 * statistics. Every legal root move (own single-point eyes excepted) is a candidate; each playout plays
 * one candidate and finishes the game with a uniformly random light playout (engine/playout.ts), scored
 * by area. Needs nothing but engine/, and reports win rates, score and ownership for the analysis commands.
 *
 * Plain flat Monte-Carlo (`amaf: false`, UCB1 over the candidates) learns about one candidate per playout:
 * with ~800 playouts for 361 candidates on 19x19 it plays at random. AMAF (Brügmann 1993) lets a playout
 * count for every candidate the root player played first at that point during it, so each playout informs
 * about a hundred candidates; RAVE (Gelly & Silver 2007) blends that estimate with the candidate's own
 * mean, trusting AMAF while the candidate has few playouts of its own: β = sqrt(k / (3n + k)).
 * Both estimates start from static priors counted as virtual playouts ("equivalent experience", as in
 * MoGo, Fuego and Pachi): an even 50% for every move, virtual losses for first- and second-line moves far
 * from any stone (what uniformly random playouts cannot tell from good ones early in a game) and for
 * self-ataris, virtual wins for captures and escapes from atari. The priors only bias where playouts go;
 * the move chosen is the one the playouts visited most.
 */
import { BLACK, Board, EMPTY, LibertyCounter, PASS, Rng, geometry, opponent, randomPlayout, type Game, type Move, type StoneColor } from '../engine/index.js';
import { sortCandidates, type Analysis, type CandidateMove, type MoveGenerator, type SearchOutcome, type SearchRequest } from './move-generator.js';
import { playoutAreaMargin } from './playout-stats.js';

export interface PlayoutGeneratorConfig {
  /** Playouts per move when the request gives neither visits nor time. */
  defaultPlayouts: number;
  /**
   * AMAF/RAVE selection with static priors (the default); false: plain flat UCB1, every candidate tried
   * once before UCB compares them (the earlier fallback, kept for comparisons).
   */
  amaf: boolean;
  /** UCB1 exploration constant of plain flat Monte-Carlo (`amaf: false`). */
  exploration: number;
  /** Exploration constant with AMAF: small, since AMAF and the priors already spread the playouts. */
  amafExploration: number;
  /** RAVE's k: a candidate's own mean and its AMAF mean weigh equally at n = k playouts of its own. */
  raveEquivalence: number;
  /** Virtual playouts at 50% every candidate (pass included) starts with, so one result cannot dominate. */
  evenPrior: number;
  /**
   * Virtual losses of a first-line move with no stone within `edgeClearance` (Manhattan distance); half
   * as many on the second line. Random playouts cannot tell such moves from good ones early in a game.
   */
  edgePrior: number;
  edgeClearance: number;
  /** Virtual wins of a capture or an escape from atari; virtual losses of a self-atari that captures nothing. */
  tacticalPrior: number;
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
  amaf: true,
  exploration: 0.7,
  amafExploration: 0.02,
  raveEquivalence: 1000,
  evenPrior: 10,
  edgePrior: 40,
  edgeClearance: 3,
  tacticalPrior: 20,
  batch: 32,
  passWinrateSlack: 0.02,
  passScoreSlack: 0.5,
  settledOwnership: 0.8,
  seed: 1,
};

/** Static priors of the candidates as virtual playouts: `wins[i]` of `playouts[i]`. */
export interface CandidatePriors {
  wins: Float64Array;
  playouts: Float64Array;
}

/**
 * The static priors of `moves` (PASS allowed, which gets the even prior only) for `color` on `board`;
 * see PlayoutGeneratorConfig for what each part means.
 */
export function candidatePriors(
  board: Board,
  color: StoneColor,
  moves: readonly Move[],
  config: Pick<PlayoutGeneratorConfig, 'evenPrior' | 'edgePrior' | 'edgeClearance' | 'tacticalPrior'>,
): CandidatePriors {
  const n = moves.length;
  const wins = new Float64Array(n).fill(config.evenPrior / 2);
  const playouts = new Float64Array(n).fill(config.evenPrior);
  const size = board.size;
  const { neighbors, neighborStart } = geometry(size);
  const counter = new LibertyCounter(size);
  const enemy = opponent(color);
  for (let i = 0; i < n; i++) {
    const p = moves[i]!;
    if (p === PASS) continue;
    const row = Math.floor(p / size);
    const col = p % size;
    const line = Math.min(row, col, size - 1 - row, size - 1 - col);
    if (line <= 1 && !stoneWithin(board, row, col, config.edgeClearance)) {
      playouts[i]! += line === 0 ? config.edgePrior : config.edgePrior / 2;
    }
    // Tactics: what the move does to its own chain and to the chains next to it.
    let ownInAtari = false;
    let enemyInAtari = false;
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      if (board.stones[q] === EMPTY || board.liberties(q) !== 1) continue;
      if (board.stones[q] === color) ownInAtari = true;
      else if (board.stones[q] === enemy) enemyInAtari = true;
    }
    // Capped at 2: only "one" and "two or more" matter below.
    const libertiesAfter = counter.libertiesAfter(board, p, color, 2);
    if (enemyInAtari || (ownInAtari && libertiesAfter >= 2)) {
      wins[i]! += config.tacticalPrior;
      playouts[i]! += config.tacticalPrior;
    } else if (libertiesAfter === 1) {
      playouts[i]! += config.tacticalPrior;
    }
  }
  return { wins, playouts };
}

/** True when a stone stands within Manhattan distance `radius` of (row, col). */
function stoneWithin(board: Board, row: number, col: number, radius: number): boolean {
  const size = board.size;
  for (let r = Math.max(0, row - radius); r <= Math.min(size - 1, row + radius); r++) {
    const reach = radius - Math.abs(r - row);
    for (let c = Math.max(0, col - reach); c <= Math.min(size - 1, col + reach); c++) {
      if (board.stones[r * size + c] !== EMPTY) return true;
    }
  }
  return false;
}

/**
 * All-moves-as-first update after one playout: every candidate point (PASS excepted) that `color` played
 * first during it (`firstPlayer`, as randomPlayout fills it, the root move included) counts the playout's
 * `result` (1 win, 0.5 draw, 0 loss for `color`). Points the opponent reached first are left alone.
 */
export function updateAmaf(
  moves: Int32Array,
  firstPlayer: Uint8Array,
  color: StoneColor,
  result: number,
  amafPlayouts: Float64Array,
  amafWins: Float64Array,
): void {
  for (let i = 0; i < moves.length; i++) {
    const p = moves[i]!;
    if (p >= 0 && firstPlayer[p] === color) {
      amafPlayouts[i]!++;
      amafWins[i]! += result;
    }
  }
}

/** Per-candidate statistics of one search. */
interface SearchStats {
  visits: Float64Array;
  wins: Float64Array;
  scoreSum: Float64Array;
  amafVisits: Float64Array;
  amafWins: Float64Array;
  priors: CandidatePriors | null;
}

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
    const candidates = Int32Array.from(moves);
    const amaf = this.config.amaf;
    const stats: SearchStats = {
      visits: new Float64Array(n),
      wins: new Float64Array(n),
      scoreSum: new Float64Array(n),
      amafVisits: new Float64Array(n),
      amafWins: new Float64Array(n),
      priors: amaf ? candidatePriors(root, color, moves, this.config) : null,
    };
    const { visits, wins, scoreSum, amafVisits, amafWins } = stats;
    const firstPlayer = amaf ? new Uint8Array(area) : undefined;
    const ownershipSum = new Float64Array(area);
    const scratch = new Board(root.size, root.rules);
    const limitVisits = request.limits.visits ?? (request.limits.timeMs === undefined ? this.config.defaultPlayouts : Infinity);
    const deadline = request.limits.timeMs === undefined ? Infinity : performance.now() + request.limits.timeMs;
    const interval = request.analysisIntervalMs ?? 0;
    let nextReport = interval > 0 ? performance.now() + interval : Infinity;
    const sign = color === BLACK ? 1 : -1;
    let total = 0;

    const analysis = (): Analysis => this.analysis(color, moves, stats, ownershipSum, total, sign);

    while (total < limitVisits && !request.signal?.aborted) {
      const batchEnd = Math.min(limitVisits, total + this.config.batch);
      for (; total < batchEnd; total++) {
        const i = amaf ? this.selectRave(stats, total) : this.selectUcb1(visits, wins, total);
        const move = moves[i]!;
        scratch.copyFrom(root);
        scratch.playLegal(move, color);
        // The playout must finish the game even after a root pass (else a pass would score the
        // unfinished board): the random game continues from here.
        scratch.passes = 0;
        if (firstPlayer !== undefined) {
          firstPlayer.fill(0);
          if (move !== PASS) firstPlayer[move] = color;
        }
        randomPlayout(scratch, this.rng, area * 2, 0, firstPlayer);
        const margin = (playoutAreaMargin(scratch, ownershipSum) - komi) * sign;
        const result = margin > 0 ? 1 : margin === 0 ? 0.5 : 0;
        visits[i]!++;
        wins[i]! += result;
        scoreSum[i]! += margin;
        if (firstPlayer !== undefined) updateAmaf(candidates, firstPlayer, color, result, amafVisits, amafWins);
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
    return { move: this.choose(game, color, moves, stats, result, request.allowPass ?? true), analysis: result };
  }

  async dispose(): Promise<void> {}

  /** Plain flat Monte-Carlo: every move (pass last) gets one playout before UCB1 compares them. */
  private selectUcb1(visits: Float64Array, wins: Float64Array, total: number): number {
    const n = visits.length;
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

  /**
   * RAVE: each candidate's own mean and its AMAF mean (both starting from the priors) blended with
   * β = sqrt(k / (3n + k)), plus a small UCB term. Pass has no AMAF statistics (no point to play first)
   * and is judged by its own mean; it gets the first playout, so the pass decisions in `choose` always
   * have a figure to look at.
   */
  private selectRave(stats: SearchStats, total: number): number {
    const visits = stats.visits;
    const n = visits.length;
    const passIndex = n - 1;
    if (total === 0) return passIndex;
    const c = this.config.amafExploration;
    const logTotal = Math.log(total + 1);
    let best = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      const value = this.raveValue(stats, i, i === passIndex) + c * Math.sqrt(logTotal / (visits[i]! + 1));
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    return best;
  }

  /** A candidate's RAVE estimate of its win rate: own mean and AMAF mean, both from the priors, blended. */
  private raveValue(stats: SearchStats, i: number, isPass: boolean): number {
    const priors = stats.priors!;
    const v = stats.visits[i]!;
    const priorWins = priors.wins[i]!;
    const priorPlayouts = priors.playouts[i]!;
    const own = (stats.wins[i]! + priorWins) / (v + priorPlayouts);
    if (isPass) return own;
    const allMoves = (stats.amafWins[i]! + priorWins) / (stats.amafVisits[i]! + priorPlayouts);
    const k = this.config.raveEquivalence;
    const beta = Math.sqrt(k / (3 * v + k));
    return (1 - beta) * own + beta * allMoves;
  }

  private analysis(color: StoneColor, moves: Move[], stats: SearchStats, ownershipSum: Float64Array, total: number, sign: number): Analysis {
    const { visits, wins, scoreSum, priors } = stats;
    const candidates: CandidateMove[] = [];
    // Without a network the only priors are the static ones: each move's prior win rate, normalised.
    let priorTotal = 0;
    if (priors !== null) for (let i = 0; i < moves.length; i++) priorTotal += priors.wins[i]! / priors.playouts[i]!;
    let winSum = 0;
    let scoreTotal = 0;
    for (let i = 0; i < moves.length; i++) {
      const v = visits[i]!;
      const prior = priors === null || priorTotal === 0 ? 1 / moves.length : priors.wins[i]! / priors.playouts[i]! / priorTotal;
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

  private choose(game: Game, color: StoneColor, moves: Move[], stats: SearchStats, analysis: Analysis, allowPass: boolean): Move {
    const { visits, wins, scoreSum } = stats;
    const passIndex = moves.length - 1;
    let best = -1;
    for (let i = 0; i < passIndex; i++) {
      if (best < 0 || visits[i]! > visits[best]!) best = i;
      // Equal visits (a budget too small to separate the moves, down to none at all): the better RAVE estimate.
      else if (visits[i] === visits[best] && stats.priors !== null && this.raveValue(stats, i, false) > this.raveValue(stats, best, false)) best = i;
    }
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
