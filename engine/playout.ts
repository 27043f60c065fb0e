/**
 * Uniformly random light playouts: the rules-speed benchmark and the simplest Monte Carlo evaluator.
 * Moves are uniformly random among legal points that do not fill the mover's own single-point eye;
 * the playout ends after two passes, or at a move cap: with simple ko only, late random positions often hold
 * two or three kos whose captures are the only candidates left, and the game cycles (on 19x19 about 65% of
 * all uniformly random playouts do). Playouts that end by passing average ~110 moves on 9x9 and ~460 on
 * 19x19, so a cap of twice the board area cuts only the cycles. The cap is still what 19x19 playouts cost
 * most: they average ~630 moves (a quarter of them played in cycles, where nearly every empty point is an
 * eye and a move takes ~10 draws), against ~480 with a superko window of 32 (measured: 1.4M against 0.85M
 * JIT instructions per playout, bench `rules`).
 *
 * `superkoWindow` > 0 breaks those cycles instead: a ko-shaped capture that recreates one of the positions
 * reached by the last `superkoWindow` ko captures is not a candidate (positional superko over a bounded
 * window), so the playout stays uniformly random among the moves legal under that rule and ends by passing.
 *
 * `firstPlayer`, when given (length >= area), records who played each point first: every point still 0
 * when the playout plays there gets that move's colour. Nothing else is written, so a caller clears it and
 * may mark moves played before the playout. This is what all-moves-as-first (AMAF/RAVE) statistics read; a
 * separate loop keeps the playouts of callers that do not ask exactly as fast as before.
 */
import type { Board } from './board.js';
import { RecentPositions } from './recent-positions.js';
import type { Rng } from './rng.js';

/** One ring per window size, reused: playouts allocate nothing. */
const windows = new Map<number, RecentPositions>();

/** Plays the board out in place; returns the number of moves played (passes included). */
export function randomPlayout(
  board: Board,
  rng: Rng,
  maxMoves: number = board.area * 2,
  superkoWindow = 0,
  firstPlayer?: Uint8Array,
): number {
  let moves = 0;
  if (superkoWindow <= 0) {
    // Nothing here reads the hash: it is recomputed only if the caller reads it afterwards.
    board.suspendHashing();
    if (firstPlayer === undefined) {
      while (board.passes < 2 && moves < maxMoves) {
        const color = board.toPlay;
        board.playLegal(board.randomMove(rng, color), color);
        moves++;
      }
      return moves;
    }
    while (board.passes < 2 && moves < maxMoves) {
      const color = board.toPlay;
      const move = board.randomMove(rng, color);
      // PASS is -1: never a point.
      if (move >= 0 && firstPlayer[move] === 0) firstPlayer[move] = color;
      board.playLegal(move, color);
      moves++;
    }
    return moves;
  }
  let recent = windows.get(superkoWindow);
  if (recent === undefined) {
    recent = new RecentPositions(superkoWindow);
    windows.set(superkoWindow, recent);
  }
  recent.clear();
  recent.push(board.positionKey());
  while (board.passes < 2 && moves < maxMoves) {
    const color = board.toPlay;
    const move = board.randomMove(rng, color, recent);
    if (firstPlayer !== undefined && move >= 0 && firstPlayer[move] === 0) firstPlayer[move] = color;
    board.playLegal(move, color);
    // Only positions just reached by a ko capture are remembered: those are what a multi-ko cycle repeats
    // (every move of one is a ko capture), and checking koPoint keeps ordinary moves at full speed.
    if (board.koPoint >= 0) recent.push(board.positionKey());
    moves++;
  }
  return moves;
}
