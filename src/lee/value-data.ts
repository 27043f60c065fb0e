/**
 * The value net's data, as AlphaGo Lee made it: one position per game, so successive positions of a game
 * (strongly correlated, same outcome) do not teach the net to memorise games. For each game:
 *   U uniform in [1, maxU]; moves 1..U sampled from the SL policy; move U+1 uniformly random among the
 *   legal moves; then the RL policy plays both sides to the end (sampled). The position recorded is the
 *   one after the random move (the RL policy's first position), with z = the final outcome (Chinese area
 *   scoring, komi) for the side to move there.
 * Games whose SL phase ends the game before the random move (rare: a policy only passes when it has no
 * sensible move) give no position. Games are played `concurrency` at a time, networks batched.
 */
import type { StoneColor } from '../../engine/color.js';
import { Rng } from '../../engine/rng.js';
import type { Evaluator } from '../nn/evaluator.js';
import { LEE_FEATURE_PLANES } from '../nn/features-lee.js';
import { LeePositionSet } from './lee-positions.js';
import { playPolicyGames } from './policy-player.js';

export interface ValueDataConfig {
  games: number;
  /** U is drawn uniformly from [1, maxU]. */
  maxU: number;
  concurrency: number;
  temperature: number;
  seed: number;
}

export const DEFAULT_VALUE_DATA: ValueDataConfig = { games: 8000, maxU: 60, concurrency: 256, temperature: 1, seed: 1 };

/** Where a recorded position came from (same index as in the set). */
export interface ValuePositionSource {
  u: number;
  /** Side to move at the recorded position. */
  color: StoneColor;
  /** The game's final score, Black minus White, komi included. */
  margin: number;
  moves: number;
}

export interface ValueDataSummary {
  games: number;
  positions: number;
  /** Games that ended before the random move. */
  skipped: number;
  blackWins: number;
  meanMoves: number;
  /** Mean U of the recorded positions. */
  meanU: number;
}

/** Plays the games (`sl` evaluator index 0, `rl` index 1) and returns the positions. */
export async function generateValuePositions(o: {
  sl: Evaluator;
  rl: Evaluator;
  size: number;
  komi: number;
  config: ValueDataConfig;
  onGame?: (done: number) => void;
}): Promise<{ set: LeePositionSet; sources: ValuePositionSource[]; summary: ValueDataSummary }> {
  const { size, komi, config: c } = o;
  if (!Number.isInteger(c.maxU) || c.maxU < 1) throw new RangeError(`value data: maxU must be a positive integer, got ${c.maxU}`);
  const area = size * size;
  const fp = LEE_FEATURE_PLANES * area;
  const rng = new Rng(c.seed);
  const set = new LeePositionSet(size, Math.max(16, c.games));
  const summary: ValueDataSummary = { games: 0, positions: 0, skipped: 0, blackWins: 0, meanMoves: 0, meanU: 0 };
  const sources: ValuePositionSource[] = [];
  let moves = 0;
  let uSum = 0;
  for (let first = 0; first < c.games; first += c.concurrency) {
    const n = Math.min(c.concurrency, c.games - first);
    const u = Int32Array.from({ length: n }, () => 1 + rng.int(c.maxU));
    const recorded = new Float32Array(n * fp);
    const recordedColor = new Uint8Array(n);
    await playPolicyGames({
      size,
      komi,
      games: n,
      evaluators: [o.sl, o.rl],
      rng,
      temperature: c.temperature,
      // Moves are numbered from 0 here: 0..U-1 are the SL policy's U moves, U the random one.
      source: (g, m) => (m < u[g]! ? 0 : m === u[g]! ? 'uniform' : 1),
      onMove: (m) => {
        if (m.moveNumber === u[m.game]! + 1 && m.planes !== undefined) {
          recorded.set(m.planes, m.game * fp);
          recordedColor[m.game] = m.color;
        }
      },
      onGameEnd: (r) => {
        summary.games++;
        moves += r.moves;
        if (r.winner === 1) summary.blackWins++;
        const color = recordedColor[r.game]! as StoneColor | 0;
        if (color === 0) summary.skipped++;
        else {
          set.add(recorded, r.game * fp, -1, r.winner === null ? 0 : r.winner === color ? 1 : -1);
          sources.push({ u: u[r.game]!, color, margin: r.margin, moves: r.moves });
          uSum += u[r.game]!;
        }
        o.onGame?.(summary.games);
      },
    });
  }
  summary.positions = set.length;
  summary.meanMoves = summary.games === 0 ? 0 : moves / summary.games;
  summary.meanU = set.length === 0 ? 0 : uSum / set.length;
  return { set, sources, summary };
}
