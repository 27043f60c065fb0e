/**
 * The GTP session: the game being played, komi and rules, clocks, and the move generator. Commands
 * (commands.ts) call these methods and turn their results into response text; every failure a
 * controller should see is thrown as a GtpError with the spec's wording.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  BLACK,
  EMPTY,
  Game,
  MAX_SIZE,
  MIN_SIZE,
  PASS,
  Rng,
  WHITE,
  gameToSgf,
  maxFixedHandicap,
  fixedHandicapPoints,
  opponent,
  score,
  sgfToGame,
  toGtpVertex,
  type GameRules,
  type Move,
  type StoneColor,
} from '../engine/index.js';
import { GtpError } from './protocol.js';
import type { Analysis, MoveGenerator, MoveGeneratorFactory, SearchLimits, SearchOutcome } from './move-generator.js';
import { classifyChains, defaultOwnershipPlayouts, estimateOwnership } from './playout-stats.js';
import { TimeManager, type TimeControl } from '../src/search/time-manager.js';

export interface EngineConfig {
  boardSize: number;
  rules: GameRules;
  /** Search budget per genmove; the clock (time_settings / time_left) can only shorten it. */
  visits?: number;
  timeSeconds?: number;
  /** Resign when the win rate falls below this (0 disables resigning). */
  resignThreshold: number;
  /** No resignation before this fraction of the board's points have been played. */
  resignMinMovesFraction: number;
  /** Fewest search visits a resignation decision needs (too few visits are noise). */
  resignMinVisits: number;
  /**
   * Resign only after this many of our consecutive genmoves found the game hopeless (KataGo's
   * resignConsecTurns): one low value from a young network is often noise, a resignation is final.
   */
  resignConsecutiveMoves: number;
  /** Relative paths in loadsgf / printsgf resolve against this folder. */
  workingDir: string;
  name: string;
  version: string;
  /** Seed of the dead-stone estimate, so final_score and final_status_list agree call after call. */
  seed: number;
  /** Random playouts behind the dead-stone estimate (default: by board size, see defaultOwnershipPlayouts). */
  ownershipPlayouts?: number;
  log: (message: string) => void;
}

export interface GenmoveOptions {
  /** kgs-genmove_cleanup: capture dead stones, pass only when nothing is left to do. */
  cleanup?: boolean;
  onAnalysis?: (analysis: Analysis) => void;
  analysisIntervalMs?: number;
  signal?: AbortSignal;
}

export type GeneratedMove = Move | 'resign';

/** Someone following the game (the --watch viewer): told of every change, never able to veto one. */
export interface GameObserver {
  moved(game: Game, color: StoneColor, move: Move, analysis?: Analysis): void;
  undone(): void;
  /** The position was replaced (new board, handicap, loaded SGF, rules). */
  reset(): void;
  ended(result: string): void;
}

export interface FinalStatus {
  alive: number[][];
  dead: number[][];
  seki: number[][];
  /** Every dead stone, for scoring. */
  deadStones: number[];
}

export class GtpEngine {
  readonly config: EngineConfig;
  game: Game;
  /** Per colour: how many consecutive genmoves found the game hopeless, and at which move number the last one was. */
  private readonly hopelessStreak = new Map<StoneColor, { game: Game; atMove: number; count: number }>();
  rules: GameRules;
  /** The game clock as the controller describes it (time_settings, time_left) and our moves use it. */
  readonly clock = new TimeManager();
  observer: GameObserver | null = null;
  private readonly generatorFactory: MoveGeneratorFactory;
  private generator: MoveGenerator | null = null;
  private generatorSize = 0;
  private generatorLoads: Promise<unknown> = Promise.resolve();
  private statusCache: { key: string; status: FinalStatus } | null = null;

  constructor(config: EngineConfig, generatorFactory: MoveGeneratorFactory) {
    this.config = config;
    this.rules = { ...config.rules };
    this.generatorFactory = generatorFactory;
    this.game = new Game(config.boardSize, this.rules);
  }

  get size(): number {
    return this.game.size;
  }

  // ------------------------------------------------------------------ setup

  setBoardSize(size: number): void {
    if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) throw new GtpError('unacceptable size');
    this.game = new Game(size, this.rules);
    this.positionChanged();
    this.prepareMoveGenerator();
  }

  clearBoard(): void {
    this.game = new Game(this.game.size, this.rules);
    this.clock.setControl(this.clock.timeControl);
    this.positionChanged();
  }

  setKomi(komi: number): void {
    this.rules = { ...this.rules, komi };
    this.game.rules = { ...this.game.rules, komi };
    this.statusCache = null;
  }

  /** Changes ko, suicide or scoring; the moves so far must stay legal under the new rules. */
  setRules(rules: Partial<Omit<GameRules, 'komi'>>): void {
    const next = { ...this.rules, ...rules, komi: this.rules.komi };
    try {
      this.game.setRules(next);
    } catch {
      throw new GtpError('the moves played are illegal under these rules');
    }
    this.rules = next;
    this.positionChanged();
  }

  get boardIsEmpty(): boolean {
    return this.game.moves.length === 0 && this.game.setupBlack.length === 0 && this.game.setupWhite.length === 0;
  }

  setFixedHandicap(stones: number): number[] {
    if (!this.boardIsEmpty) throw new GtpError('board not empty');
    if (!Number.isInteger(stones) || stones < 2 || stones > maxFixedHandicap(this.size)) throw new GtpError('invalid number of stones');
    const points = this.game.setFixedHandicap(stones);
    this.positionChanged();
    return points;
  }

  /** place_free_handicap: the fixed points as far as they go, then points spread over the board. */
  placeFreeHandicap(stones: number): number[] {
    if (!this.boardIsEmpty) throw new GtpError('board not empty');
    const area = this.size * this.size;
    if (!Number.isInteger(stones) || stones < 2 || stones >= area) throw new GtpError('invalid number of stones');
    const fixed = Math.min(stones, maxFixedHandicap(this.size));
    const points = fixed >= 2 ? fixedHandicapPoints(this.size, fixed) : [];
    const taken = new Set(points);
    for (const p of spreadPoints(this.size)) {
      if (points.length >= stones) break;
      if (!taken.has(p)) {
        taken.add(p);
        points.push(p);
      }
    }
    this.game.setHandicapStones(points);
    this.positionChanged();
    return points;
  }

  setFreeHandicap(points: number[]): void {
    if (!this.boardIsEmpty) throw new GtpError('board not empty');
    if (points.length < 2 || points.length >= this.size * this.size) throw new GtpError('invalid number of stones');
    if (new Set(points).size !== points.length || points.some((p) => p === PASS)) throw new GtpError('bad vertex list');
    this.game.setHandicapStones(points);
    this.positionChanged();
  }

  // ------------------------------------------------------------------ moves

  play(color: StoneColor, move: Move, analysis?: Analysis): void {
    try {
      this.game.play(move, color);
    } catch {
      throw new GtpError('illegal move');
    }
    this.statusCache = null;
    if (this.observer !== null) {
      this.observer.moved(this.game, color, move, analysis);
      if (this.game.board.passes >= 2) this.observer.ended(this.finalScore());
    }
  }

  resign(color: StoneColor): void {
    this.game.resign(color);
    this.observer?.ended(this.game.result!.text);
  }

  undo(): void {
    if (!this.game.undo()) throw new GtpError('cannot undo');
    this.statusCache = null;
    this.generator?.reset?.();
    this.observer?.undone();
  }

  /** Searches for `color` (who need not be the player to move), plays the move and returns it. */
  async genmove(color: StoneColor, options: GenmoveOptions = {}): Promise<GeneratedMove> {
    const started = performance.now();
    const outcome = await this.search(color, this.genmoveLimits(color), {
      allowPass: !options.cleanup,
      onAnalysis: options.onAnalysis,
      analysisIntervalMs: options.analysisIntervalMs,
      signal: options.signal,
    });
    if (this.shouldResign(color, outcome.analysis)) {
      this.config.log(`resigning: win rate ${(outcome.analysis.winrate * 100).toFixed(1)}% after ${outcome.analysis.visits} visits`);
      return 'resign';
    }
    let move = outcome.move;
    if (options.cleanup && move === PASS) move = this.cleanupMove(color, outcome.analysis);
    if (!this.game.board.isLegal(move, color)) {
      // A generator bug must not make us send an illegal move: say so and pass instead.
      this.config.log(`generator proposed illegal move ${toGtpVertex(move, this.size)}; passing`);
      move = PASS;
    }
    this.play(color, move, outcome.analysis);
    // Without time_left from the controller, our own clock runs on what the move took.
    this.clock.recordMove(color, performance.now() - started);
    return move;
  }

  /**
   * kgs-genmove_cleanup after the search chose to pass: while opponent stones that are dead (by the
   * final-status estimate) remain, play the best-rated legal move instead, so they get captured.
   */
  private cleanupMove(color: StoneColor, analysis: Analysis): Move {
    const enemy = opponent(color);
    const deadEnemy = this.finalStatus().dead.some((chain) => this.game.board.stones[chain[0]!] === enemy);
    if (!deadEnemy) return PASS;
    const best = analysis.candidates.find((c) => c.move !== PASS && this.game.board.isLegal(c.move, color));
    return best?.move ?? PASS;
  }

  /** Analysis without playing (lz-analyze and friends): runs until the signal aborts or `limits` are met. */
  async analyze(color: StoneColor, limits: SearchLimits, options: GenmoveOptions): Promise<Analysis> {
    return (await this.search(color, limits, { ...options, allowPass: true })).analysis;
  }

  private async search(
    color: StoneColor,
    limits: SearchLimits,
    request: { allowPass: boolean; onAnalysis?: (a: Analysis) => void; analysisIntervalMs?: number; signal?: AbortSignal },
  ): Promise<SearchOutcome> {
    const asked = performance.now();
    const generator = await this.moveGenerator();
    // A move's time runs from the command: time spent opening a network (the first genmove after
    // boardsize) comes out of it, down to a tenth, so the move cannot run far over.
    const loadingMs = performance.now() - asked;
    if (limits.timeMs !== undefined && loadingMs > 1) limits = { ...limits, timeMs: Math.max(limits.timeMs / 10, limits.timeMs - loadingMs) };
    const board = this.game.board;
    const saved = board.toPlay;
    // GTP lets the controller ask either colour to move; the search reads the player to move from the board.
    if (saved !== color) {
      board.toPlay = color;
      generator.reset?.();
    }
    try {
      return await generator.search(this.game, { limits, ...request });
    } finally {
      board.toPlay = saved;
      if (saved !== color) generator.reset?.();
    }
  }

  private genmoveLimits(color: StoneColor): SearchLimits {
    const budget = this.clock.timeForMove(color, this.size * this.size, this.game.moves.length) ?? undefined;
    const limits: SearchLimits = {};
    if (this.config.visits !== undefined) limits.visits = this.config.visits;
    if (this.config.timeSeconds !== undefined) limits.timeMs = this.config.timeSeconds * 1000;
    if (budget !== undefined) limits.timeMs = Math.min(limits.timeMs ?? Infinity, budget);
    // --time alone is a fixed budget per move: time not used is lost, not banked, so search it all (a
    // decided search keeps growing the subtree of the move it plays, reused on the next move). Under a game
    // clock (or a visit limit) stopping once the move is decided saves time for later moves.
    if (this.config.timeSeconds !== undefined && this.config.visits === undefined && (budget === undefined || budget >= this.config.timeSeconds * 1000)) {
      limits.earlyStop = false;
    }
    return limits;
  }

  /**
   * Hopeless: the win rate is under the threshold after enough visits, and enough of the game has been
   * played. White giving handicap starts far behind by design, so its threshold is divided by
   * (1 + handicap) at first and returns to the normal one as the game goes on.
   */
  shouldResign(color: StoneColor, analysis: Analysis): boolean {
    const played = this.game.moves.length;
    if (!this.isHopeless(color, analysis)) {
      this.hopelessStreak.delete(color);
      return false;
    }
    // Our previous genmove in this game was at most 2 moves ago (1 when one colour is asked twice).
    // Asked again at the same move (a repeated genmove after undo), the count stays.
    const previous = this.hopelessStreak.get(color);
    let count = 1;
    if (previous !== undefined && previous.game === this.game) {
      if (previous.atMove === played) count = previous.count;
      else if (played > previous.atMove && played - previous.atMove <= 2) count = previous.count + 1;
    }
    this.hopelessStreak.set(color, { game: this.game, atMove: played, count });
    return count >= Math.max(1, this.config.resignConsecutiveMoves);
  }

  /** This one search says the game is lost for `color` (see shouldResign for the streak). */
  isHopeless(color: StoneColor, analysis: Analysis): boolean {
    const threshold = this.config.resignThreshold;
    if (!(threshold > 0)) return false;
    const area = this.size * this.size;
    const played = this.game.moves.length;
    if (played < this.config.resignMinMovesFraction * area) return false;
    if (analysis.visits < this.config.resignMinVisits) return false;
    let effective = threshold;
    const handicap = this.game.handicap;
    if (color === WHITE && handicap > 0) {
      const progress = Math.min(1, played / (0.6 * area));
      effective = progress * threshold + (1 - progress) * (threshold / (1 + handicap));
    }
    return analysis.winrate < effective;
  }

  /**
   * The generator for the current board size, created (and the previous one disposed) when the size
   * changed. Loads run one after another, so a load started by boardsize and a genmove's never overlap.
   */
  moveGenerator(): Promise<MoveGenerator> {
    const size = this.size;
    if (this.generator !== null && this.generatorSize === size) return Promise.resolve(this.generator);
    const next = this.generatorLoads.catch(() => undefined).then(() => this.loadGenerator(size));
    this.generatorLoads = next;
    return next;
  }

  /**
   * Starts loading the generator for the current size without waiting (after boardsize): opening a
   * network takes a moment, and the first genmove's time should go to its search. A failure is reported
   * by the next genmove, which tries again.
   */
  prepareMoveGenerator(): void {
    this.moveGenerator().catch(() => undefined);
  }

  private async loadGenerator(size: number): Promise<MoveGenerator> {
    if (this.generator !== null && this.generatorSize === size) return this.generator;
    const previous = this.generator;
    this.generator = null;
    await previous?.dispose();
    this.generator = await this.generatorFactory(size);
    this.generatorSize = size;
    this.config.log(`move generator for ${size}x${size}: ${this.generator.description}`);
    return this.generator;
  }

  async dispose(): Promise<void> {
    await this.generatorLoads.catch(() => undefined);
    await this.generator?.dispose();
    this.generator = null;
  }

  // ------------------------------------------------------------------ clocks

  setTimeControl(control: TimeControl): void {
    try {
      this.clock.setControl(control);
    } catch {
      throw new GtpError('syntax error');
    }
  }

  setTimeLeft(color: StoneColor, seconds: number, count: number): void {
    try {
      this.clock.timeLeft(color, seconds, count);
    } catch {
      throw new GtpError('syntax error');
    }
  }

  // ------------------------------------------------------------------ scoring

  /**
   * Alive, dead and seki chains, estimated from random playouts (same seed every time, so repeated
   * calls agree). Seki chains are the living ones that territory counting gives to nobody.
   */
  finalStatus(): FinalStatus {
    const board = this.game.board;
    const key = `${board.hash}:${this.game.moves.length}:${this.rules.scoring}`;
    if (this.statusCache?.key === key) return this.statusCache.status;
    const playouts = this.config.ownershipPlayouts ?? defaultOwnershipPlayouts(board.area);
    const ownership = estimateOwnership(board, playouts, new Rng(this.config.seed));
    const chains = classifyChains(board, ownership);
    const territory = score(board, { komi: this.rules.komi, scoring: 'territory', dead: chains.dead });
    const alive: number[][] = [];
    const seki: number[][] = [];
    for (const chain of chains.aliveChains) (territory.ownership[chain[0]!] === EMPTY ? seki : alive).push(chain);
    const status = { alive, dead: chains.deadChains, seki, deadStones: chains.dead };
    this.statusCache = { key, status };
    return status;
  }

  finalScore(): string {
    return this.game.score(this.finalStatus().deadStones).result;
  }

  // ------------------------------------------------------------------ SGF

  async loadSgf(path: string, moveNumber?: number): Promise<void> {
    let text: string;
    try {
      text = await readFile(resolve(this.config.workingDir, path), 'utf8');
    } catch (e) {
      this.config.log(`loadsgf: ${(e as Error).message}`);
      throw new GtpError('cannot load file');
    }
    try {
      const moveLimit = moveNumber === undefined ? undefined : Math.max(0, moveNumber - 1);
      // The session's rules stay (controllers set them explicitly); komi comes from the record, as in
      // GNU Go, unless it has no KM.
      const hasKomi = /(^|[;\s\]])KM\s*\[/.test(text);
      const { ko, suicide, scoring } = this.rules;
      const { game } = sgfToGame(text, { moveLimit, rules: { ko, suicide, scoring, ...(hasKomi ? {} : { komi: this.rules.komi }) } });
      this.game = game;
      this.rules = { ...game.rules };
    } catch (e) {
      this.config.log(`loadsgf: ${(e as Error).message}`);
      throw new GtpError('cannot load file');
    }
    this.positionChanged();
  }

  sgfText(): string {
    return gameToSgf(this.game, { blackName: undefined, whiteName: undefined });
  }

  async saveSgf(path: string): Promise<void> {
    try {
      await writeFile(resolve(this.config.workingDir, path), this.sgfText());
    } catch (e) {
      this.config.log(`printsgf: ${(e as Error).message}`);
      throw new GtpError('cannot save file');
    }
  }

  // ------------------------------------------------------------------ views

  stonesOf(color: StoneColor): number[] {
    const out: number[] = [];
    const stones = this.game.board.stones;
    for (let p = 0; p < stones.length; p++) if (stones[p] === color) out.push(p);
    return out;
  }

  /** Stones `color` has captured. */
  capturesBy(color: StoneColor): number {
    return this.game.board.captures[color]!;
  }

  /** Board diagram for showboard: columns letters, row numbers, X black, O white, last move marked. */
  boardDiagram(): string {
    const size = this.size;
    const board = this.game.board;
    const letters = 'ABCDEFGHJKLMNOPQRSTUVWXYZ'.slice(0, size).split('').join(' ');
    const lines = [`   ${letters}`];
    const last = board.lastMove;
    for (let r = 0; r < size; r++) {
      const number = String(size - r).padStart(2, ' ');
      let row = '';
      for (let c = 0; c < size; c++) {
        const p = r * size + c;
        const s = board.stones[p];
        const ch = s === BLACK ? 'X' : s === WHITE ? 'O' : '.';
        row += (p === last ? '(' : p - 1 === last && c > 0 ? ')' : ' ') + ch;
      }
      if (last === r * size + size - 1) row += ')';
      lines.push(`${number}${row} ${number}`);
    }
    lines.push(`   ${letters}`);
    lines.push(
      `${board.toPlay === BLACK ? 'Black' : 'White'} to play, move ${this.game.moves.length}, komi ${this.rules.komi}, ` +
        `captures B ${board.captures[BLACK]} W ${board.captures[WHITE]}`,
    );
    return lines.join('\n');
  }

  private positionChanged(): void {
    this.statusCache = null;
    this.generator?.reset?.();
    this.observer?.reset();
  }
}

/**
 * Points for handicap stones beyond the fixed ones: a lattice on the 3rd/4th lines and the centre,
 * ordered so stones spread out (for free placement of more stones than the fixed patterns hold).
 */
function spreadPoints(size: number): number[] {
  const edge = size < 13 ? 2 : 3;
  const lines: number[] = [];
  const step = Math.max(1, Math.floor((size - 1 - 2 * edge) / 4));
  for (let x = edge; x <= size - 1 - edge; x += step) lines.push(x);
  const points: number[] = [];
  for (const r of lines) for (const c of lines) points.push(r * size + c);
  // Then every other point, so any count below the board's area can be placed.
  for (let p = 0; p < size * size; p++) points.push(p);
  const mid = (size - 1) / 2;
  const lattice = points.slice(0, lines.length * lines.length);
  lattice.sort((a, b) => {
    const da = Math.abs(Math.floor(a / size) - mid) + Math.abs((a % size) - mid);
    const db = Math.abs(Math.floor(b / size) - mid) + Math.abs((b % size) - mid);
    return db - da;
  });
  return [...lattice, ...points.slice(lattice.length)];
}
