/**
 * A growable set of training positions in Lee planes (48 × area, each 0 or 1, stored one byte a value),
 * each with a move label (action index) and an outcome z for the side to move. SL trains the policy on the
 * labels, the value net regresses on z. Batches come out as float planes with a board symmetry applied
 * (the Lee features — liberties, captures, ladders, eyes — are symmetric, so the transformed planes are
 * exactly the transformed position's).
 */
import type { Game } from '../../engine/game.js';
import { moveToAction, type StoneColor } from '../../engine/color.js';
import { encodeLeeGameFeatures, LEE_FEATURE_PLANES } from '../nn/features-lee.js';
import { symmetryTables } from '../nn/symmetry.js';

export class LeePositionSet {
  readonly area: number;
  readonly planeBytes: number;
  private planes: Uint8Array;
  private actions: Int16Array;
  private outcomes: Int8Array;
  private count = 0;
  private readonly scratch: Float32Array;

  constructor(
    readonly size: number,
    capacity = 1024,
  ) {
    this.area = size * size;
    this.planeBytes = LEE_FEATURE_PLANES * this.area;
    this.planes = new Uint8Array(capacity * this.planeBytes);
    this.actions = new Int16Array(capacity);
    this.outcomes = new Int8Array(capacity);
    this.scratch = new Float32Array(this.planeBytes);
  }

  get length(): number {
    return this.count;
  }

  action(i: number): number {
    return this.actions[i]!;
  }

  outcome(i: number): number {
    return this.outcomes[i]!;
  }

  private grow(): void {
    const capacity = this.actions.length * 2;
    const planes = new Uint8Array(capacity * this.planeBytes);
    planes.set(this.planes);
    this.planes = planes;
    const actions = new Int16Array(capacity);
    actions.set(this.actions);
    this.actions = actions;
    const outcomes = new Int8Array(capacity);
    outcomes.set(this.outcomes);
    this.outcomes = outcomes;
  }

  /** Adds a position from float planes (0/1 values) at `offset`. `action` −1 when there is no move label. */
  add(planes: Float32Array, offset: number, action: number, z: number): void {
    if (this.count === this.actions.length) this.grow();
    const base = this.count * this.planeBytes;
    for (let k = 0; k < this.planeBytes; k++) this.planes[base + k] = planes[offset + k]! > 0.5 ? 1 : 0;
    this.actions[this.count] = action;
    this.outcomes[this.count] = z;
    this.count++;
  }

  /**
   * Adds every position of a recorded game (before each move) with the move played and the game's outcome
   * for the mover (`winner` null: a draw, z = 0). Returns the positions added.
   */
  addGame(game: Game, start: Game, winner: StoneColor | null): number {
    if (start.moves.length !== 0) throw new Error('addGame: the start position must have no moves');
    for (const m of game.moves) {
      encodeLeeGameFeatures(this.scratch, 0, start);
      this.add(this.scratch, 0, moveToAction(m.move, this.area), winner === null ? 0 : winner === m.color ? 1 : -1);
      start.play(m.move, m.color);
    }
    return game.moves.length;
  }

  /**
   * Writes positions `indices` as float planes into `planes` and, when given, one-hot move targets into
   * `policy` (count × (area+1)) and outcomes into `value`, each transformed by `symmetries[i]` (0 = none).
   */
  fillBatch(indices: ArrayLike<number>, symmetries: ArrayLike<number>, planes: Float32Array, policy?: Float32Array, value?: Float32Array): void {
    const area = this.area;
    const tables = symmetryTables(this.size).forward;
    if (policy !== undefined) policy.fill(0, 0, indices.length * (area + 1));
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i]!;
      if (!(j >= 0 && j < this.count)) throw new RangeError(`position ${j} of ${this.count}`);
      const map = tables[symmetries[i]!]!;
      const src = j * this.planeBytes;
      const dst = i * this.planeBytes;
      for (let k = 0; k < LEE_FEATURE_PLANES; k++) {
        const from = src + k * area;
        const to = dst + k * area;
        for (let p = 0; p < area; p++) planes[to + map[p]!] = this.planes[from + p]!;
      }
      const a = this.actions[j]!;
      if (policy !== undefined && a >= 0) policy[i * (area + 1) + (a === area ? area : map[a]!)] = 1;
      if (value !== undefined) value[i] = this.outcomes[j]!;
    }
  }
}
