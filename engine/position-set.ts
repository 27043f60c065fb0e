/**
 * A set of position keys (Board.positionKey) in an open-addressing table of typed arrays, emptied in O(1)
 * by a generation stamp: the memory behind a superko check that is asked thousands of times a second and
 * cleared for every playout (the rollout policy remembers every position its ko captures reach, so a ko
 * capture can never bring one back and multi-ko fights end). No allocation except when it outgrows its table.
 */
import { nextGeneration } from './stamps.js';

export class PositionSet {
  private keys: Float64Array;
  private stamps: Uint32Array;
  private mask: number;
  private generation = 1;
  private count = 0;

  constructor(capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`position set: capacity must be a positive integer, got ${capacity}`);
    }
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.keys = new Float64Array(slots);
    this.stamps = new Uint32Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
    this.generation = nextGeneration(this.stamps, this.generation);
  }

  add(key: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    const stamps = this.stamps;
    const gen = this.generation;
    let i = slotOf(key, this.mask);
    while (stamps[i] === gen) {
      if (keys[i] === key) return;
      i = (i + 1) & this.mask;
    }
    stamps[i] = gen;
    keys[i] = key;
    this.count++;
  }

  has(key: number): boolean {
    const keys = this.keys;
    const stamps = this.stamps;
    const gen = this.generation;
    let i = slotOf(key, this.mask);
    while (stamps[i] === gen) {
      if (keys[i] === key) return true;
      i = (i + 1) & this.mask;
    }
    return false;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldStamps = this.stamps;
    const gen = this.generation;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.stamps = new Uint32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    this.generation = 1;
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldStamps[i] === gen) this.add(oldKeys[i]!);
  }
}

/** Table slot of a key: its low 32 bits (Zobrist bits, already uniform) mixed and masked. */
function slotOf(key: number, mask: number): number {
  return (Math.imul(key | 0, 0x9e3779b1) >>> 7) & mask;
}
