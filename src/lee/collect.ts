/**
 * `tengen collect`: plays GTP engines against each other and saves every game as SGF — training records
 * for the rollout policy (and later the SL policy net). tengen referees: each move an engine generates is
 * checked against engine/ rules before the other engine hears of it, so a record is always legal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gameToSgf } from '../../engine/index.js';
import { GtpClient } from '../../gtp/client.js';
import { playRefereedGame } from '../../gtp/referee.js';
import { resolveEngineCommand } from '../match/engine-command.js';

export interface CollectOptions {
  /** Command line of the first engine; `{seed}` is replaced by a per-game seed. */
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

function startEngine(command: string, seed: number): GtpClient {
  const { program, args } = resolveEngineCommand(command.replace(/\{seed\}/g, String(seed)));
  return GtpClient.spawn(program, args, { name: command, commandTimeoutMs: 600_000 });
}

async function engineName(engine: GtpClient, fallback: string): Promise<string> {
  try {
    const name = await engine.send('name');
    const version = await engine.send('version').catch(() => '');
    return version ? `${name} ${version}` : name;
  } catch {
    return fallback;
  }
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
    const a = startEngine(options.engine, seed);
    const b = startEngine(options.engine2 ?? options.engine, seed + 1_000_003);
    try {
      // Engine A takes black in even games, white in odd ones. The referee checks every move.
      const [black, white] = i % 2 === 0 ? [a, b] : [b, a];
      const [blackName, whiteName] = [await engineName(black, 'black'), await engineName(white, 'white')];
      const played = await playRefereedGame(black, white, { size, komi, maxMoves });
      // A forfeited game is no training record: stop with the referee's reason.
      if (played.end === 'forfeit') throw new Error(`game ${i + 1}: illegal move, ${played.forfeitReason ?? 'forfeit'}`);
      const file = join(out, `game-${String(i).padStart(5, '0')}.sgf`);
      const sgf = gameToSgf(played.game, {
        blackName,
        whiteName,
        result: played.result,
        date: new Date().toISOString().slice(0, 10),
        event: 'tengen collect',
        gameComment: `seed ${seed}`,
      });
      writeFileSync(file, sgf);
      collected.push({ file, result: played.result, moves: played.game.moves.length });
      options.onGame?.(i, played.result, played.game.moves.length);
    } finally {
      await Promise.all([a.quit(), b.quit()]);
    }
  }
  return collected;
}
