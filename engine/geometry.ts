/**
 * Per-size neighbour tables, computed once per board size and shared by every board of that size.
 * Neighbours of p are `neighbors[neighborStart[p] .. neighborStart[p+1])` (CSR layout: edge points have
 * fewer). `neighbor4` lists them again as four fixed slots per point with off-board ones pointing at a border
 * cell, for the board's hot loops.
 */
export interface Geometry {
  readonly size: number;
  readonly neighbors: Int32Array;
  readonly neighborStart: Int32Array;
  readonly diagonals: Int32Array;
  readonly diagonalStart: Int32Array;
  /**
   * The same orthogonal neighbours as four fixed slots per point (`neighbor4[4p .. 4p+3]`), an off-board
   * neighbour given as `size * size`: boards keep one border cell there, so hot loops run exactly four steps
   * with no per-point bounds.
   */
  readonly neighbor4: Int32Array;
}

const cache = new Map<number, Geometry>();

export function geometry(size: number): Geometry {
  let g = cache.get(size);
  if (g === undefined) {
    g = build(size);
    cache.set(size, g);
  }
  return g;
}

function build(size: number): Geometry {
  const area = size * size;
  const orth: number[] = [];
  const orthStart = new Int32Array(area + 1);
  const diag: number[] = [];
  const diagStart = new Int32Array(area + 1);
  const neighbor4 = new Int32Array(area * 4);
  const inside = (r: number, c: number): boolean => r >= 0 && r < size && c >= 0 && c < size;
  for (let p = 0; p < area; p++) {
    const r = Math.floor(p / size);
    const c = p % size;
    orthStart[p] = orth.length;
    let slot = p * 4;
    for (const [dr, dc] of [[-1, 0], [0, -1], [0, 1], [1, 0]] as const) {
      if (inside(r + dr, c + dc)) orth.push((r + dr) * size + c + dc);
      neighbor4[slot++] = inside(r + dr, c + dc) ? (r + dr) * size + c + dc : area;
    }
    diagStart[p] = diag.length;
    for (const [dr, dc] of [[-1, -1], [-1, 1], [1, -1], [1, 1]] as const) {
      if (inside(r + dr, c + dc)) diag.push((r + dr) * size + c + dc);
    }
  }
  orthStart[area] = orth.length;
  diagStart[area] = diag.length;
  return {
    size,
    neighbors: Int32Array.from(orth),
    neighborStart: orthStart,
    diagonals: Int32Array.from(diag),
    diagonalStart: diagStart,
    neighbor4,
  };
}
