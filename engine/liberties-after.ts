/**
 * Liberties a chain would have right after a move, computed from the Board's chain tables (Board.chains)
 * without playing the move: the exact count behind self-atari and saves-from-atari judgements (the
 * AlphaGo-Lee rollout policy's and feature planes' "self-atari" and "saves from atari", the no-network
 * player's tactical priors). Captures are included (captured stones next to the new chain become its
 * liberties). Allocation-free, no callbacks (chains are walked through their `next` links); one instance
 * per board size.
 */
import type { StoneColor } from './color.js';
import type { Board } from './board.js';
import { geometry, type Geometry } from './geometry.js';
import { nextGeneration } from './stamps.js';

export class LibertyCounter {
  private readonly geo: Geometry;
  private readonly marks: Uint32Array;
  private generation = 0;
  /** Heads of the mover's chains that the move joins (at most 4). */
  private readonly ownHeads = new Int32Array(4);

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
    const { head, liberties, next } = board.chains;
    const marks = this.marks;
    const ownHeads = this.ownHeads;
    const gen = this.nextMark();
    marks[p] = gen;
    let count = 0;
    let needWalk = false;
    let ownCount = 0;
    let captures = false;
    const from = neighborStart[p]!;
    const to = neighborStart[p + 1]!;
    for (let k = from; k < to; k++) {
      const q = neighbors[k]!;
      const c = stones[q]!;
      if (c === 0) {
        if (marks[q] !== gen) {
          marks[q] = gen;
          count++;
        }
      } else if (c === color) {
        const h = head[q]!;
        const libs = liberties[h]!;
        // A chain with L liberties keeps L - 1 of them: enough to answer without walking it.
        if (libs - 1 >= limit) return limit;
        let known = false;
        for (let j = 0; j < ownCount; j++) if (ownHeads[j] === h) known = true;
        if (!known) ownHeads[ownCount++] = h;
        if (libs > 1) needWalk = true;
      } else if (liberties[head[q]!] === 1) {
        captures = true;
      }
    }
    if (count >= limit) return limit;
    if (!needWalk && !captures) return count;
    // The empty neighbours of the joining chains' stones (p itself is marked).
    for (let j = 0; j < ownCount; j++) {
      const h = ownHeads[j]!;
      if (liberties[h]! <= 1) continue;
      let s = h;
      do {
        for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
          const e = neighbors[k]!;
          if (stones[e] === 0 && marks[e] !== gen) {
            marks[e] = gen;
            count++;
          }
        }
        s = next[s]!;
      } while (s !== h);
    }
    if (captures) {
      // A captured stone becomes a liberty when it touches the move or a joining chain.
      const enemy = 3 - color;
      for (let k = from; k < to; k++) {
        const q = neighbors[k]!;
        if (stones[q] !== enemy || liberties[head[q]!] !== 1 || marks[q] === gen) continue;
        let s = q;
        do {
          if (marks[s] !== gen) {
            marks[s] = gen;
            for (let m = neighborStart[s]!; m < neighborStart[s + 1]!; m++) {
              const t = neighbors[m]!;
              let touches = t === p;
              if (!touches && stones[t] === color) {
                const h = head[t]!;
                for (let j = 0; j < ownCount; j++) if (ownHeads[j] === h) touches = true;
              }
              if (touches) {
                count++;
                break;
              }
            }
          }
          s = next[s]!;
        } while (s !== q);
      }
    }
    return Math.min(count, limit);
  }

  private nextMark(): number {
    this.generation = nextGeneration(this.marks, this.generation);
    return this.generation;
  }
}
