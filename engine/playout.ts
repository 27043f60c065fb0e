/**
 * Uniformly random light playouts: the rules-speed benchmark and the simplest Monte Carlo evaluator.
 * Moves are uniformly random among legal points that do not fill the mover's own single-point eye;
 * the playout ends after two passes (or a move cap that guards against endless ko cycles).
 */
import type { Board } from './board.js';
import type { Rng } from './rng.js';

/** Plays the board out in place; returns the number of moves played (passes included). */
export function randomPlayout(board: Board, rng: Rng, maxMoves: number = board.area * 3): number {
  let moves = 0;
  while (board.passes < 2 && moves < maxMoves) {
    const color = board.toPlay;
    board.playLegal(board.randomMove(rng, color), color);
    moves++;
  }
  return moves;
}
