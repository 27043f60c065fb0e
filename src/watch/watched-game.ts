/**
 * One game as the watch hub keeps it: its description, the board (so snapshots carry the current stones
 * and captures), and every move in wire form with the search's analysis, ready to send.
 */
import {
  BLACK,
  Board,
  EMPTY,
  IllegalMoveError,
  PASS,
  WHITE,
  rulesPreset,
  toGtpVertex,
  type BoardRules,
  type Move,
  type StoneColor,
} from '../../engine/index.js';
import type { WatchHubConfig } from './config.js';
import {
  winnerOfResult,
  type GameSnapshot,
  type GameStatus,
  type GameSummary,
  type WireAnalysis,
  type WireCaptures,
  type WireColor,
  type WireMove,
  type WirePlayer,
  type WireResult,
} from './protocol.js';

export interface WatchPlayerInfo {
  name: string;
  /** The network (model) an engine player uses. */
  network?: string;
}

/** What a publisher says about a game when it starts. Moves are engine moves (p = row*size+col, PASS = -1). */
export interface WatchGameInfo {
  black: string | WatchPlayerInfo;
  white: string | WatchPlayerInfo;
  size: number;
  komi: number;
  /** Rule-set name, default 'chinese'. Known presets (engine/rules.ts) also set the legality rules. */
  rules?: string;
  handicap?: number;
  /** Stones placed before the first move (handicap, SGF setup), as engine points. */
  setup?: { black?: readonly Move[]; white?: readonly Move[] };
  /** What produces the game: 'selfplay', 'gtp', 'match', ... */
  source?: string;
  /** Game id; generated when absent. 1-64 characters of A-Z a-z 0-9 _ . : - */
  id?: string;
  /** ISO time the game started; now when absent. */
  startedAt?: string;
}

export interface MoveCandidate {
  move: Move;
  visits: number;
  /** Policy prior, in [0, 1]. */
  prior: number;
  /** Win rate of the move for the player to move, in [0, 1]. */
  winrate: number;
}

/** The search's view of the position a move was played in. Win rates are for the player who moves. */
export interface MoveAnalysis {
  winrate: number;
  visits: number;
  scoreLead?: number;
  candidates?: readonly MoveCandidate[];
  pv?: readonly Move[];
}

export interface WatchMoveInput {
  color: StoneColor;
  /** Engine move: p = row*size + col (row 0 on top), PASS = -1. */
  move: Move;
  analysis?: MoveAnalysis;
}

export function wireColor(color: StoneColor): WireColor {
  return color === BLACK ? 'B' : 'W';
}

function player(p: string | WatchPlayerInfo, maxLength: number): WirePlayer {
  const info = typeof p === 'string' ? { name: p } : p;
  if (typeof info.name !== 'string') throw new TypeError('watch: a player needs a name');
  const out: WirePlayer = { name: info.name.slice(0, maxLength) };
  if (info.network !== undefined) out.network = String(info.network).slice(0, maxLength);
  return out;
}

function checkUnit(x: number, what: string): number {
  if (!Number.isFinite(x) || x < 0 || x > 1) throw new RangeError(`watch: ${what} must be in [0, 1], got ${x}`);
  return x;
}

function checkCount(x: number, what: string): number {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`watch: ${what} must be a non-negative number, got ${x}`);
  return x;
}

export class WatchedGame {
  readonly id: string;
  readonly black: WirePlayer;
  readonly white: WirePlayer;
  readonly size: number;
  readonly komi: number;
  readonly rules: string;
  readonly handicap: number;
  readonly source: string | undefined;
  readonly startedAt: string;
  readonly setupBlack: readonly Move[];
  readonly setupWhite: readonly Move[];
  readonly moves: WireMove[] = [];
  result: WireResult | null = null;
  readonly maxMoves: number;

  private board: Board;
  private readonly boardRules: Partial<BoardRules>;
  /** Stones before the latest move, reused for finding what it captured. */
  private readonly before: Uint8Array;
  /** Engine moves alongside `moves`, for replaying on undo. */
  private readonly played: { color: StoneColor; move: Move }[] = [];

  constructor(
    id: string,
    info: WatchGameInfo,
    private readonly config: WatchHubConfig,
  ) {
    const size = info.size;
    if (!Number.isInteger(size)) throw new RangeError(`watch: board size must be an integer, got ${size}`);
    if (!Number.isFinite(info.komi)) throw new RangeError(`watch: komi must be a number, got ${info.komi}`);
    this.id = id;
    this.black = player(info.black, config.maxLabelLength);
    this.white = player(info.white, config.maxLabelLength);
    this.size = size;
    this.komi = info.komi;
    this.rules = (info.rules ?? 'chinese').slice(0, config.maxLabelLength);
    const preset = rulesPreset(this.rules);
    this.boardRules = preset === null ? {} : { suicide: preset.suicide, ko: preset.ko };
    this.handicap = info.handicap ?? 0;
    if (!Number.isInteger(this.handicap) || this.handicap < 0) {
      throw new RangeError(`watch: handicap must be a non-negative integer, got ${this.handicap}`);
    }
    this.source = info.source?.slice(0, config.maxLabelLength);
    this.startedAt = info.startedAt ?? new Date().toISOString();
    this.setupBlack = [...(info.setup?.black ?? [])];
    this.setupWhite = [...(info.setup?.white ?? [])];
    this.board = this.freshBoard(); // also validates size and setup
    this.before = new Uint8Array(this.board.area);
    this.maxMoves = config.maxMovesPerArea * this.board.area + config.maxMovesExtra;
  }

  get status(): GameStatus {
    return this.result === null ? 'live' : 'finished';
  }

  get toPlay(): StoneColor {
    return this.board.toPlay;
  }

  private freshBoard(): Board {
    const board = new Board(this.size, this.boardRules);
    const place = (points: readonly Move[], color: StoneColor) => {
      for (const p of points) {
        if (!Number.isInteger(p) || p < 0 || p >= board.area || board.stones[p] !== EMPTY) {
          throw new RangeError(`watch: bad setup stone ${p} on ${this.size}x${this.size}`);
        }
        board.placeSetupStone(p, color);
      }
    };
    place(this.setupBlack, BLACK);
    place(this.setupWhite, WHITE);
    if (this.setupBlack.length > 0 && this.setupWhite.length === 0) board.toPlay = WHITE;
    return board;
  }

  private vertex(move: Move): string {
    return toGtpVertex(move, this.size);
  }

  private checkMove(move: Move, what: string): Move {
    if (move !== PASS && !(Number.isInteger(move) && move >= 0 && move < this.board.area)) {
      throw new RangeError(`watch: ${what} ${move} is not a point of a ${this.size}x${this.size} board or PASS`);
    }
    return move;
  }

  private wireAnalysis(a: MoveAnalysis): WireAnalysis {
    const candidates = [...(a.candidates ?? [])]
      .map((c) => ({
        move: this.vertex(this.checkMove(c.move, 'candidate move')),
        visits: checkCount(c.visits, 'candidate visits'),
        prior: checkUnit(c.prior, 'candidate prior'),
        winrate: checkUnit(c.winrate, 'candidate winrate'),
      }))
      .sort((x, y) => y.visits - x.visits)
      .slice(0, this.config.maxCandidates);
    const out: WireAnalysis = {
      winrate: checkUnit(a.winrate, 'winrate'),
      visits: checkCount(a.visits, 'visits'),
      candidates,
      pv: (a.pv ?? []).slice(0, this.config.maxPvLength).map((m) => this.vertex(this.checkMove(m, 'pv move'))),
    };
    if (a.scoreLead !== undefined) {
      if (!Number.isFinite(a.scoreLead)) throw new RangeError(`watch: scoreLead must be finite, got ${a.scoreLead}`);
      out.scoreLead = a.scoreLead;
    }
    return out;
  }

  /** Plays a move on the game's board and records it; throws on an illegal move or a finished game. */
  play(input: WatchMoveInput): WireMove {
    if (this.result !== null) throw new Error(`watch: game ${this.id} is over (${this.result.text})`);
    if (this.moves.length >= this.maxMoves) {
      throw new RangeError(`watch: game ${this.id} reached the limit of ${this.maxMoves} moves`);
    }
    const { color } = input;
    if (color !== BLACK && color !== WHITE) throw new RangeError(`watch: color must be BLACK (1) or WHITE (2), got ${color}`);
    const move = this.checkMove(input.move, 'move');
    // Analysis first: a bad analysis must leave the board untouched.
    const analysis = input.analysis === undefined ? undefined : this.wireAnalysis(input.analysis);
    this.before.set(this.board.stones);
    try {
      this.board.play(move, color);
    } catch (err) {
      if (err instanceof IllegalMoveError) {
        throw new Error(`watch: illegal move ${this.vertex(move)} by ${wireColor(color)} in game ${this.id} (${err.reason})`);
      }
      throw err;
    }
    const captured: string[] = [];
    const stones = this.board.stones;
    for (let p = 0; p < stones.length; p++) {
      if (this.before[p] !== EMPTY && stones[p] === EMPTY) captured.push(this.vertex(p));
    }
    const record: WireMove = { n: this.moves.length + 1, color: wireColor(color), move: this.vertex(move), captured };
    if (analysis !== undefined) record.analysis = analysis;
    this.moves.push(record);
    this.played.push({ color, move });
    return record;
  }

  /** Takes back the last move (GTP undo); false when there is none. */
  undo(): boolean {
    if (this.result !== null) throw new Error(`watch: game ${this.id} is over (${this.result.text})`);
    if (this.moves.length === 0) return false;
    this.moves.pop();
    this.played.pop();
    this.board = this.freshBoard();
    for (const { color, move } of this.played) this.board.play(move, color);
    return true;
  }

  finish(text: string): WireResult {
    const t = text.trim().slice(0, 32);
    if (t === '') throw new RangeError('watch: a result needs a text such as "B+3.5" or "W+R"');
    this.result = { text: t, winner: winnerOfResult(t) };
    return this.result;
  }

  captures(): WireCaptures {
    return { black: this.board.captures[BLACK]!, white: this.board.captures[WHITE]! };
  }

  summary(): GameSummary {
    const s: GameSummary = {
      id: this.id,
      black: this.black,
      white: this.white,
      size: this.size,
      komi: this.komi,
      rules: this.rules,
      handicap: this.handicap,
      status: this.status,
      moveCount: this.moves.length,
      startedAt: this.startedAt,
      result: this.result,
    };
    if (this.source !== undefined) s.source = this.source;
    return s;
  }

  snapshot(): GameSnapshot {
    const rows: string[] = [];
    const stones = this.board.stones;
    for (let r = 0; r < this.size; r++) {
      let row = '';
      for (let c = 0; c < this.size; c++) {
        const s = stones[r * this.size + c];
        row += s === BLACK ? 'X' : s === WHITE ? 'O' : '.';
      }
      rows.push(row);
    }
    return {
      ...this.summary(),
      setup: { black: this.setupBlack.map((p) => this.vertex(p)), white: this.setupWhite.map((p) => this.vertex(p)) },
      moves: this.moves,
      stones: rows,
      captures: this.captures(),
      toPlay: wireColor(this.board.toPlay),
    };
  }
}
