/**
 * The 8 symmetries of the square board (dihedral group D4), for training augmentation and for evaluating a
 * position under a random symmetry.
 *
 * Symmetry s (0..7) maps point (row, col) by: if s & 4, swap row and col (transpose); then if s & 1, mirror
 * rows (row -> size-1-row); then if s & 2, mirror cols. s = 0 is the identity. Pass is fixed by all.
 *
 * To evaluate under symmetry s: transform the input planes with s, run the net, then bring its policy back
 * with `inverseSymmetry(s)` — `transformPolicy(netPolicy, inverseSymmetry(s))`.
 */
export const SYMMETRY_COUNT = 8;

/** forward[s][p] = the point p is sent to by symmetry s. */
export interface SymmetryTables {
  readonly size: number;
  readonly forward: readonly Int32Array[];
}

const tableCache = new Map<number, SymmetryTables>();

export function symmetryTables(size: number): SymmetryTables {
  let t = tableCache.get(size);
  if (t === undefined) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`symmetry: bad board size ${size}`);
    const forward: Int32Array[] = [];
    for (let s = 0; s < SYMMETRY_COUNT; s++) {
      const map = new Int32Array(size * size);
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) map[r * size + c] = mapPoint(size, s, r, c);
      }
      forward.push(map);
    }
    t = { size, forward };
    tableCache.set(size, t);
  }
  return t;
}

function mapPoint(size: number, s: number, row: number, col: number): number {
  let r = row;
  let c = col;
  if (s & 4) [r, c] = [c, r];
  if (s & 1) r = size - 1 - r;
  if (s & 2) c = size - 1 - c;
  return r * size + c;
}

function checkSymmetry(s: number): void {
  if (!Number.isInteger(s) || s < 0 || s >= SYMMETRY_COUNT) throw new RangeError(`symmetry must be 0..7, got ${s}`);
}

/** The symmetry that undoes s. Flips are their own inverses; with a transpose, the two flips trade places. */
export function inverseSymmetry(s: number): number {
  checkSymmetry(s);
  if ((s & 4) === 0) return s;
  const rowFlip = s & 1;
  const colFlip = (s >> 1) & 1;
  return 4 | (rowFlip << 1) | colFlip;
}

/** The image of a point (or PASS = -1, which is fixed) under symmetry s. */
export function transformPoint(size: number, s: number, p: number): number {
  checkSymmetry(s);
  if (p < 0) return p;
  return symmetryTables(size).forward[s]![p]!;
}

/**
 * Transforms `planeCount` planes of size² values from `src` at `srcOffset` into `dst` at `dstOffset`:
 * the value at p moves to forward[s][p]. src and dst ranges must not overlap.
 */
export function transformPlanes(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  planeCount: number,
  size: number,
  s: number,
): void {
  checkSymmetry(s);
  const area = size * size;
  const map = symmetryTables(size).forward[s]!;
  for (let k = 0; k < planeCount; k++) {
    const from = srcOffset + k * area;
    const to = dstOffset + k * area;
    for (let p = 0; p < area; p++) dst[to + map[p]!] = src[from + p]!;
  }
}

/** Transforms one policy vector (size² points then pass) by symmetry s; pass stays last. */
export function transformPolicy(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  size: number,
  s: number,
): void {
  checkSymmetry(s);
  const area = size * size;
  const map = symmetryTables(size).forward[s]!;
  for (let p = 0; p < area; p++) dst[dstOffset + map[p]!] = src[srcOffset + p]!;
  dst[dstOffset + area] = src[srcOffset + area]!;
}
