/**
 * Perft: the number of distinct move sequences of a given length from a position, passes excluded.
 * The standard correctness check for move generation (captures, suicide, ko) against published counts.
 */
import { Board } from './board.js';

export function perft(board: Board, depth: number): number {
  // One scratch board per ply, reused: no allocation inside the recursion.
  const boards = Array.from({ length: depth }, () => board.copy());
  const recurse = (b: Board, d: number): number => {
    let total = 0;
    const color = b.toPlay;
    if (d === 1) {
      for (let p = 0; p < b.area; p++) if (b.isLegal(p, color)) total++;
      return total;
    }
    const next = boards[d - 1]!;
    for (let p = 0; p < b.area; p++) {
      if (!b.isLegal(p, color)) continue;
      next.copyFrom(b);
      next.playLegal(p, color);
      total += recurse(next, d - 1);
    }
    return total;
  };
  return depth <= 0 ? 1 : recurse(board, depth);
}
