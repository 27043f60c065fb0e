/** Point contents and players. Numbers, so that boards are flat Uint8Arrays. */
export const EMPTY = 0;
export const BLACK = 1;
export const WHITE = 2;
export type Color = 0 | 1 | 2;
export type StoneColor = 1 | 2;

/** A move is a point index `row * size + col` (row 0 is the top row, as in SGF), or PASS. */
export type Move = number;
export const PASS: Move = -1;

export function opponent(color: StoneColor): StoneColor {
  return (3 - color) as StoneColor;
}

export function colorName(color: StoneColor): 'black' | 'white' {
  return color === BLACK ? 'black' : 'white';
}

/** Parses 'b', 'black', 'w', 'white' in any case (GTP colour syntax); null when it is neither. */
export function parseColor(text: string): StoneColor | null {
  const t = text.toLowerCase();
  if (t === 'b' || t === 'black') return BLACK;
  if (t === 'w' || t === 'white') return WHITE;
  return null;
}

/**
 * Neural-net / search action index: points 0..area-1 and pass = area. Kept apart from Move so a policy
 * vector has a fixed length of area + 1.
 */
export function moveToAction(move: Move, area: number): number {
  return move === PASS ? area : move;
}

export function actionToMove(action: number, area: number): Move {
  return action === area ? PASS : action;
}
