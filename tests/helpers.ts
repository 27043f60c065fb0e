import { expect } from 'vitest';
import { BLACK, Board, WHITE, parseGtpVertex, type BoardRules, type Game, type Move } from '../engine/index.js';

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

/**
 * Asks a GTP engine for `count` moves, colours alternating from Black, and checks each one is a legal move
 * on `game` (which follows along). `send` is the client's send (GtpClient.send).
 */
export async function expectLegalGenmoves(send: (command: string) => Promise<string>, game: Game, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const color = i % 2 === 0 ? BLACK : WHITE;
    const vertex = await send(`genmove ${color === BLACK ? 'b' : 'w'}`);
    const move = parseGtpVertex(vertex, game.size);
    expect(move, vertex).not.toBeNull();
    expect(game.board.isLegal(move!, color)).toBe(true);
    game.play(move!, color);
  }
}
