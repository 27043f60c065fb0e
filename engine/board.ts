/**
 * The Go board: stones, chains, exact liberty counts and Zobrist hashes, updated incrementally.
 *
 * Layout: flat typed arrays indexed by point `p = row * size + col` (row 0 on top). Every chain is a
 * circular linked list through `nextStone`; `chainHead[p]` names the chain's representative, which owns the
 * chain's stone count and exact liberty count. Playing a stone touches only the chains next to it, so a
 * move costs O(size of the smaller merged/captured chains), with no allocation.
 */
import { BLACK, EMPTY, PASS, WHITE, opponent, type Color, type Move, type StoneColor } from './color.js';
import { geometry, type Geometry } from './geometry.js';
import { DEFAULT_RULES, type BoardRules } from './rules.js';
import type { Rng } from './rng.js';
import { zobrist, type ZobristTable } from './zobrist.js';

export class IllegalMoveError extends Error {
  constructor(
    readonly move: Move,
    readonly reason: 'occupied' | 'suicide' | 'ko' | 'superko' | 'off-board',
  ) {
    super(`illegal move (${reason})`);
    this.name = 'IllegalMoveError';
  }
}

export const MIN_SIZE = 2;
export const MAX_SIZE = 25;

export class Board {
  readonly size: number;
  readonly area: number;
  readonly rules: BoardRules;
  /** Contents of each point: EMPTY, BLACK or WHITE. Read-only for callers. */
  readonly stones: Uint8Array;
  /** Player to move next. */
  toPlay: StoneColor = BLACK;
  /** Point the player `koColor` may not play at (simple ko), or -1. */
  koPoint = -1;
  koColor: Color = EMPTY;
  /** Consecutive passes ending the move sequence so far. */
  passes = 0;
  moveNumber = 0;
  /** Stones captured *by* each colour: captures[BLACK] counts white stones taken. Index 0 unused. */
  readonly captures = new Int32Array(3);
  /** Last move played (PASS included), or null before the first. */
  lastMove: Move | null = null;

  private readonly geo: Geometry;
  private readonly keys: ZobristTable;
  private readonly chainHead: Int32Array;
  private readonly nextStone: Int32Array;
  private readonly chainSize: Int32Array;
  private readonly chainLibs: Int32Array;
  /** Empty points as a dense list, with each point's index in it: O(1) add/remove, cheap random choice. */
  private readonly emptyList: Int32Array;
  private readonly emptyIndex: Int32Array;
  private emptyCount: number;
  /** Generation-stamped marks for de-duplicating liberties without clearing an array each time. */
  private readonly marks: Uint32Array;
  private markGeneration = 0;
  private hashLo = 0;
  private hashHi = 0;
  /** Position keys seen so far, for superko. Only kept when the rules ask for superko. */
  private history: Set<number> | null;

  constructor(size: number, rules: Partial<BoardRules> = {}) {
    if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
      throw new RangeError(`board size must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${size}`);
    }
    this.size = size;
    this.area = size * size;
    this.rules = { ...DEFAULT_RULES, ...rules };
    this.geo = geometry(size);
    this.keys = zobrist(size);
    const n = this.area;
    this.stones = new Uint8Array(n);
    this.chainHead = new Int32Array(n).fill(-1);
    this.nextStone = new Int32Array(n);
    this.chainSize = new Int32Array(n);
    this.chainLibs = new Int32Array(n);
    this.emptyList = new Int32Array(n);
    this.emptyIndex = new Int32Array(n);
    for (let p = 0; p < n; p++) {
      this.emptyList[p] = p;
      this.emptyIndex[p] = p;
    }
    this.emptyCount = n;
    this.marks = new Uint32Array(n);
    this.history = this.rules.ko === 'simple' ? null : new Set([this.historyKey()]);
  }

  // ---------------------------------------------------------------- queries

  colorAt(p: number): Color {
    return this.stones[p] as Color;
  }

  /** Exact liberty count of the chain at p (0 for an empty point). */
  liberties(p: number): number {
    const head = this.chainHead[p]!;
    return head < 0 ? 0 : this.chainLibs[head]!;
  }

  /** Number of stones in the chain at p (0 for an empty point). */
  chainLength(p: number): number {
    const head = this.chainHead[p]!;
    return head < 0 ? 0 : this.chainSize[head]!;
  }

  /** Representative point of the chain at p, -1 when empty. Two stones are connected iff heads are equal. */
  chainId(p: number): number {
    return this.chainHead[p]!;
  }

  /** The stones of the chain at p. Allocates: not for hot paths (use forEachChainStone). */
  chainStones(p: number): number[] {
    const out: number[] = [];
    this.forEachChainStone(p, (s) => out.push(s));
    return out;
  }

  forEachChainStone(p: number, visit: (stone: number) => void): void {
    if (this.chainHead[p]! < 0) return;
    let s = p;
    do {
      visit(s);
      s = this.nextStone[s]!;
    } while (s !== p);
  }

  /** The liberties of the chain at p, sorted. Allocates. */
  chainLiberties(p: number): number[] {
    const out: number[] = [];
    if (this.chainHead[p]! < 0) return out;
    const gen = this.nextMark();
    const { neighbors, neighborStart } = this.geo;
    this.forEachChainStone(p, (s) => {
      for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
        const q = neighbors[k]!;
        if (this.stones[q] === EMPTY && this.marks[q] !== gen) {
          this.marks[q] = gen;
          out.push(q);
        }
      }
    });
    return out.sort((a, b) => a - b);
  }

  neighborsOf(p: number): number[] {
    const { neighbors, neighborStart } = this.geo;
    return Array.from(neighbors.subarray(neighborStart[p]!, neighborStart[p + 1]!));
  }

  /** Number of empty points. */
  get emptyPoints(): number {
    return this.emptyCount;
  }

  /** The i-th empty point (0 <= i < emptyPoints), in no particular order. */
  emptyPointAt(i: number): number {
    return this.emptyList[i]!;
  }

  /** Zobrist key of the stones alone (positional superko). 53 bits, usable as a Set/Map key. */
  positionKey(): number {
    return (this.hashHi & 0x1fffff) * 4294967296 + (this.hashLo >>> 0);
  }

  /** Zobrist key of stones + player to move (situational superko, transposition tables). */
  get hash(): number {
    if (this.toPlay === BLACK) return this.positionKey();
    return ((this.hashHi ^ this.keys.toPlayHi) & 0x1fffff) * 4294967296 + ((this.hashLo ^ this.keys.toPlayLo) >>> 0);
  }

  /** The key superko compares: the stones, plus the player to move under situational superko. */
  private historyKey(): number {
    return this.rules.ko === 'situational' ? this.hash : this.positionKey();
  }

  /**
   * True when every orthogonal neighbour of the empty point p is a stone of `color`: a single-point eye
   * (possibly a false one). Random playouts never fill these.
   */
  isEyeLike(p: number, color: StoneColor): boolean {
    if (this.stones[p] !== EMPTY) return false;
    const { neighbors, neighborStart } = this.geo;
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      if (this.stones[neighbors[k]!] !== color) return false;
    }
    return true;
  }

  /**
   * Legality without superko: empty point, not the simple-ko point, not suicide (unless allowed).
   * Cheap (looks at the four neighbours only); the hot path of playouts.
   */
  isLegalIgnoringSuperko(p: number, color: StoneColor = this.toPlay): boolean {
    if (this.stones[p] !== EMPTY) return false;
    if (p === this.koPoint && color === this.koColor) return false;
    return this.rules.suicide || this.hasLibertyAfter(p, color);
  }

  /** True when a stone of `color` at the empty point p would have a liberty (not suicide). */
  hasLibertyAfter(p: number, color: StoneColor): boolean {
    const { neighbors, neighborStart } = this.geo;
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      const c = this.stones[q]!;
      if (c === EMPTY) return true;
      const libs = this.chainLibs[this.chainHead[q]!]!;
      // A friendly chain with another liberty keeps the new stone alive; an enemy chain in atari is captured.
      if (c === color ? libs > 1 : libs === 1) return true;
    }
    return false;
  }

  /**
   * One pass over p's neighbours deciding both "not the mover's own eye" and "not suicide", plus the ko
   * point: the playout's candidate test, fused because it runs for almost every empty point each move.
   */
  private isPlayoutCandidate(p: number, color: StoneColor): boolean {
    if (p === this.koPoint && color === this.koColor) return false;
    const stones = this.stones;
    const neighbors = this.geo.neighbors;
    const end = this.geo.neighborStart[p + 1]!;
    let hasLiberty = false;
    let ownEye = true;
    for (let k = this.geo.neighborStart[p]!; k < end; k++) {
      const q = neighbors[k]!;
      const c = stones[q]!;
      if (c === EMPTY) return true; // a liberty, and not an eye
      const libs = this.chainLibs[this.chainHead[q]!]!;
      if (c === color) {
        if (libs > 1) hasLiberty = true;
      } else {
        if (libs === 1) return true; // captures, and not an eye
        ownEye = false;
      }
    }
    return hasLiberty && !ownEye;
  }

  /**
   * A uniformly random move for `color` among the empty points that are legal under simple ko, are not
   * suicide (even where the rules allow it) and do not fill the mover's own single-point eye; PASS when
   * there is none. Superko is not checked (random playouts ignore it). Rejected candidates are swapped to
   * the end of the empty list, so each draw is uniform over the candidates not yet rejected, and nothing
   * is allocated.
   */
  randomMove(rng: Rng, color: StoneColor = this.toPlay): Move {
    const list = this.emptyList;
    const index = this.emptyIndex;
    let k = this.emptyCount;
    while (k > 0) {
      const i = rng.int(k);
      const p = list[i]!;
      if (this.isPlayoutCandidate(p, color)) return p;
      k--;
      const q = list[k]!;
      list[i] = q;
      index[q] = i;
      list[k] = p;
      index[p] = k;
    }
    return PASS;
  }

  /** Full legality, superko included. PASS is always legal. */
  isLegal(move: Move, color: StoneColor = this.toPlay): boolean {
    return this.illegalReason(move, color) === null;
  }

  illegalReason(move: Move, color: StoneColor = this.toPlay): IllegalMoveError['reason'] | null {
    if (move === PASS) return null;
    if (!Number.isInteger(move) || move < 0 || move >= this.area) return 'off-board';
    if (this.stones[move] !== EMPTY) return 'occupied';
    if (move === this.koPoint && color === this.koColor) return 'ko';
    if (!this.isLegalIgnoringSuperko(move, color)) return 'suicide';
    if (this.history !== null && this.history.has(this.keyAfter(move, color))) return 'superko';
    return null;
  }

  /** All legal moves for `color` (points only; PASS is always legal too). Allocates. */
  legalMoves(color: StoneColor = this.toPlay): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.area; p++) if (this.isLegal(p, color)) out.push(p);
    return out;
  }

  // ---------------------------------------------------------------- moves

  /** Plays a move (a point or PASS) for `color`, which need not be the player to move. Throws if illegal. */
  play(move: Move, color: StoneColor = this.toPlay): void {
    const reason = this.illegalReason(move, color);
    if (reason !== null) throw new IllegalMoveError(move, reason);
    this.playLegal(move, color);
  }

  /** Plays the move if legal and returns true; returns false (board unchanged) otherwise. */
  tryPlay(move: Move, color: StoneColor = this.toPlay): boolean {
    if (this.illegalReason(move, color) !== null) return false;
    this.playLegal(move, color);
    return true;
  }

  /**
   * Plays a move already known to be legal (e.g. checked with isLegalIgnoringSuperko under simple ko).
   * No checks: the hot path of playouts and tree descent.
   */
  playLegal(move: Move, color: StoneColor): void {
    this.moveNumber++;
    this.lastMove = move;
    this.toPlay = opponent(color);
    if (move === PASS) {
      this.passes++;
      this.koPoint = -1;
      this.koColor = EMPTY;
      this.history?.add(this.historyKey());
      return;
    }
    this.passes = 0;
    const p = move;
    const enemy = opponent(color);
    const { neighbors, neighborStart } = this.geo;
    const start = neighborStart[p]!;
    const end = neighborStart[p + 1]!;

    this.addStone(p, color);
    this.chainLibs[p] = this.takeLiberty(p);

    // Merge with friendly chains.
    for (let k = start; k < end; k++) {
      const q = neighbors[k]!;
      if (this.stones[q] === color) this.merge(p, q);
    }

    // Capture enemy chains left without liberties.
    let captured = 0;
    let lastCaptured = -1;
    for (let k = start; k < end; k++) {
      const q = neighbors[k]!;
      if (this.stones[q] === enemy && this.chainLibs[this.chainHead[q]!] === 0) {
        lastCaptured = q;
        captured += this.removeChain(q);
      }
    }
    this.captures[color] += captured;

    // Suicide (only reachable when the rules allow it): the mover's own chain goes.
    const ownHead = this.chainHead[p]!;
    if (this.chainLibs[ownHead] === 0) {
      this.captures[enemy] += this.removeChain(p);
    }

    // Simple ko: one stone captured by a lone stone now in atari.
    if (captured === 1 && this.chainHead[p] === p && this.chainSize[p] === 1 && this.chainLibs[p] === 1) {
      this.koPoint = lastCaptured;
      this.koColor = enemy;
    } else {
      this.koPoint = -1;
      this.koColor = EMPTY;
    }
    this.history?.add(this.historyKey());
  }

  /** Makes this board an exact copy of `other` (same size), reusing its arrays. */
  copyFrom(other: Board): void {
    if (other.size !== this.size) throw new RangeError('copyFrom: board sizes differ');
    this.stones.set(other.stones);
    this.chainHead.set(other.chainHead);
    this.nextStone.set(other.nextStone);
    this.chainSize.set(other.chainSize);
    this.chainLibs.set(other.chainLibs);
    this.emptyList.set(other.emptyList);
    this.emptyIndex.set(other.emptyIndex);
    this.emptyCount = other.emptyCount;
    this.captures.set(other.captures);
    this.toPlay = other.toPlay;
    this.koPoint = other.koPoint;
    this.koColor = other.koColor;
    this.passes = other.passes;
    this.moveNumber = other.moveNumber;
    this.lastMove = other.lastMove;
    this.hashLo = other.hashLo;
    this.hashHi = other.hashHi;
    (this as { rules: BoardRules }).rules = other.rules;
    this.history = other.history === null ? null : new Set(other.history);
  }

  copy(): Board {
    const b = new Board(this.size, this.rules);
    b.copyFrom(this);
    return b;
  }

  /**
   * Puts a stone down outside the move sequence (handicap, SGF setup). Captures nothing; the caller
   * guarantees the point is empty. Does not change the player to move or the move number.
   */
  placeSetupStone(p: number, color: StoneColor): void {
    if (p < 0 || p >= this.area || this.stones[p] !== EMPTY) {
      throw new IllegalMoveError(p, p < 0 || p >= this.area ? 'off-board' : 'occupied');
    }
    const { neighbors, neighborStart } = this.geo;
    this.addStone(p, color);
    this.chainLibs[p] = this.takeLiberty(p);
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      if (this.stones[q] === color) this.merge(p, q);
    }
    // Setup may leave a chain without liberties (a malformed SGF); such stones are removed so the
    // board's invariants (every chain has a liberty) keep holding.
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      if (this.stones[q] !== EMPTY && this.chainLibs[this.chainHead[q]!] === 0) this.removeChain(q);
    }
    if (this.stones[p] !== EMPTY && this.chainLibs[this.chainHead[p]!] === 0) this.removeChain(p);
    this.koPoint = -1;
    this.koColor = EMPTY;
    this.history?.add(this.historyKey());
  }

  /** Text diagram, row 0 on top: `X` black, `O` white, `.` empty. */
  toString(): string {
    const rows: string[] = [];
    for (let r = 0; r < this.size; r++) {
      let line = '';
      for (let c = 0; c < this.size; c++) {
        const s = this.stones[r * this.size + c];
        line += s === BLACK ? 'X' : s === WHITE ? 'O' : '.';
      }
      rows.push(line);
    }
    return rows.join('\n');
  }

  /**
   * Recomputes chains and liberties from the stones alone and throws if the incremental state differs.
   * For tests (the property test) and debugging.
   */
  checkInvariants(): void {
    const n = this.area;
    const { neighbors, neighborStart } = this.geo;
    const seen = new Int32Array(n).fill(-1);
    let emptyTotal = 0;
    for (let p = 0; p < n; p++) {
      if (this.stones[p] === EMPTY) {
        emptyTotal++;
        if (this.chainHead[p] !== -1) throw new Error(`empty point ${p} has a chain`);
        if (this.emptyList[this.emptyIndex[p]!] !== p || this.emptyIndex[p]! >= this.emptyCount) {
          throw new Error(`empty list misses ${p}`);
        }
        continue;
      }
      if (seen[p] !== -1) continue;
      // Flood fill the chain from p.
      const color = this.stones[p]!;
      const stack = [p];
      const members: number[] = [];
      const libs = new Set<number>();
      seen[p] = p;
      while (stack.length > 0) {
        const s = stack.pop()!;
        members.push(s);
        for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
          const q = neighbors[k]!;
          if (this.stones[q] === EMPTY) libs.add(q);
          else if (this.stones[q] === color && seen[q] === -1) {
            seen[q] = p;
            stack.push(q);
          }
        }
      }
      const head = this.chainHead[p]!;
      for (const s of members) {
        if (this.chainHead[s] !== head) throw new Error(`stone ${s} not in chain ${head}`);
      }
      if (this.chainSize[head] !== members.length) {
        throw new Error(`chain ${head}: size ${this.chainSize[head]} != ${members.length}`);
      }
      if (this.chainLibs[head] !== libs.size) {
        throw new Error(`chain ${head}: liberties ${this.chainLibs[head]} != ${libs.size}`);
      }
      if (libs.size === 0) throw new Error(`chain ${head} has no liberties`);
      let count = 0;
      let s = head;
      do {
        count++;
        s = this.nextStone[s]!;
      } while (s !== head && count <= n);
      if (count !== members.length) throw new Error(`chain ${head}: linked list has ${count} stones`);
    }
    if (emptyTotal !== this.emptyCount) throw new Error(`empty count ${this.emptyCount} != ${emptyTotal}`);
    let lo = 0;
    let hi = 0;
    for (let p = 0; p < n; p++) {
      const c = this.stones[p]!;
      if (c !== EMPTY) {
        lo ^= this.keys.lo[p * 2 + c - 1]!;
        hi ^= this.keys.hi[p * 2 + c - 1]!;
      }
    }
    if (lo !== this.hashLo || hi !== this.hashHi) throw new Error('zobrist hash differs from recomputation');
  }

  // ---------------------------------------------------------------- internals

  private nextMark(): number {
    this.markGeneration = (this.markGeneration + 1) >>> 0;
    if (this.markGeneration === 0) {
      this.marks.fill(0);
      this.markGeneration = 1;
    }
    return this.markGeneration;
  }

  /**
   * The new stone at p stops being a liberty of each distinct neighbouring chain. Returns the number of
   * empty neighbours (the new stone's own liberties). Distinct chains are told apart with three locals
   * (a point has at most four neighbours, and the fourth distinct one need not be remembered).
   */
  private takeLiberty(p: number): number {
    const neighbors = this.geo.neighbors;
    const end = this.geo.neighborStart[p + 1]!;
    const stones = this.stones;
    const chainHead = this.chainHead;
    let libs = 0;
    let h0 = -1;
    let h1 = -1;
    let h2 = -1;
    for (let k = this.geo.neighborStart[p]!; k < end; k++) {
      const q = neighbors[k]!;
      if (stones[q] === EMPTY) {
        libs++;
        continue;
      }
      const head = chainHead[q]!;
      if (head === h0 || head === h1 || head === h2) continue;
      if (h0 < 0) h0 = head;
      else if (h1 < 0) h1 = head;
      else h2 = head;
      this.chainLibs[head]!--;
    }
    return libs;
  }

  /** The emptied point p becomes a liberty of each distinct neighbouring chain (see takeLiberty). */
  private giveLiberty(p: number): void {
    const neighbors = this.geo.neighbors;
    const end = this.geo.neighborStart[p + 1]!;
    const stones = this.stones;
    const chainHead = this.chainHead;
    let h0 = -1;
    let h1 = -1;
    let h2 = -1;
    for (let k = this.geo.neighborStart[p]!; k < end; k++) {
      const q = neighbors[k]!;
      if (stones[q] === EMPTY) continue;
      const head = chainHead[q]!;
      if (head === h0 || head === h1 || head === h2) continue;
      if (h0 < 0) h0 = head;
      else if (h1 < 0) h1 = head;
      else h2 = head;
      this.chainLibs[head]!++;
    }
  }

  private addStone(p: number, color: StoneColor): void {
    this.stones[p] = color;
    this.chainHead[p] = p;
    this.nextStone[p] = p;
    this.chainSize[p] = 1;
    this.chainLibs[p] = 0;
    // Remove p from the empty list by moving the last entry into its slot.
    const i = this.emptyIndex[p]!;
    const last = this.emptyList[--this.emptyCount]!;
    this.emptyList[i] = last;
    this.emptyIndex[last] = i;
    this.emptyList[this.emptyCount] = p;
    this.emptyIndex[p] = this.emptyCount;
    const key = p * 2 + color - 1;
    this.hashLo ^= this.keys.lo[key]!;
    this.hashHi ^= this.keys.hi[key]!;
  }

  /**
   * Merges the chains at a and b (same colour). The larger keeps its head; the smaller's liberties that
   * the larger did not already have are added, found by looking at each liberty's neighbours.
   */
  private merge(a: number, b: number): void {
    let big = this.chainHead[a]!;
    let small = this.chainHead[b]!;
    if (big === small) return;
    if (this.chainSize[big]! < this.chainSize[small]!) {
      const t = big;
      big = small;
      small = t;
    }
    const { neighbors, neighborStart } = this.geo;
    const gen = this.nextMark();
    let added = 0;
    let s = small;
    do {
      for (let k = neighborStart[s]!; k < neighborStart[s + 1]!; k++) {
        const e = neighbors[k]!;
        if (this.stones[e] !== EMPTY || this.marks[e] === gen) continue;
        this.marks[e] = gen;
        let shared = false;
        for (let j = neighborStart[e]!; j < neighborStart[e + 1]!; j++) {
          if (this.chainHead[neighbors[j]!] === big) {
            shared = true;
            break;
          }
        }
        if (!shared) added++;
      }
      s = this.nextStone[s]!;
    } while (s !== small);
    // Relabel the small chain and splice the two circular lists together.
    s = small;
    do {
      this.chainHead[s] = big;
      s = this.nextStone[s]!;
    } while (s !== small);
    const bigNext = this.nextStone[big]!;
    this.nextStone[big] = this.nextStone[small]!;
    this.nextStone[small] = bigNext;
    this.chainSize[big]! += this.chainSize[small]!;
    this.chainLibs[big]! += added;
  }

  /** Removes the chain at p from the board; each neighbouring chain gains one liberty per freed point. */
  private removeChain(p: number): number {
    const head = this.chainHead[p]!;
    const color = this.stones[p]!;
    const count = this.chainSize[head]!;
    const { neighbors, neighborStart } = this.geo;
    // First pass: clear the stones, so the second pass sees the freed points as empty.
    let s = head;
    do {
      this.stones[s] = EMPTY;
      this.chainHead[s] = -1;
      const key = s * 2 + color - 1;
      this.hashLo ^= this.keys.lo[key]!;
      this.hashHi ^= this.keys.hi[key]!;
      this.emptyList[this.emptyCount] = s;
      this.emptyIndex[s] = this.emptyCount++;
      s = this.nextStone[s]!;
    } while (s !== head);
    // Second pass: every freed point is a new liberty of each distinct adjacent chain.
    s = head;
    do {
      this.giveLiberty(s);
      s = this.nextStone[s]!;
    } while (s !== head);
    return count;
  }

  /** Position key after `color` plays at the empty point p, computed without playing (superko checks). */
  private keyAfter(p: number, color: StoneColor): number {
    const { neighbors, neighborStart } = this.geo;
    let lo = this.hashLo ^ this.keys.lo[p * 2 + color - 1]!;
    let hi = this.hashHi ^ this.keys.hi[p * 2 + color - 1]!;
    const enemy = opponent(color);
    let capturesSomething = false;
    let hasLiberty = false;
    const gen = this.nextMark();
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      const c = this.stones[q]!;
      if (c === EMPTY) {
        hasLiberty = true;
        continue;
      }
      const head = this.chainHead[q]!;
      if (c === color) {
        if (this.chainLibs[head]! > 1) hasLiberty = true;
        continue;
      }
      if (this.chainLibs[head] === 1 && this.marks[head] !== gen) {
        this.marks[head] = gen;
        capturesSomething = true;
        let s = head;
        do {
          lo ^= this.keys.lo[s * 2 + enemy - 1]!;
          hi ^= this.keys.hi[s * 2 + enemy - 1]!;
          s = this.nextStone[s]!;
        } while (s !== head);
      }
    }
    if (!capturesSomething && !hasLiberty) {
      // Suicide (rules allow it): the new stone and every friendly neighbour chain disappear.
      lo ^= this.keys.lo[p * 2 + color - 1]!;
      hi ^= this.keys.hi[p * 2 + color - 1]!;
      const gen2 = this.nextMark();
      for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
        const q = neighbors[k]!;
        if (this.stones[q] !== color) continue;
        const head = this.chainHead[q]!;
        if (this.marks[head] === gen2) continue;
        this.marks[head] = gen2;
        let s = head;
        do {
          lo ^= this.keys.lo[s * 2 + color - 1]!;
          hi ^= this.keys.hi[s * 2 + color - 1]!;
          s = this.nextStone[s]!;
        } while (s !== head);
      }
    }
    const positional = (hi & 0x1fffff) * 4294967296 + (lo >>> 0);
    if (this.rules.ko !== 'situational') return positional;
    // Situational: after `color` moves, `enemy` is to move; fold that into the key the history stores.
    return enemy === BLACK ? positional : ((hi ^ this.keys.toPlayHi) & 0x1fffff) * 4294967296 + ((lo ^ this.keys.toPlayLo) >>> 0);
  }
}
