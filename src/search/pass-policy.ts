/**
 * Passing under area scoring, where passing costs nothing when it wins and everything when it loses:
 * pass when the opponent has just passed and the area count (komi included) wins now; never pass while
 * that count loses if another move exists. Own eyes are never among the alternatives (the search does
 * not generate them), so the engine does not fill its eyes to avoid passing.
 */
import type { Board } from '../../engine/board.js';
import { BLACK, PASS, type Move } from '../../engine/color.js';
import { score } from '../../engine/score.js';
import type { CandidateAnalysis } from './analysis.js';

/** True when the game ending now (area scoring) is won by the player to move. */
export function passingWins(board: Board, komi: number): boolean {
  const margin = score(board, { komi, scoring: 'area' }).margin;
  return margin !== 0 && (margin > 0) === (board.toPlay === BLACK);
}

/**
 * The move to play instead of `move` under the area pass policy. `fallback` gives a non-pass move when
 * no visited candidate is one (or PASS when there is none).
 */
export function applyAreaPassPolicy(move: Move, candidates: readonly CandidateAnalysis[], board: Board, komi: number, fallback: () => Move): Move {
  const wins = passingWins(board, komi);
  if (move !== PASS) return board.lastMove === PASS && wins ? PASS : move;
  if (wins) return PASS;
  for (const c of candidates) if (c.move !== PASS) return c.move;
  return fallback();
}
