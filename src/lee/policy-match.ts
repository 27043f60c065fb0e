/**
 * Policy-only match between two networks (AlphaGo's "RL policy wins 80% against SL" test): every move
 * sampled from the mover's policy, no search, colours alternating game by game, games batched.
 */
import { BLACK } from '../../engine/color.js';
import type { Rng } from '../../engine/rng.js';
import type { Evaluator } from '../nn/evaluator.js';
import type { MatchTally } from '../../selfplay/elo.js';
import { playPolicyGames } from './policy-player.js';

/** `games` games of `a` against `b` (a is Black in even games), `concurrency` at a time; the tally is a's. */
export async function playMatch(o: {
  a: Evaluator;
  b: Evaluator;
  games: number;
  size: number;
  komi: number;
  rng: Rng;
  concurrency?: number;
  temperature?: number;
  onGame?: (done: number, tally: MatchTally) => void;
}): Promise<MatchTally & { blackWins: number; meanMoves: number }> {
  const tally = { wins: 0, losses: 0, draws: 0, blackWins: 0, meanMoves: 0 };
  const concurrency = o.concurrency ?? 128;
  let done = 0;
  let moves = 0;
  for (let first = 0; first < o.games; first += concurrency) {
    const n = Math.min(concurrency, o.games - first);
    await playPolicyGames({
      size: o.size,
      komi: o.komi,
      games: n,
      evaluators: [o.a, o.b],
      rng: o.rng,
      temperature: o.temperature,
      source: (g, _m, color) => (((first + g) % 2 === 0) === (color === BLACK) ? 0 : 1),
      onGameEnd: (r) => {
        const aColor = (first + r.game) % 2 === 0 ? BLACK : 3 - BLACK;
        if (r.winner === null) tally.draws++;
        else if (r.winner === aColor) tally.wins++;
        else tally.losses++;
        if (r.winner === BLACK) tally.blackWins++;
        moves += r.moves;
        done++;
        o.onGame?.(done, tally);
      },
    });
  }
  tally.meanMoves = done === 0 ? 0 : moves / done;
  return tally;
}
