/**
 * Zobrist keys: one random 64-bit key (two 32-bit halves) per (point, colour), plus one for "white to move".
 * Fixed seed, so keys are identical across processes and runs (hashes can be stored and compared).
 */
import { Rng } from './rng.js';

export interface ZobristTable {
  /** Index `p * 2 + color - 1`. */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly toPlayLo: number;
  readonly toPlayHi: number;
}

const cache = new Map<number, ZobristTable>();

export function zobrist(size: number): ZobristTable {
  let t = cache.get(size);
  if (t === undefined) {
    const rng = new Rng(0x7e9e11 + size);
    const n = size * size * 2;
    const lo = new Int32Array(n);
    const hi = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      lo[i] = rng.nextU32() | 0;
      hi[i] = rng.nextU32() | 0;
    }
    t = { lo, hi, toPlayLo: rng.nextU32() | 0, toPlayHi: rng.nextU32() | 0 };
    cache.set(size, t);
  }
  return t;
}
