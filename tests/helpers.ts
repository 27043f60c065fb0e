import { BLACK, Board, WHITE, parseGtpVertex, type BoardRules, type Move } from '../engine/index.js';

/**
 * Builds a board from a diagram (row 0 on top): X black, O white, '.' empty; spaces ignored.
 * Stones are set up, not played, so positions can be arbitrary.
 */
export function boardFromDiagram(diagram: string, rules: Partial<BoardRules> = {}): Board {
  const rows = diagram
    .trim()
    .split('\n')
    .map((r) => r.replace(/\s+/g, ''));
  const size = rows.length;
  const board = new Board(size, rules);
  rows.forEach((row, r) => {
    if (row.length !== size) throw new Error(`diagram row ${r} has ${row.length} points, expected ${size}`);
    [...row].forEach((ch, c) => {
      if (ch === 'X') board.placeSetupStone(r * size + c, BLACK);
      else if (ch === 'O') board.placeSetupStone(r * size + c, WHITE);
    });
  });
  return board;
}

export function v(text: string, size: number): Move {
  const m = parseGtpVertex(text, size);
  if (m === null) throw new Error(`bad vertex ${text}`);
  return m;
}
