/**
 * `tengen collect`: plays GTP engines against each other and saves every game as SGF — training records
 * for the rollout policy (and later the SL policy net). tengen referees: each move an engine generates is
 * checked against engine/ rules before the other engine hears of it, so a record is always legal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLACK, Game, formatResult, gameToSgf, opponent, parseGtpVertex, toGtpVertex, type StoneColor } from '../../engine/index.js';
import { GtpEngine, GtpError } from './gtp-engine.js';

export interface CollectOptions {
  /** Shell command of the first engine; `{seed}` is replaced by a per-game seed. */
  engine: string;
  /** Second engine (default: the first one again, i.e. self-play). */
  engine2?: string;
  games: number;
  size: number;
  komi: number;
  out: string;
  /** Base seed for `{seed}`: game i uses seed + i. */
  seed: number;
  /** A game longer than this is stopped and scored as it stands. */
  maxMoves?: number;
  /** Called after each game (progress). */
  onGame?: (index: number, result: string, moves: number) => void;
}

export interface CollectedGame {
  file: string;
  result: string;
  moves: number;
}

function expand(command: string, seed: number): string {
  return command.replace(/\{seed\}/g, String(seed));
}

async function engineName(engine: GtpEngine, fallback: string): Promise<string> {
  try {
    const name = await engine.send('name');
    let version = '';
    try {
      version = await engine.send('version');
    } catch {
      // Optional command.
    }
    return version ? `${name} ${version}` : name;
  } catch {
    return fallback;
  }
}

/** Plays one game between two running engines; returns the finished game and its result text. */
export async function playGtpGame(
  black: GtpEngine,
  white: GtpEngine,
  size: number,
  komi: number,
  maxMoves: number,
): Promise<{ game: Game; result: string }> {
  const game = new Game(size, { komi });
  for (const e of [black, white]) {
    await e.send(`boardsize ${size}`);
    await e.send('clear_board');
    await e.send(`komi ${komi}`);
  }
  const engineFor = (c: StoneColor): GtpEngine => (c === BLACK ? black : white);
  while (!game.isOver && game.moves.length < maxMoves) {
    const color = game.toPlay;
    const letter = color === BLACK ? 'b' : 'w';
    const answer = (await engineFor(color).send(`genmove ${letter}`)).trim();
    if (answer.toLowerCase() === 'resign') {
      game.resign(color);
      break;
    }
    const move = parseGtpVertex(answer, size);
    if (move === null) throw new GtpError(`engine '${engineFor(color).command}' sent a bad vertex '${answer}'`);
    if (!game.board.isLegal(move, color)) {
      throw new GtpError(`engine '${engineFor(color).command}' played the illegal move ${answer} at move ${game.moves.length + 1}`);
    }
    game.play(move, color);
    await engineFor(opponent(color)).send(`play ${letter} ${toGtpVertex(move, size)}`);
  }
  if (game.result !== null) return { game, result: game.result.text };
  // Both engines have passed (or the cap was hit): ask the first engine to count, since it knows which
  // stones are dead; fall back to tengen's area count of the board as it stands.
  let result: string | null = null;
  try {
    const text = (await black.send('final_score')).trim();
    if (/^(B\+|W\+|0$)/i.test(text)) result = text.toUpperCase().replace(/^0$/, '0');
  } catch {
    // Engine cannot score.
  }
  if (result === null) result = formatResult(game.score().margin);
  return { game, result };
}

/** Plays `games` games, alternating colours between the two engines, and writes game-NNNN.sgf files. */
export async function collectGames(options: CollectOptions): Promise<CollectedGame[]> {
  const { games, size, komi, out } = options;
  if (!Number.isInteger(games) || games < 1) throw new RangeError(`--games must be a positive integer, got ${games}`);
  if (!Number.isInteger(size) || size < 2 || size > 19) throw new RangeError(`--size must be 2..19 for GTP engines, got ${size}`);
  mkdirSync(out, { recursive: true });
  const maxMoves = options.maxMoves ?? size * size * 3;
  const collected: CollectedGame[] = [];
  for (let i = 0; i < games; i++) {
    const seed = options.seed + i;
    const a = new GtpEngine(expand(options.engine, seed));
    const b = new GtpEngine(expand(options.engine2 ?? options.engine, seed + 1_000_003));
    try {
      // Engine A takes black in even games, white in odd ones.
      const [black, white] = i % 2 === 0 ? [a, b] : [b, a];
      const [blackName, whiteName] = [await engineName(black, 'black'), await engineName(white, 'white')];
      const { game, result } = await playGtpGame(black, white, size, komi, maxMoves);
      const file = join(out, `game-${String(i).padStart(5, '0')}.sgf`);
      const sgf = gameToSgf(game, {
        blackName,
        whiteName,
        result,
        date: new Date().toISOString().slice(0, 10),
        event: 'tengen collect',
        gameComment: `seed ${seed}`,
      });
      writeFileSync(file, sgf);
      collected.push({ file, result, moves: game.moves.length });
      options.onGame?.(i, result, game.moves.length);
    } finally {
      await Promise.all([a.quit(), b.quit()]);
    }
  }
  return collected;
}
