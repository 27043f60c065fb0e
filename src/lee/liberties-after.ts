/**
 * Liberties a chain would have right after a move, computed from the Board's public chain queries
 * (chainId, liberties, forEachChainStone) without playing the move: the exact count behind the rollout
 * policy's "self-atari" and "saves from atari" features. Captures are included (captured stones next to
 * the new chain become its liberties). Allocation-free; one instance per board size.
 *
 * (A natural Board method — `libertiesAfter(p, color, limit)` — if engine/ wants it; kept here so the
 * engine is untouched.)
 */
import { EMPTY, type StoneColor } from '../../engine/color.js';
import type { Board } from '../../engine/board.js';
import { geometry, type Geometry } from '../../engine/geometry.js';

export class LibertyCounter {
  private readonly geo: Geometry;
  private readonly marks: Uint32Array;
  private generation = 0;
  private board: Board | null = null;
  private stones: Uint8Array = new Uint8Array(0);
  private move = -1;
  private count = 0;
  /** Heads of the mover's chains that the move joins (at most 4). */
  private readonly ownHeads = new Int32Array(4);
  private ownCount = 0;

  constructor(readonly size: number) {
    this.geo = geometry(size);
    this.marks = new Uint32Array(size * size);
  }

  /**
   * Liberties of the chain `color` would form by playing at the empty point p, capped at `limit`
   * (0 means the move is suicide). Ko legality is not considered.
   */
  libertiesAfter(board: Board, p: number, color: StoneColor, limit: number): number {
    const { neighbors, neighborStart } = this.geo;
    const stones = board.stones;
    const gen = this.nextMark();
    this.marks[p] = gen;
    let count = 0;
    let needWalk = false;
    this.ownCount = 0;
    let captures = false;
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      const c = stones[q]!;
      if (c === EMPTY) {
        if (this.marks[q] !== gen) {
          this.marks[q] = gen;
          count++;
        }
      } else if (c === color) {
        const libs = board.liberties(q);
        // A chain with L liberties keeps L - 1 of them: enough to answer without walking it.
        if (libs - 1 >= limit) return limit;
        const head = board.chainId(q);
        if (!this.isOwnHead(head)) this.ownHeads[this.ownCount++] = head;
        if (libs > 1) needWalk = true;
      } else if (board.liberties(q) === 1) {
        captures = true;
      }
    }
    if (count >= limit) return limit;
    if (!needWalk && !captures) return count;
    this.board = board;
    this.stones = stones;
    this.move = p;
    this.count = count;
    for (let i = 0; i < this.ownCount; i++) {
      if (board.liberties(this.ownHeads[i]!) > 1) board.forEachChainStone(this.ownHeads[i]!, this.visitOwnStone);
    }
    if (captures) {
      const enemy = (3 - color) as StoneColor;
      for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
        const q = neighbors[k]!;
        if (stones[q] === enemy && board.liberties(q) === 1 && this.marks[q] !== gen) {
          board.forEachChainStone(q, this.visitCapturedStone);
        }
      }
    }
    this.board = null;
    return Math.min(this.count, limit);
  }

  private isOwnHead(head: number): boolean {
    for (let i = 0; i < this.ownCount; i++) if (this.ownHeads[i] === head) return true;
    return false;
  }

  /** Counts the empty neighbours of a stone of a joining chain (p itself is pre-marked). */
  private readonly visitOwnStone = (s: number): void => {
    const { neighbors, neighborStart } = this.geo;
    const gen = this.generation;
    for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
      const e = neighbors[k]!;
      if (this.stones[e] === EMPTY && this.marks[e] !== gen) {
        this.marks[e] = gen;
        this.count++;
      }
    }
  };

  /** A captured stone becomes a liberty when it touches the move or a joining chain. */
  private readonly visitCapturedStone = (s: number): void => {
    const { neighbors, neighborStart } = this.geo;
    const gen = this.generation;
    if (this.marks[s] === gen) return;
    this.marks[s] = gen;
    const board = this.board!;
    for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
      const q = neighbors[k]!;
      if (q === this.move || (this.stones[q] !== EMPTY && this.isOwnHead(board.chainId(q)))) {
        this.count++;
        return;
      }
    }
  };

  private nextMark(): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.marks.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}
