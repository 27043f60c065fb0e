/**
 * Coordinates. Internally a point is `row * size + col`, row 0 on top (SGF order).
 * GTP vertices: column letter A..Z skipping I, row number counted from the bottom (`A1` bottom-left).
 * SGF points: two letters, column then row, `aa` top-left; `tt` or empty means pass on boards up to 19.
 */
import { PASS, type Move } from './color.js';

const GTP_COLUMNS = 'ABCDEFGHJKLMNOPQRSTUVWXYZ';

export function toGtpVertex(move: Move, size: number): string {
  if (move === PASS) return 'pass';
  const row = Math.floor(move / size);
  const col = move % size;
  return `${GTP_COLUMNS[col]}${size - row}`;
}

/**
 * Parses a GTP vertex ('D4', 'd4', 'pass'); returns null when the text is not a vertex on this board.
 * ('resign' is not a vertex: callers that accept it check for it first.)
 */
export function parseGtpVertex(text: string, size: number): Move | null {
  const t = text.trim().toUpperCase();
  if (t === 'PASS') return PASS;
  const m = /^([A-HJ-Z])(\d{1,2})$/.exec(t);
  if (m === null) return null;
  const col = GTP_COLUMNS.indexOf(m[1]!);
  const number = Number(m[2]);
  if (col < 0 || col >= size || number < 1 || number > size) return null;
  return (size - number) * size + col;
}

export function toSgfPoint(move: Move, size: number): string {
  if (move === PASS) return '';
  const row = Math.floor(move / size);
  const col = move % size;
  return String.fromCharCode(97 + col) + String.fromCharCode(97 + row);
}

/** Parses an SGF point; '' (and 'tt' on boards up to 19x19) is a pass; null when malformed or off-board. */
export function parseSgfPoint(text: string, size: number): Move | null {
  if (text === '' || (text === 'tt' && size <= 19)) return PASS;
  if (text.length !== 2) return null;
  const col = text.charCodeAt(0) - 97;
  const row = text.charCodeAt(1) - 97;
  if (col < 0 || col >= size || row < 0 || row >= size) return null;
  return row * size + col;
}

export function pointAt(row: number, col: number, size: number): number {
  return row * size + col;
}
