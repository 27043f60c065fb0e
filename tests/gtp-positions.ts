/** Finished 9x9 positions with known status, shared by the GTP tests (diagrams: row 9 first, X black). */

/**
 * Black owns columns A-D, White E-J, every group with many eyes; the white stone at B1 and the black
 * one at F1 are dead. Area: Black 36, White 45 → W+16 with komi 7; territory: 12 each → W+7.
 */
export const DEAD_STONES_POSITION = ['.X.XO.O.O', 'XXXXOOOOO', '.X.XO.O.O', 'XXXXOOOOO', '.X.XO.O.O', 'XXXXOOOOO', '.X.XO.O.O', 'XXXXOOOOO', '.O.XOX..O'];

/**
 * Columns A-C: Black alive with five eyes; G-J: White alive with five eyes. In between, a white chain
 * (D1-D9, E2-E8) and a black one (F1-F9) share their only two liberties, E1 and E9: whoever fills one
 * is captured, so neither does (seki). Area: Black 36, White 43 → W+14 with komi 7; territory: W+7.
 */
export const SEKI_POSITION = ['.XXO.XOO.', 'XXXOOXOOO', '.XXOOXOO.', 'XXXOOXOOO', '.XXOOXOO.', 'XXXOOXOOO', '.XXOOXOO.', 'XXXOOXOOO', '.XXO.XOO.'];

/** The position as an SGF record with setup stones, Black to play. */
export function positionSgf(diagram: readonly string[], komi: number): string {
  const points = (ch: string): string =>
    diagram.flatMap((row, r) => [...row].flatMap((x, c) => (x === ch ? [`[${String.fromCharCode(97 + c, 97 + r)}]`] : []))).join('');
  return `(;GM[1]FF[4]SZ[${diagram.length}]KM[${komi}]RU[Chinese]AB${points('X')}AW${points('O')}PL[B])`;
}

/** The stones of one colour as GTP vertices (for `play` commands). */
export function positionVertices(diagram: readonly string[], ch: 'X' | 'O'): string[] {
  const size = diagram.length;
  return diagram.flatMap((row, r) => [...row].flatMap((x, c) => (x === ch ? [`${'ABCDEFGHJKLMNOPQRST'[c]}${size - r}`] : [])));
}
