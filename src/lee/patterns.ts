/**
 * Local patterns of the rollout policy, as integer codes, and their symmetry canonicalisation.
 *
 * 3x3 pattern around a candidate move: the 8 neighbours clockwise from the top-left, 3 bits each:
 *   0 empty, 1 off the board, 2/3/4 the mover's stone in a chain with 1/2/>=3 liberties,
 *   5/6/7 the opponent's stone with 1/2/>=3 liberties.
 * Response pattern: the 12 points at Manhattan distance 1..2 around the previous move (the "diamond"),
 * 2 bits each (0 empty, 1 off board, 2 mover's stone, 3 opponent's stone), plus which of the 12 points is
 * the candidate (4 bits) and the liberty bucket of the previous move's chain (2 bits): 30 bits in all.
 *
 * Colours are relative to the player to move, so one weight serves Black and White (the right reply in a
 * shape does not depend on which colour you are). Own and opponent stones are not merged: attacking and
 * defending the same shape are different moves. Weights are shared across the 8 board symmetries
 * (rotations, reflections): a shape means the same in every orientation, and sharing divides the number
 * of parameters to learn by up to 8, which matters with a few hundred training games. Canonicalisation is
 * paid only when a weight table is built (every symmetric variant of a code is stored), never per move.
 */

/** Neighbour offsets (drow, dcol) of the 3x3 pattern, clockwise from the top-left. */
export const PATTERN3_OFFSETS: ReadonlyArray<readonly [number, number]> = [
  [-1, -1], [-1, 0], [-1, 1], [0, 1], [1, 1], [1, 0], [1, -1], [0, -1],
];

/** Points of the 12-point diamond around the previous move, row by row. */
export const DIAMOND_OFFSETS: ReadonlyArray<readonly [number, number]> = [
  [-2, 0], [-1, -1], [-1, 0], [-1, 1], [0, -2], [0, -1], [0, 1], [0, 2], [1, -1], [1, 0], [1, 1], [2, 0],
];

export const STATE_EMPTY = 0;
export const STATE_OFF = 1;
/** 3x3 state of a mover's stone with `libs` liberties: 2, 3, 4. Opponent's: +3. */
export const STATE_OWN = 2;
export const STATE_OPPONENT = 5;
/** Diamond (2-bit) states. */
export const DSTATE_OWN = 2;
export const DSTATE_OPPONENT = 3;

/** The 8 symmetries of the square as maps of (dr, dc). */
const SYMMETRIES: ReadonlyArray<(dr: number, dc: number) => readonly [number, number]> = [
  (r, c) => [r, c],
  (r, c) => [c, -r],
  (r, c) => [-r, -c],
  (r, c) => [-c, r],
  (r, c) => [r, -c],
  (r, c) => [-r, c],
  (r, c) => [c, r],
  (r, c) => [-c, -r],
];

/** perm[s][i] = the slot that slot i moves to under symmetry s. */
function permutations(offsets: ReadonlyArray<readonly [number, number]>): Int8Array[] {
  return SYMMETRIES.map((sym) => {
    const perm = new Int8Array(offsets.length);
    offsets.forEach(([r, c], i) => {
      const [r2, c2] = sym(r, c);
      const j = offsets.findIndex(([a, b]) => a === r2 && b === c2);
      if (j < 0) throw new Error('pattern offsets are not closed under symmetry');
      perm[i] = j;
    });
    return perm;
  });
}

const PERM3 = permutations(PATTERN3_OFFSETS);
const PERM_DIAMOND = permutations(DIAMOND_OFFSETS);

/** The 8 symmetric variants of a 3x3 code (some may coincide). */
export function pattern3Variants(code: number): number[] {
  return PERM3.map((perm) => {
    let out = 0;
    for (let i = 0; i < 8; i++) out |= ((code >>> (3 * i)) & 7) << (3 * perm[i]!);
    return out;
  });
}

export function canonicalPattern3(code: number): number {
  return Math.min(...pattern3Variants(code));
}

/** Response code fields. */
export const RESPONSE_SLOT_SHIFT = 24;
export const RESPONSE_LIBS_SHIFT = 28;
/** Slots of the diamond (the values of the slot field). */
export const RESPONSE_SLOT_COUNT = 12;

export function responseVariants(code: number): number[] {
  const slot = (code >>> RESPONSE_SLOT_SHIFT) & 15;
  const libs = code >>> RESPONSE_LIBS_SHIFT;
  return PERM_DIAMOND.map((perm) => {
    let out = 0;
    for (let i = 0; i < 12; i++) out |= ((code >>> (2 * i)) & 3) << (2 * perm[i]!);
    return (out | (perm[slot]! << RESPONSE_SLOT_SHIFT) | (libs << RESPONSE_LIBS_SHIFT)) >>> 0;
  });
}

export function canonicalResponse(code: number): number {
  return Math.min(...responseVariants(code));
}

/**
 * Per-size tables of pattern neighbourhoods: point p's 3x3 neighbours are `ring8[p*8 .. p*8+8)` and its
 * diamond `diamond[p*12 .. p*12+12)`, -1 where off the board. `near[p*24 ..]` lists the points within
 * Manhattan distance 3 (the region where previous-move features apply), with `nearClass` giving
 * 0 adjacent, 1 diagonal, 2 one-point jump, 3 distance 3, and `nearSlot` the diamond slot (-1 at distance 3).
 */
export interface PatternGeometry {
  readonly size: number;
  readonly ring8: Int32Array;
  readonly diamond: Int32Array;
  readonly near: Int32Array;
  readonly nearClass: Int8Array;
  readonly nearSlot: Int8Array;
}

export const NEAR_COUNT = 24;
export const NEAR_ADJACENT = 0;
export const NEAR_DIAGONAL = 1;
export const NEAR_JUMP = 2;
export const NEAR_DISTANCE3 = 3;

const geometries = new Map<number, PatternGeometry>();

export function patternGeometry(size: number): PatternGeometry {
  let g = geometries.get(size);
  if (g !== undefined) return g;
  const area = size * size;
  const at = (p: number, dr: number, dc: number): number => {
    const r = Math.floor(p / size) + dr;
    const c = (p % size) + dc;
    return r >= 0 && r < size && c >= 0 && c < size ? r * size + c : -1;
  };
  const ring8 = new Int32Array(area * 8);
  const diamond = new Int32Array(area * 12);
  const near = new Int32Array(area * NEAR_COUNT);
  const nearClass = new Int8Array(NEAR_COUNT);
  const nearSlot = new Int8Array(NEAR_COUNT);
  const nearOffsets: Array<[number, number]> = [];
  for (let dr = -3; dr <= 3; dr++) {
    for (let dc = -3; dc <= 3; dc++) {
      const d = Math.abs(dr) + Math.abs(dc);
      if (d >= 1 && d <= 3) nearOffsets.push([dr, dc]);
    }
  }
  nearOffsets.forEach(([dr, dc], i) => {
    const d = Math.abs(dr) + Math.abs(dc);
    nearClass[i] = d === 1 ? NEAR_ADJACENT : d === 3 ? NEAR_DISTANCE3 : dr !== 0 && dc !== 0 ? NEAR_DIAGONAL : NEAR_JUMP;
    nearSlot[i] = DIAMOND_OFFSETS.findIndex(([a, b]) => a === dr && b === dc);
  });
  for (let p = 0; p < area; p++) {
    PATTERN3_OFFSETS.forEach(([dr, dc], i) => (ring8[p * 8 + i] = at(p, dr, dc)));
    DIAMOND_OFFSETS.forEach(([dr, dc], i) => (diamond[p * 12 + i] = at(p, dr, dc)));
    nearOffsets.forEach(([dr, dc], i) => (near[p * NEAR_COUNT + i] = at(p, dr, dc)));
  }
  g = { size, ring8, diamond, near, nearClass, nearSlot };
  geometries.set(size, g);
  return g;
}

/**
 * Open-addressing hash map from a pattern code (non-negative 31-bit integer) to a weight index, in one typed
 * array of (key, value) pairs: one multiply and usually one probe per lookup, no allocation. Keys and values
 * interleaved put a hit's key and value in the same cache line: the rollout looks patterns up for every point
 * it refreshes, in tables too large for the nearest caches, where each line fetched is what a lookup costs.
 */
export class PatternIndex {
  /** slots[2i] = key (-1: free), slots[2i + 1] = value. */
  private slots: Int32Array;
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(capacity = 1024) {
    let bits = 4;
    while (1 << bits < capacity * 2) bits++;
    this.slots = PatternIndex.emptySlots(bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  get size(): number {
    return this.count;
  }

  /** Weight index of `code`, or -1 when the pattern is unknown. */
  get(code: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = Math.imul(code, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = slots[2 * i]!;
      if (k === code) return slots[2 * i + 1]!;
      if (k === -1) return -1;
      i = (i + 1) & mask;
    }
  }

  set(code: number, value: number): void {
    if (code < 0 || code > 0x7fffffff || !Number.isInteger(code)) throw new RangeError(`bad pattern code ${code}`);
    if ((this.count + 1) * 4 > this.slots.length) this.grow();
    const slots = this.slots;
    let i = Math.imul(code, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = slots[2 * i]!;
      if (k === code || k === -1) {
        if (k === -1) this.count++;
        slots[2 * i] = code;
        slots[2 * i + 1] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private static emptySlots(bits: number): Int32Array {
    const slots = new Int32Array(2 << bits);
    for (let i = 0; i < slots.length; i += 2) slots[i] = -1;
    return slots;
  }

  private grow(): void {
    const old = this.slots;
    const bits = 33 - this.shift;
    this.slots = PatternIndex.emptySlots(bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== -1) this.set(old[i]!, old[i + 1]!);
  }
}
