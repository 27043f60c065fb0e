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

/**
 * `move`, or a non-pass move instead of a first pass (the opponent did not just pass) that the network
 * gives a prior below `minPrior` (searchParams.firstPassMinPrior; 0 turns the rule off): the most visited
 * non-pass candidate, else `fallback()`. Under area scoring a move inside one's own area costs nothing, and
 * a pass in an unfinished game hands the opponent a free move.
 */
export function holdBackFirstPass(move: Move, candidates: readonly CandidateAnalysis[], board: Board, minPrior: number, fallback: () => Move): Move {
  if (move !== PASS || minPrior <= 0 || board.lastMove === PASS) return move;
  const passPrior = candidates.find((c) => c.move === PASS)?.prior ?? 0;
  if (passPrior >= minPrior) return PASS;
  return candidates.find((c) => c.move !== PASS)?.move ?? fallback();
}
