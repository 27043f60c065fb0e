/**
 * A refereed game between two GTP engines: the referee keeps the authoritative game with engine/,
 * asks the side to move for a move, checks it is legal before passing it on, and at the end asks both
 * engines for their score and dead stones and scores the board itself with each side's dead list.
 * An illegal or unreadable move loses by forfeit.
 */
import { BLACK, Game, PASS, WHITE, formatResult, gameToSgf, parseGtpVertex, toGtpVertex, type GameRules, type Move, type StoneColor } from '../engine/index.js';
import type { GtpClient } from './client.js';

export interface RefereeOptions {
  size: number;
  komi: number;
  /** Ko, suicide and scoring the referee applies (default: Chinese). Engines are told the komi only. */
  rules?: Partial<Omit<GameRules, 'komi'>>;
  /** Fixed handicap stones for Black (0 = even game). */
  handicap?: number;
  /**
   * Moves the referee plays for both sides before the engines start (an opening book), told to both
   * engines with `play`. Deterministic engines otherwise repeat the same game; each must be legal.
   */
  opening?: readonly Move[];
  /** The game is stopped and scored after this many moves (default: 3 × area). */
  maxMoves?: number;
  /** Called after every accepted move (for logs, SGF streaming, the watch viewer). */
  onMove?: (move: RefereedMove, game: Game) => void;
  /** Ask the engines for final_score / final_status_list at the end (default true). */
  askScores?: boolean;
}

export interface RefereedMove {
  color: StoneColor;
  move: Move;
  /** As the engine sent it ('D4', 'pass'). */
  vertex: string;
  /** Milliseconds the engine took. */
  elapsedMs: number;
}

export type GameEnd = 'passes' | 'resign' | 'forfeit' | 'move-limit';

export interface RefereedGame {
  game: Game;
  moves: RefereedMove[];
  end: GameEnd;
  /** 'B+3.5', 'W+R', 'B+F' (forfeit), '0'. */
  result: string;
  winner: StoneColor | null;
  /** Why a forfeit happened. */
  forfeitReason?: string;
  /** Each engine's final_score (when asked and answered) and the referee's own count with each engine's dead stones. */
  scores: {
    black?: string;
    white?: string;
    refereeWithBlackDead?: string;
    refereeWithWhiteDead?: string;
  };
  /** Both engines answered final_score with the same result. */
  enginesAgree: boolean;
  sgf: string;
}

async function deadStones(engine: GtpClient, size: number): Promise<number[] | undefined> {
  try {
    const text = await engine.send('final_status_list dead');
    const points: number[] = [];
    for (const token of text.split(/\s+/).filter((t) => t.length > 0)) {
      const p = parseGtpVertex(token, size);
      if (p !== null && p !== PASS) points.push(p);
    }
    return points;
  } catch {
    return undefined;
  }
}

/** Normalises score text for comparison ('B+7.0' and 'b+7' are the same result). */
function normaliseScore(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = /^([BW])\+(\d+(?:\.\d+)?)$/i.exec(text.trim());
  if (m === null) return text.trim() === '0' ? '0' : text.trim();
  return formatResult((m[1]!.toUpperCase() === 'B' ? 1 : -1) * Number(m[2]));
}

export async function playRefereedGame(black: GtpClient, white: GtpClient, options: RefereeOptions): Promise<RefereedGame> {
  const { size, komi } = options;
  const rules = { suicide: false, ko: 'simple' as const, scoring: 'area' as const, ...options.rules, komi };
  const game = new Game(size, rules);
  const engines = { [BLACK]: black, [WHITE]: white } as Record<StoneColor, GtpClient>;
  for (const engine of [black, white]) {
    await engine.send(`boardsize ${size}`);
    await engine.send('clear_board');
    await engine.send(`komi ${komi}`);
  }
  const handicap = options.handicap ?? 0;
  if (handicap > 0) {
    const expected = game.setFixedHandicap(handicap).map((p) => toGtpVertex(p, size));
    for (const engine of [black, white]) {
      const placed = (await engine.send(`fixed_handicap ${handicap}`)).split(/\s+/).filter((t) => t.length > 0).map((t) => t.toUpperCase());
      if ([...placed].sort().join(' ') !== [...expected].sort().join(' ')) {
        throw new Error(`${engine.name} placed handicap ${placed.join(' ')}, expected ${expected.join(' ')}`);
      }
    }
  }

  const moves: RefereedMove[] = [];
  for (const move of options.opening ?? []) {
    const color = game.toPlay;
    const reason = game.board.illegalReason(move, color);
    if (reason !== null) throw new Error(`opening move ${toGtpVertex(move, size)} is illegal (${reason})`);
    game.play(move, color);
    const record: RefereedMove = { color, move, vertex: toGtpVertex(move, size), elapsedMs: 0 };
    moves.push(record);
    for (const engine of [black, white]) await engine.send(`play ${color === BLACK ? 'b' : 'w'} ${record.vertex}`);
    options.onMove?.(record, game);
  }
  const maxMoves = options.maxMoves ?? 3 * size * size;
  let end: GameEnd = 'move-limit';
  let forfeitReason: string | undefined;
  while (moves.length < maxMoves) {
    const color = game.toPlay;
    const colorName = color === BLACK ? 'b' : 'w';
    const engine = engines[color];
    const started = performance.now();
    const answer = (await engine.send(`genmove ${colorName}`)).trim();
    const elapsedMs = performance.now() - started;
    if (answer.toLowerCase() === 'resign') {
      game.resign(color);
      end = 'resign';
      break;
    }
    const move = parseGtpVertex(answer, size);
    const reason = move === null ? `unreadable move '${answer}'` : game.board.illegalReason(move, color);
    if (move === null || reason !== null) {
      forfeitReason = `${engine.name} (${colorName}) played ${answer}: ${reason}`;
      const winner = color === BLACK ? WHITE : BLACK;
      game.result = { winner, text: `${winner === BLACK ? 'B' : 'W'}+F` };
      end = 'forfeit';
      break;
    }
    game.play(move, color);
    const record: RefereedMove = { color, move, vertex: toGtpVertex(move, size), elapsedMs };
    moves.push(record);
    // The opponent must accept a move the referee found legal; a refusal means the engines disagree on the rules.
    await engines[color === BLACK ? WHITE : BLACK].send(`play ${colorName} ${record.vertex}`);
    options.onMove?.(record, game);
    if (game.board.passes >= 2) {
      end = 'passes';
      break;
    }
  }

  const scores: RefereedGame['scores'] = {};
  let enginesAgree = false;
  if (game.result === null && (options.askScores ?? true)) {
    scores.black = normaliseScore(await black.send('final_score').catch(() => undefined));
    scores.white = normaliseScore(await white.send('final_score').catch(() => undefined));
    enginesAgree = scores.black !== undefined && scores.black === scores.white;
    const blackDead = await deadStones(black, size);
    const whiteDead = await deadStones(white, size);
    if (blackDead) scores.refereeWithBlackDead = game.score(blackDead).result;
    if (whiteDead) scores.refereeWithWhiteDead = game.score(whiteDead).result;
  }
  let result: string;
  let winner: StoneColor | null;
  if (game.result !== null) {
    result = game.result.text;
    winner = game.result.winner;
  } else {
    // Engines agreeing settles it; otherwise the referee counts with the dead stones they agree on.
    const counted = enginesAgree ? scores.black! : game.score(await agreedDead(black, white, size)).result;
    result = counted;
    winner = counted.startsWith('B+') ? BLACK : counted.startsWith('W+') ? WHITE : null;
    game.result = { winner, text: result };
  }
  const sgf = gameToSgf(game, { blackName: black.name, whiteName: white.name, result });
  return { game, moves, end, result, winner, forfeitReason, scores, enginesAgree, sgf };
}

async function agreedDead(black: GtpClient, white: GtpClient, size: number): Promise<number[]> {
  const a = await deadStones(black, size);
  const b = await deadStones(white, size);
  if (a === undefined) return b ?? [];
  if (b === undefined) return a;
  const inB = new Set(b);
  return a.filter((p) => inB.has(p));
}
