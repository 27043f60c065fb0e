/**
 * The Go board: stones, chains, exact liberty counts and Zobrist hashes, updated incrementally.
 *
 * Layout: flat typed arrays indexed by point `p = row * size + col` (row 0 on top). Every chain is a
 * circular linked list through `nextStone`; `chainHead[p]` names the chain's representative, which owns the
 * chain's stone count and exact liberty count. Playing a stone touches only the chains next to it, so a
 * move costs O(size of the smaller merged/captured chains), with no allocation.
 *
 * Speed notes (playouts run millions of moves a second through playLegal/randomMove): `stones` is a view of
 * `cell`, which has one extra BORDER cell at index `area`; every point has four neighbour slots
 * (geometry.neighbor4) with off-board ones pointing at that cell, so neighbour loops run exactly four steps.
 * Hot methods copy fields into locals first and write colours as literals (0 empty, 3 border): V8 re-checks
 * a field or an imported binding at every use inside a loop, which made up most of a move's cost.
 */
import { BLACK, EMPTY, PASS, WHITE, opponent, type Color, type Move, type StoneColor } from './color.js';
import { geometry, type Geometry } from './geometry.js';
import { DEFAULT_RULES, type BoardRules } from './rules.js';
import { nextGeneration } from './stamps.js';
import type { RecentPositions } from './recent-positions.js';
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

/** Colour of the border cell (off-board neighbours): neither empty nor a stone. Literal 3 in hot loops. */
const BORDER = 3;
/** Liberty count stored for the border cell's pseudo-chain: never 1 (never "in atari"). */
const BORDER_LIBERTIES = 1 << 20;

/**
 * Read-only views of a board's chain bookkeeping, for allocation-free hot loops outside the engine (the
 * rollout policy's pattern features read them for every point they refresh): `head[p]` is the chain at p
 * (-1 when p is empty), `liberties[head]` and `size[head]` its exact liberty and stone counts, `next[s]` the
 * next stone of s's chain (a cycle through all of them). The arrays belong to the board, which updates them
 * in place with every move; never write to them.
 */
export interface ChainTables {
  readonly head: Int32Array;
  readonly liberties: Int32Array;
  readonly size: Int32Array;
  readonly next: Int32Array;
}

export const MIN_SIZE = 2;
export const MAX_SIZE = 25;

export class Board {
  // Fields without an initializer are `declare`d so that no `field = undefined` is emitted ahead of the
  // constructor (ES2022 class fields): a field that first held undefined loses V8's type tracking, and
  // every typed-array access through it then re-checks the array's map.
  declare readonly size: number;
  declare readonly area: number;
  declare readonly rules: BoardRules;
  /** Contents of each point: EMPTY, BLACK or WHITE. Read-only for callers. */
  declare readonly stones: Uint8Array;
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

  private declare readonly geo: Geometry;
  /** Points plus one BORDER cell at index `area`; `stones` is a view of its first `area` entries. */
  private declare readonly cell: Uint8Array;
  /** Four neighbour slots per point, off-board ones = area (the border cell). */
  private declare readonly nbr: Int32Array;
  private declare readonly keys: ZobristTable;
  private declare readonly chainHead: Int32Array;
  private declare readonly nextStone: Int32Array;
  private declare readonly chainSize: Int32Array;
  private declare readonly chainLibs: Int32Array;
  /** chainHead, chainLibs, chainSize and nextStone, read-only, for hot loops outside the engine. */
  declare readonly chains: ChainTables;
  /** Empty points as a dense list, with each point's index in it: O(1) add/remove, cheap random choice. */
  private declare readonly emptyList: Int32Array;
  private declare readonly emptyIndex: Int32Array;
  private declare emptyCount: number;
  /**
   * randomMove reorders emptyList without updating emptyIndex (two stores fewer per rejected candidate) and
   * sets this; the index is rebuilt the first time a move needs it (see addStone). `pickedSlot` is where
   * randomMove found its move, so that playing it needs no index at all.
   */
  private emptyIndexStale = false;
  private pickedSlot = 0;
  /** Generation-stamped marks for de-duplicating liberties without clearing an array each time. */
  private declare readonly marks: Uint32Array;
  /**
   * Per point, its neighbours by colour packed as `empty + 8 * black + 64 * white` (border neighbours are
   * the rest of four). Lets randomMove accept a point with an empty neighbour, or reject one surrounded by
   * the mover's own stones, from one load instead of four neighbour lookups. Index `area` (the border cell)
   * is scratch.
   */
  private declare readonly neighborCounts: Int32Array;
  private markGeneration = 0;
  private hashLo = 0;
  private hashHi = 0;
  /**
   * False while incremental hashing is suspended (suspendHashing): hashLo/hashHi are then stale, and the
   * next read of the hash recomputes them and turns this back on.
   */
  private hashing = true;
  /** Position keys seen so far, for superko. Only kept when the rules ask for superko. */
  private declare history: Set<number> | null;

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
    this.nbr = this.geo.neighbor4;
    this.cell = new Uint8Array(n + 1);
    this.cell[n] = BORDER;
    this.stones = this.cell.subarray(0, n);
    // The border cell has a head that is never a real chain's (heads are < area), so "same chain" tests
    // against it fail without a branch.
    this.chainHead = new Int32Array(n + 1).fill(-1);
    this.chainHead[n] = n;
    this.nextStone = new Int32Array(n);
    this.chainSize = new Int32Array(n);
    // One extra entry for the border cell's "chain" (head = area): a liberty count that is never 1, so
    // randomMove can ask "is a neighbouring chain in atari" of off-board neighbours without a colour test.
    this.chainLibs = new Int32Array(n + 1);
    this.chainLibs[n] = BORDER_LIBERTIES;
    this.emptyList = new Int32Array(n);
    this.emptyIndex = new Int32Array(n);
    for (let p = 0; p < n; p++) {
      this.emptyList[p] = p;
      this.emptyIndex[p] = p;
    }
    this.emptyCount = n;
    this.marks = new Uint32Array(n);
    this.neighborCounts = new Int32Array(n + 1);
    for (let k = 0; k < n * 4; k++) if (this.nbr[k]! < n) this.neighborCounts[k >> 2]!++;
    this.history = this.rules.ko === 'simple' ? null : new Set([this.historyKey()]);
    this.chains = { head: this.chainHead, liberties: this.chainLibs, size: this.chainSize, next: this.nextStone };
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
    if (!this.hashing) this.resumeHashing();
    return (this.hashHi & 0x1fffff) * 4294967296 + (this.hashLo >>> 0);
  }

  /** Zobrist key of stones + player to move (situational superko, transposition tables). */
  get hash(): number {
    if (this.toPlay === BLACK) return this.positionKey();
    if (!this.hashing) this.resumeHashing();
    return ((this.hashHi ^ this.keys.toPlayHi) & 0x1fffff) * 4294967296 + ((this.hashLo ^ this.keys.toPlayLo) >>> 0);
  }

  /**
   * Stops updating the Zobrist hash move by move until it is next read (hash, positionKey, superko checks),
   * which then recomputes it from the stones. For random playouts, which play hundreds of moves and read
   * no hash. No effect on a board that keeps a superko history (it reads the hash after every move).
   */
  suspendHashing(): void {
    if (this.history === null) this.hashing = false;
  }

  /** Recomputes the hash from the stones and updates it incrementally again. */
  private resumeHashing(): void {
    const { lo, hi } = this.stoneHash();
    this.hashLo = lo;
    this.hashHi = hi;
    this.hashing = true;
  }

  /** The Zobrist hash of the stones, computed from scratch. */
  private stoneHash(): { lo: number; hi: number } {
    let lo = 0;
    let hi = 0;
    for (let p = 0; p < this.area; p++) {
      const c = this.stones[p]!;
      if (c !== EMPTY) {
        lo ^= this.keys.lo[p * 2 + c - 1]!;
        hi ^= this.keys.hi[p * 2 + c - 1]!;
      }
    }
    return { lo, hi };
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
    const cell = this.cell;
    if (cell[p] !== 0) return false;
    const nbr = this.nbr;
    const base = p << 2;
    for (let k = base; k < base + 4; k++) {
      const c = cell[nbr[k]!]!;
      if (c !== color && c !== 3) return false;
    }
    return true;
  }

  /**
   * Legality without superko: empty point, not the simple-ko point, not suicide (unless allowed).
   * Cheap (looks at the four neighbours only); the hot path of playouts.
   */
  isLegalIgnoringSuperko(p: number, color: StoneColor = this.toPlay): boolean {
    if (this.cell[p] !== 0) return false;
    if (p === this.koPoint && color === this.koColor) return false;
    return this.rules.suicide || this.hasLibertyAfter(p, color);
  }

  /** True when a stone of `color` at the empty point p would have a liberty (not suicide). */
  hasLibertyAfter(p: number, color: StoneColor): boolean {
    const cell = this.cell;
    const nbr = this.nbr;
    const chainHead = this.chainHead;
    const chainLibs = this.chainLibs;
    const base = p << 2;
    for (let k = base; k < base + 4; k++) {
      const q = nbr[k]!;
      const c = cell[q]!;
      if (c === 0) return true;
      if (c === 3) continue;
      const libs = chainLibs[chainHead[q]!]!;
      // A friendly chain with another liberty keeps the new stone alive; an enemy chain in atari is captured.
      if (c === color ? libs > 1 : libs === 1) return true;
    }
    return false;
  }

  /**
   * A uniformly random move for `color` among the empty points that are legal under simple ko, are not
   * suicide (even where the rules allow it) and do not fill the mover's own single-point eye; PASS when
   * there is none. Superko is not checked (random playouts ignore it). Rejected candidates are swapped to
   * the end of the empty list, so each draw is uniform over the candidates not yet rejected, and nothing
   * is allocated.
   *
   * With `recent`, a capture into a point with no empty neighbour (the shape of a ko) that would recreate
   * one of those positions is refused too: a bounded positional superko that stops multi-ko cycles.
   *
   * The candidate test (ko point; neighbour counts; only with enemy stones and no empty point around, a pass
   * over the four neighbours' chains) is written inline: it runs for almost every empty point each move.
   */
  randomMove(rng: Rng, color: StoneColor = this.toPlay, recent: RecentPositions | null = null): Move {
    const list = this.emptyList;
    const cell = this.cell;
    const nbr = this.nbr;
    const chainHead = this.chainHead;
    const chainLibs = this.chainLibs;
    const counts = this.neighborCounts;
    const ownShift = color === 1 ? 3 : 6;
    const enemyShift = 9 - ownShift;
    const koPoint = color === this.koColor ? this.koPoint : -1;
    let k = this.emptyCount;
    // One draw from `rng` per move; the redraws after a rejected candidate step a local xorshift32 from it
    // (a field-free step, where rng.int costs a load and store of each of its four state words).
    let r = rng.nextU32() | 0;
    if (r === 0) r = 0x6d2b79f5; // xorshift32 never leaves 0
    let chosen = PASS;
    draw: while (k > 0) {
      // floor(r * k / 2^32) for r as unsigned, in 32-bit integer arithmetic (as Rng.int; k < 2^16).
      const i = ((Math.imul(r >>> 16, k) + (Math.imul(r & 0xffff, k) >>> 16)) | 0) >>> 16;
      const p = list[i]!;
      const around = counts[p]!;
      if ((around & 7) !== 0) {
        // An empty neighbour: a liberty, and not an eye.
        chosen = p;
        this.pickedSlot = i;
        break;
      }
      // No empty neighbour. Only the mover's stones (and the edge) around: its own eye, never filled. (The
      // ko point is tested only here: it never has an empty neighbour, being surrounded by the capturing
      // stone and the captured stone's other neighbours.)
      if (((around >> enemyShift) & 7) !== 0 && p !== koPoint) {
        // Enemy stones around: legal (and not an eye) when it captures or joins a chain with a liberty.
        // The four neighbours are written out (no loop: fewer instructions in V8).
        let hasLiberty = false;
        let candidate = false;
        const base = p << 2;
        if (((around >> ownShift) & 7) === 0) {
          // Only enemy stones and the edge around (the usual case: the opponent's eye): legal only as a
          // capture. The edge's pseudo-chain is never in atari, so no colour test is needed.
          candidate =
            chainLibs[chainHead[nbr[base]!]!] === 1 ||
            chainLibs[chainHead[nbr[base + 1]!]!] === 1 ||
            chainLibs[chainHead[nbr[base + 2]!]!] === 1 ||
            chainLibs[chainHead[nbr[base + 3]!]!] === 1;
        } else {
          neighbors: {
            const q0 = nbr[base]!;
            const c0 = cell[q0]!;
            if (c0 !== 3) {
              const libs = chainLibs[chainHead[q0]!]!;
              if (c0 === color) hasLiberty = libs > 1;
              else if (libs === 1) {
                candidate = true; // captures
                break neighbors;
              }
            }
            const q1 = nbr[base + 1]!;
            const c1 = cell[q1]!;
            if (c1 !== 3) {
              const libs = chainLibs[chainHead[q1]!]!;
              if (c1 === color) {
                if (libs > 1) hasLiberty = true;
              } else if (libs === 1) {
                candidate = true;
                break neighbors;
              }
            }
            const q2 = nbr[base + 2]!;
            const c2 = cell[q2]!;
            if (c2 !== 3) {
              const libs = chainLibs[chainHead[q2]!]!;
              if (c2 === color) {
                if (libs > 1) hasLiberty = true;
              } else if (libs === 1) {
                candidate = true;
                break neighbors;
              }
            }
            const q3 = nbr[base + 3]!;
            const c3 = cell[q3]!;
            if (c3 !== 3) {
              const libs = chainLibs[chainHead[q3]!]!;
              if (c3 === color) {
                if (libs > 1) hasLiberty = true;
              } else if (libs === 1) candidate = true;
            }
          }
        }
        if (candidate) {
          // A capture with no empty point around (a ko shape): refused when it recreates a recent position.
          if (recent === null || !this.recreatesPosition(p, color, recent)) {
            chosen = p;
            this.pickedSlot = i;
            break draw;
          }
        } else if (hasLiberty) {
          chosen = p;
          this.pickedSlot = i;
          break;
        }
      }
      k--;
      list[i] = list[k]!;
      list[k] = p;
      r ^= r << 13;
      r ^= r >>> 17;
      r ^= r << 5;
    }
    if (k !== this.emptyCount) this.emptyIndexStale = true;
    return chosen;
  }

  /**
   * True when `color` playing at the empty point p would recreate one of the positions in `seen` (stones
   * only, Board.positionKey): the positional superko check that random playouts (a RecentPositions window)
   * and the rollout policy (a PositionSet of the rollout's ko-capture positions) apply to break multi-ko
   * cycles. Only a capture can bring an earlier position back in such a cycle, so callers ask for captures.
   */
  recreatesPosition(p: number, color: StoneColor, seen: { has(key: number): boolean }): boolean {
    return seen.has(this.keyAfter(p, color, true));
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
    const enemy = (3 - color) as StoneColor;
    this.moveNumber++;
    this.lastMove = move;
    this.toPlay = enemy;
    if (move < 0) {
      this.passes++;
      this.koPoint = -1;
      this.koColor = 0;
      if (this.history !== null) this.history.add(this.historyKey());
      return;
    }
    this.passes = 0;
    const p = move;
    const cell = this.cell;
    const nbr = this.nbr;
    const chainHead = this.chainHead;
    const chainLibs = this.chainLibs;
    const base = p << 2;

    // Neighbour colours before the stone goes down: its liberties are its empty neighbours.
    const around = this.neighborCounts[p]!;
    this.addStone(p, color);
    chainLibs[p] = around & 7;
    let captured = 0;
    let lastCaptured = -1;
    if (around >> 3 !== 0) {
      // Stones around. The new stone stops being a liberty of each distinct neighbouring chain. The four
      // neighbours are written out one by one (a loop over them cost a fifth more instructions in V8), each
      // compared with the heads of the neighbours before it to skip a chain already counted.
      const ownShift = color === 1 ? 3 : 6;
      let friendChains = 0;
      let friend = -1;
      // Bit j set: neighbour j's chain (distinct from the others) lost its last liberty.
      let capturing = 0;
      const q0 = nbr[base]!;
      const c0 = cell[q0]!;
      let h0 = -1;
      if (c0 === 1 || c0 === 2) {
        h0 = chainHead[q0]!;
        const left = chainLibs[h0]! - 1;
        chainLibs[h0] = left;
        if (c0 === color) {
          friendChains = 1;
          friend = h0;
        } else if (left === 0) capturing = 1;
      }
      const q1 = nbr[base + 1]!;
      const c1 = cell[q1]!;
      let h1 = -1;
      if (c1 === 1 || c1 === 2) {
        h1 = chainHead[q1]!;
        if (h1 !== h0) {
          const left = chainLibs[h1]! - 1;
          chainLibs[h1] = left;
          if (c1 === color) {
            friendChains++;
            friend = h1;
          } else if (left === 0) capturing |= 2;
        }
      }
      const q2 = nbr[base + 2]!;
      const c2 = cell[q2]!;
      let h2 = -1;
      if (c2 === 1 || c2 === 2) {
        h2 = chainHead[q2]!;
        if (h2 !== h0 && h2 !== h1) {
          const left = chainLibs[h2]! - 1;
          chainLibs[h2] = left;
          if (c2 === color) {
            friendChains++;
            friend = h2;
          } else if (left === 0) capturing |= 4;
        }
      }
      const q3 = nbr[base + 3]!;
      const c3 = cell[q3]!;
      if (c3 === 1 || c3 === 2) {
        const h3 = chainHead[q3]!;
        if (h3 !== h0 && h3 !== h1 && h3 !== h2) {
          const left = chainLibs[h3]! - 1;
          chainLibs[h3] = left;
          if (c3 === color) {
            friendChains++;
            friend = h3;
          } else if (left === 0) capturing |= 8;
        }
      }

      // Merge with friendly chains.
      if (friendChains === 1) {
        // One friendly chain: the lone new stone joins it (as merge() would, the larger chain keeps its head;
        // on a tie of two lone stones, the new one).
        const chainSize = this.chainSize;
        const nextStone = this.nextStone;
        let big = friend;
        let small = p;
        if (chainSize[friend] === 1) {
          big = p;
          small = friend;
        }
        // (The new stone with no empty neighbour brings no liberty: no need to look.)
        const added = small === p && (around & 7) === 0 ? 0 : this.loneStoneNewLiberties(small, big, ownShift);
        chainHead[small] = big;
        const bigNext = nextStone[big]!;
        nextStone[big] = nextStone[small]!;
        nextStone[small] = bigNext;
        chainSize[big]!++;
        chainLibs[big]! += added;
      } else if (friendChains > 1) {
        for (let k = base; k < base + 4; k++) {
          const q = nbr[k]!;
          if (cell[q] === color) this.merge(p, q);
        }
      }

      // Capture enemy chains left without liberties.
      if (capturing !== 0) {
        if ((capturing & 1) !== 0) {
          lastCaptured = q0;
          captured = this.removeChain(q0);
        }
        if ((capturing & 2) !== 0) {
          lastCaptured = q1;
          captured += this.removeChain(q1);
        }
        if ((capturing & 4) !== 0) {
          lastCaptured = q2;
          captured += this.removeChain(q2);
        }
        if ((capturing & 8) !== 0) {
          lastCaptured = q3;
          captured += this.removeChain(q3);
        }
        this.captures[color] += captured;
      }
    }

    const ownHead = chainHead[p]!;
    if (chainLibs[ownHead] === 0) {
      // Suicide (only reachable when the rules allow it): the mover's own chain goes.
      this.captures[enemy] += this.removeChain(p);
      this.koPoint = -1;
      this.koColor = 0;
    } else if (captured === 1 && ownHead === p && this.chainSize[p] === 1 && chainLibs[p] === 1) {
      // Simple ko: one stone captured by a lone stone now in atari.
      this.koPoint = lastCaptured;
      this.koColor = enemy;
    } else {
      this.koPoint = -1;
      this.koColor = 0;
    }
    if (this.history !== null) this.history.add(this.historyKey());
  }

  /**
   * Makes this board an exact copy of `other` (same size), reusing its arrays. With `keepHistory` false
   * the copy leaves out the superko history (only simple ko is checked on it): for playouts and rollouts,
   * which stop cycles their own way and would otherwise copy the game's whole position set per playout
   * and hash and record every playout move.
   */
  copyFrom(other: Board, keepHistory = true): void {
    if (other.size !== this.size) throw new RangeError('copyFrom: board sizes differ');
    this.cell.set(other.cell);
    this.chainHead.set(other.chainHead);
    this.nextStone.set(other.nextStone);
    this.chainSize.set(other.chainSize);
    this.chainLibs.set(other.chainLibs);
    this.emptyList.set(other.emptyList);
    this.emptyIndex.set(other.emptyIndex);
    this.emptyIndexStale = other.emptyIndexStale;
    this.pickedSlot = other.pickedSlot;
    this.neighborCounts.set(other.neighborCounts);
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
    this.hashing = other.hashing;
    (this as { rules: BoardRules }).rules = other.rules;
    this.history = other.history === null || !keepHistory ? null : new Set(other.history);
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
        if (!this.emptyIndexStale && (this.emptyList[this.emptyIndex[p]!] !== p || this.emptyIndex[p]! >= this.emptyCount)) {
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
    for (let p = 0; p < n; p++) {
      let counts = 0;
      for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) counts += [1, 8, 64][this.stones[neighbors[k]!]!]!;
      if (counts !== this.neighborCounts[p]) throw new Error(`neighbour counts of ${p}: ${this.neighborCounts[p]} != ${counts}`);
    }
    if (emptyTotal !== this.emptyCount) throw new Error(`empty count ${this.emptyCount} != ${emptyTotal}`);
    const listed = new Uint8Array(n);
    for (let j = 0; j < this.emptyCount; j++) {
      const q = this.emptyList[j]!;
      if (this.stones[q] !== EMPTY || listed[q] === 1) throw new Error(`empty list holds ${q} wrongly`);
      listed[q] = 1;
    }
    const { lo, hi } = this.stoneHash();
    if (this.hashing && (lo !== this.hashLo || hi !== this.hashHi)) {
      throw new Error('zobrist hash differs from recomputation');
    }
  }

  // ---------------------------------------------------------------- internals

  private rebuildEmptyIndex(): void {
    const list = this.emptyList;
    const index = this.emptyIndex;
    for (let j = 0; j < this.emptyCount; j++) index[list[j]!] = j;
    this.emptyIndexStale = false;
  }

  private nextMark(): number {
    this.markGeneration = nextGeneration(this.marks, this.markGeneration);
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

  /**
   * The emptied point p becomes a liberty of each distinct neighbouring chain (see playLegal). The four
   * neighbours are written out, each compared with the heads before it (as in playLegal).
   */
  private giveLiberty(p: number): void {
    const nbr = this.nbr;
    const cell = this.cell;
    const chainHead = this.chainHead;
    const chainLibs = this.chainLibs;
    const base = p << 2;
    const q0 = nbr[base]!;
    const c0 = cell[q0]!;
    let h0 = -1;
    if (c0 === 1 || c0 === 2) {
      h0 = chainHead[q0]!;
      chainLibs[h0]!++;
    }
    const q1 = nbr[base + 1]!;
    const c1 = cell[q1]!;
    let h1 = -1;
    if (c1 === 1 || c1 === 2) {
      h1 = chainHead[q1]!;
      if (h1 !== h0) chainLibs[h1]!++;
    }
    const q2 = nbr[base + 2]!;
    const c2 = cell[q2]!;
    let h2 = -1;
    if (c2 === 1 || c2 === 2) {
      h2 = chainHead[q2]!;
      if (h2 !== h0 && h2 !== h1) chainLibs[h2]!++;
    }
    const q3 = nbr[base + 3]!;
    const c3 = cell[q3]!;
    if (c3 === 1 || c3 === 2) {
      const h3 = chainHead[q3]!;
      if (h3 !== h0 && h3 !== h1 && h3 !== h2) chainLibs[h3]!++;
    }
  }

  private addStone(p: number, color: StoneColor): void {
    this.cell[p] = color;
    // Each neighbour loses an empty neighbour and gains a `color` one (1 -> 8 or 64).
    const counts = this.neighborCounts;
    const nbr = this.nbr;
    const delta = color === 1 ? 7 : 63;
    const base = p << 2;
    counts[nbr[base]!]! += delta;
    counts[nbr[base + 1]!]! += delta;
    counts[nbr[base + 2]!]! += delta;
    counts[nbr[base + 3]!]! += delta;
    this.chainHead[p] = p;
    this.nextStone[p] = p;
    this.chainSize[p] = 1;
    // (The caller sets chainLibs[p].) Remove p from the empty list by moving the last entry into its slot;
    // entries past emptyCount are never read, so p itself need not be written there.
    const emptyList = this.emptyList;
    const emptyIndex = this.emptyIndex;
    let i = this.pickedSlot;
    if (i >= this.emptyCount || emptyList[i] !== p) {
      // Not the point randomMove just picked: look it up in the index.
      if (this.emptyIndexStale) this.rebuildEmptyIndex();
      i = emptyIndex[p]!;
    }
    const n = --this.emptyCount;
    const last = emptyList[n]!;
    emptyList[i] = last;
    emptyIndex[last] = i;
    if (this.hashing) {
      const key = p * 2 + color - 1;
      this.hashLo ^= this.keys.lo[key]!;
      this.hashHi ^= this.keys.hi[key]!;
    }
  }

  /**
   * The empty neighbours of the lone stone `stone` that are not yet liberties of chain `big` (the liberties
   * a merge adds). A lone stone's empty neighbours are distinct; one is certainly new when the stone is its
   * only neighbour of this colour (`ownShift` selects the colour's field of neighborCounts).
   */
  private loneStoneNewLiberties(stone: number, big: number, ownShift: number): number {
    const cell = this.cell;
    const counts = this.neighborCounts;
    const nbr = this.nbr;
    const chainHead = this.chainHead;
    const base = stone << 2;
    // Written out for the four neighbours (no loop, no call: fewer instructions in V8). An empty point with
    // a single neighbour of the chains' colour is certainly new; otherwise it is new unless it touches `big`.
    let added = 0;
    const e0 = nbr[base]!;
    if (cell[e0] === 0) {
      const b = e0 << 2;
      if (
        ((counts[e0]! >> ownShift) & 7) === 1 ||
        (chainHead[nbr[b]!] !== big &&
          chainHead[nbr[b + 1]!] !== big &&
          chainHead[nbr[b + 2]!] !== big &&
          chainHead[nbr[b + 3]!] !== big)
      ) {
        added++;
      }
    }
    const e1 = nbr[base + 1]!;
    if (cell[e1] === 0) {
      const b = e1 << 2;
      if (
        ((counts[e1]! >> ownShift) & 7) === 1 ||
        (chainHead[nbr[b]!] !== big &&
          chainHead[nbr[b + 1]!] !== big &&
          chainHead[nbr[b + 2]!] !== big &&
          chainHead[nbr[b + 3]!] !== big)
      ) {
        added++;
      }
    }
    const e2 = nbr[base + 2]!;
    if (cell[e2] === 0) {
      const b = e2 << 2;
      if (
        ((counts[e2]! >> ownShift) & 7) === 1 ||
        (chainHead[nbr[b]!] !== big &&
          chainHead[nbr[b + 1]!] !== big &&
          chainHead[nbr[b + 2]!] !== big &&
          chainHead[nbr[b + 3]!] !== big)
      ) {
        added++;
      }
    }
    const e3 = nbr[base + 3]!;
    if (cell[e3] === 0) {
      const b = e3 << 2;
      if (
        ((counts[e3]! >> ownShift) & 7) === 1 ||
        (chainHead[nbr[b]!] !== big &&
          chainHead[nbr[b + 1]!] !== big &&
          chainHead[nbr[b + 2]!] !== big &&
          chainHead[nbr[b + 3]!] !== big)
      ) {
        added++;
      }
    }
    return added;
  }

  /**
   * Merges the chains at a and b (same colour). The larger keeps its head; the smaller's liberties that
   * the larger did not already have are added. Each stone of the smaller chain is relabelled right after its
   * neighbours are looked at, so a liberty shared with an earlier stone of it is then seen as the larger
   * chain's and counted once, with no marks.
   */
  private merge(a: number, b: number): void {
    const chainHead = this.chainHead;
    const chainSize = this.chainSize;
    const nextStone = this.nextStone;
    let big = chainHead[a]!;
    let small = chainHead[b]!;
    if (big === small) return;
    if (chainSize[big]! < chainSize[small]!) {
      const t = big;
      big = small;
      small = t;
    }
    const ownShift = this.cell[a] === 1 ? 3 : 6;
    let added = 0;
    let s = small;
    do {
      // The stone's empty neighbours that `big` lacks (earlier stones of `small` already count as big's).
      added += this.loneStoneNewLiberties(s, big, ownShift);
      chainHead[s] = big;
      s = nextStone[s]!;
    } while (s !== small);
    // Splice the two circular lists together.
    const bigNext = nextStone[big]!;
    nextStone[big] = nextStone[small]!;
    nextStone[small] = bigNext;
    chainSize[big]! += chainSize[small]!;
    this.chainLibs[big]! += added;
  }

  /** Removes the chain at p from the board; each neighbouring chain gains one liberty per freed point. */
  private removeChain(p: number): number {
    const cell = this.cell;
    const chainHead = this.chainHead;
    const nextStone = this.nextStone;
    const emptyList = this.emptyList;
    const emptyIndex = this.emptyIndex;
    const head = chainHead[p]!;
    const color = cell[p]!;
    const count = this.chainSize[head]!;
    let s = head;
    if (this.hashing) {
      const keysLo = this.keys.lo;
      const keysHi = this.keys.hi;
      let lo = this.hashLo;
      let hi = this.hashHi;
      do {
        const key = s * 2 + color - 1;
        lo ^= keysLo[key]!;
        hi ^= keysHi[key]!;
        s = nextStone[s]!;
      } while (s !== head);
      this.hashLo = lo;
      this.hashHi = hi;
    }
    // First pass: clear the stones, so the second pass sees the freed points as empty.
    let n = this.emptyCount;
    const counts = this.neighborCounts;
    const nbr = this.nbr;
    const delta = color === 1 ? 7 : 63;
    do {
      const base = s << 2;
      counts[nbr[base]!]! -= delta;
      counts[nbr[base + 1]!]! -= delta;
      counts[nbr[base + 2]!]! -= delta;
      counts[nbr[base + 3]!]! -= delta;
      cell[s] = 0;
      chainHead[s] = -1;
      emptyList[n] = s;
      emptyIndex[s] = n++;
      s = nextStone[s]!;
    } while (s !== head);
    this.emptyCount = n;
    // Second pass: every freed point is a new liberty of each distinct adjacent chain.
    s = head;
    do {
      this.giveLiberty(s);
      s = nextStone[s]!;
    } while (s !== head);
    return count;
  }

  /** Position key after `color` plays at the empty point p, computed without playing (superko checks). */
  private keyAfter(p: number, color: StoneColor, positional = false): number {
    if (!this.hashing) this.resumeHashing();
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
    const positionalKey = (hi & 0x1fffff) * 4294967296 + (lo >>> 0);
    if (positional || this.rules.ko !== 'situational') return positionalKey;
    // Situational: after `color` moves, `enemy` is to move; fold that into the key the history stores.
    return enemy === BLACK ? positionalKey : ((hi ^ this.keys.toPlayHi) & 0x1fffff) * 4294967296 + ((lo ^ this.keys.toPlayLo) >>> 0);
  }
}
