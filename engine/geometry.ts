/**
 * Per-size neighbour tables, computed once per board size and shared by every board of that size.
 * Neighbours of p are `neighbors[neighborStart[p] .. neighborStart[p+1])` (CSR layout: edge points have
 * fewer, so no off-board sentinel checks in the hot loops).
 */
export interface Geometry {
  readonly size: number;
  readonly neighbors: Int32Array;
  readonly neighborStart: Int32Array;
  readonly diagonals: Int32Array;
  readonly diagonalStart: Int32Array;
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
  const inside = (r: number, c: number): boolean => r >= 0 && r < size && c >= 0 && c < size;
  for (let p = 0; p < area; p++) {
    const r = Math.floor(p / size);
    const c = p % size;
    orthStart[p] = orth.length;
    for (const [dr, dc] of [[-1, 0], [0, -1], [0, 1], [1, 0]] as const) {
      if (inside(r + dr, c + dc)) orth.push((r + dr) * size + c + dc);
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
  };
}
