/**
 * A game: the board plus what the board alone does not keep — rules with komi and scoring, handicap and
 * setup stones, the move list (for undo, SGF and the neural net's history planes) and resignation.
 * Undo replays the game from its setup: simple and exact; games are short enough that it costs < 1 ms.
 */
import { Board, IllegalMoveError } from './board.js';
import { BLACK, WHITE, opponent, type Move, type StoneColor } from './color.js';
import { fixedHandicapPoints } from './handicap.js';
import { DEFAULT_GAME_RULES, handicapCompensation, type GameRules } from './rules.js';
import { score, type Score } from './score.js';

export interface MoveRecord {
  readonly color: StoneColor;
  readonly move: Move;
}

export interface GameResult {
  /** Winner, or null for a draw. */
  readonly winner: StoneColor | null;
  /** 'B+3.5', 'W+R', '0', 'B+T' (time), 'W+F' (forfeit). */
  readonly text: string;
}

export class Game {
  readonly size: number;
  rules: GameRules;
  board: Board;
  /** Black stones placed before the first move (handicap or SGF AB), and white ones (AW). */
  readonly setupBlack: number[] = [];
  readonly setupWhite: number[] = [];
  /** Handicap stones (counted in setupBlack too). */
  handicap = 0;
  readonly moves: MoveRecord[] = [];
  /** Player to move after setup (White after handicap, or PL in an SGF). */
  private firstToPlay: StoneColor = BLACK;
  /** Stones after each move (index 0 = after setup): the history planes the net reads. */
  private readonly snapshots: Uint8Array[];
  /** Set by resignation, time loss or forfeit; scoring decides otherwise. */
  result: GameResult | null = null;

  constructor(size: number, rules: Partial<GameRules> = {}) {
    this.size = size;
    this.rules = { ...DEFAULT_GAME_RULES, ...rules };
    this.board = new Board(size, { suicide: this.rules.suicide, ko: this.rules.ko });
    this.snapshots = [Uint8Array.from(this.board.stones)];
  }

  get toPlay(): StoneColor {
    return this.board.toPlay;
  }

  /** Two consecutive passes, or a resignation / forfeit. */
  get isOver(): boolean {
    return this.result !== null || this.board.passes >= 2;
  }

  /** Plays `move` for `color` (default: the player to move). Throws IllegalMoveError. */
  play(move: Move, color: StoneColor = this.board.toPlay): void {
    this.board.play(move, color);
    this.moves.push({ color, move });
    this.snapshots.push(Uint8Array.from(this.board.stones));
  }

  /** Takes back the last move; false when there is none. */
  undo(): boolean {
    if (this.moves.length === 0) return false;
    const kept = this.moves.slice(0, -1);
    this.replay(kept);
    return true;
  }

  /** Places fixed handicap stones (GTP fixed_handicap); the board must be empty. Returns the points. */
  setFixedHandicap(stones: number): number[] {
    const points = fixedHandicapPoints(this.size, stones);
    this.setHandicapStones(points);
    return points;
  }

  /** Places the given handicap stones (free placement); the board must be empty. */
  setHandicapStones(points: readonly number[]): void {
    if (this.moves.length > 0 || this.setupBlack.length > 0 || this.setupWhite.length > 0) {
      throw new Error('board not empty');
    }
    if (points.length < 2 || points.length >= this.board.area) throw new RangeError('invalid number of handicap stones');
    if (new Set(points).size !== points.length) throw new RangeError('repeated handicap vertex');
    for (const p of points) {
      if (!Number.isInteger(p) || p < 0 || p >= this.board.area) throw new RangeError('handicap vertex off the board');
    }
    this.setupBlack.push(...points);
    this.handicap = points.length;
    this.firstToPlay = WHITE;
    this.replay([]);
  }

  /** Adds setup stones (SGF AB/AW) and who plays first; only before any move. */
  setSetup(black: readonly number[], white: readonly number[], toPlay: StoneColor): void {
    if (this.moves.length > 0) throw new Error('setup after moves');
    this.setupBlack.push(...black);
    this.setupWhite.push(...white);
    this.firstToPlay = toPlay;
    this.replay([]);
  }

  /** The stones now and before each of the previous `count - 1` moves, newest first (fewer at the start). */
  stonesHistory(count: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = this.snapshots.length - 1; i >= 0 && out.length < count; i--) out.push(this.snapshots[i]!);
    return out;
  }

  /** Komi plus White's handicap compensation under the rules: what White receives on top of the board. */
  get effectiveKomi(): number {
    return this.rules.komi + handicapCompensation(this.rules, this.handicap);
  }

  score(dead: Iterable<number> = [], seki?: Iterable<number>): Score {
    return score(this.board, { komi: this.effectiveKomi, scoring: this.rules.scoring, dead, seki });
  }

  resign(color: StoneColor): void {
    const winner = opponent(color);
    this.result = { winner, text: `${winner === BLACK ? 'B' : 'W'}+R` };
  }

  /** Changes rules; the move list is replayed under the new ones and must stay legal. */
  setRules(rules: Partial<GameRules>): void {
    const previous = this.rules;
    this.rules = { ...this.rules, ...rules };
    try {
      this.replay(this.moves.slice());
    } catch (e) {
      this.rules = previous;
      this.replay(this.moves.slice());
      throw e;
    }
  }

  private replay(moves: readonly MoveRecord[]): void {
    const board = new Board(this.size, { suicide: this.rules.suicide, ko: this.rules.ko });
    for (const p of this.setupBlack) board.placeSetupStone(p, BLACK);
    for (const p of this.setupWhite) board.placeSetupStone(p, WHITE);
    board.toPlay = this.firstToPlay;
    const snapshots = [Uint8Array.from(board.stones)];
    for (const { color, move } of moves) {
      if (!board.tryPlay(move, color)) throw new IllegalMoveError(move, board.illegalReason(move, color) ?? 'occupied');
      snapshots.push(Uint8Array.from(board.stones));
    }
    this.board = board;
    this.moves.length = 0;
    this.moves.push(...moves);
    this.snapshots.length = 0;
    this.snapshots.push(...snapshots);
    this.result = null;
  }
}

