/**
 * Features of one candidate move for the linear rollout policy, read off the board without playing the
 * move. Two groups:
 * - static (depend on the position only, so the rollout keeps them per point and refreshes them only
 *   where the board changed): the 3x3 pattern and the tactical flags below;
 * - response (depend on the previous move, recomputed each step for the few points near it): distance
 *   class to the previous move, the 12-point diamond response pattern, and the nakade vital point of the
 *   stones the previous move captured.
 * Both the trainer and the rollout call these same functions, so what is learnt is what is played.
 */
import { BLACK, EMPTY, PASS, WHITE, type Move, type StoneColor } from '../../engine/color.js';
import type { Board } from '../../engine/board.js';
import { geometry, type Geometry } from '../../engine/geometry.js';
import { LibertyCounter } from '../../engine/liberties-after.js';
import { RESPONSE_LIBS_SHIFT, RESPONSE_SLOT_SHIFT, patternGeometry, type PatternGeometry } from './patterns.js';

/** Names of the binary features, in weight order; the bit of feature i in a mask is 1 << i. */
export const SCALAR_FEATURES = [
  'capture', // takes an opponent chain in atari
  'captureMany', // ... of two or more stones
  'saveAtari', // joins an own chain in atari and leaves it with 2+ liberties
  'selfAtariSingle', // the new stone alone is left with one liberty
  'selfAtariChain', // the new stone joins own stones and the chain is left with one liberty
  'atari', // puts an opponent chain in atari (2 -> 1 liberties)
  'adjacent', // orthogonally next to the previous move
  'diagonal', // diagonally next to the previous move
  'jump', // two points from the previous move in a straight line
  'distance3', // Manhattan distance 3 from the previous move
  'nakade', // vital point of the 3-6 point space the previous move's capture left
] as const;
export type ScalarFeature = (typeof SCALAR_FEATURES)[number];
export const SCALAR_COUNT = SCALAR_FEATURES.length;
export const FEATURE = Object.fromEntries(SCALAR_FEATURES.map((name, i) => [name, i])) as Record<ScalarFeature, number>;

const NEAR_CLASS_FEATURE = [FEATURE.adjacent, FEATURE.diagonal, FEATURE.jump, FEATURE.distance3];

/**
 * Features that depend on the position only (the rollout keeps their weights per point) come first, so a
 * static mask is below 1 << STATIC_FEATURE_COUNT and its weight can be looked up in a table of that size.
 */
export const STATIC_FEATURE_COUNT = 6;
const BIT_CAPTURE = 1 << FEATURE.capture;
const BIT_CAPTURE_MANY = 1 << FEATURE.captureMany;
const BIT_SAVE_ATARI = 1 << FEATURE.saveAtari;
const BIT_SELF_ATARI_SINGLE = 1 << FEATURE.selfAtariSingle;
const BIT_SELF_ATARI_CHAIN = 1 << FEATURE.selfAtariChain;
const BIT_ATARI = 1 << FEATURE.atari;
if ((BIT_CAPTURE | BIT_CAPTURE_MANY | BIT_SAVE_ATARI | BIT_SELF_ATARI_SINGLE | BIT_SELF_ATARI_CHAIN | BIT_ATARI) !== (1 << STATIC_FEATURE_COUNT) - 1) {
  throw new Error('rollout features: the static features must be the first STATIC_FEATURE_COUNT');
}

/**
 * 3x3 state of the point q (an index from ring8, -1 off the board) with Black as the mover: 0 empty, 1 off the
 * board, 2/3/4 a black stone whose chain has 1/2/3+ liberties, 5/6/7 a white one (see patterns.ts).
 */
export function pointState(q: number, stones: Uint8Array, head: Int32Array, liberties: Int32Array): number {
  if (q < 0) return 1;
  const s = stones[q]!;
  if (s === 0) return 0;
  const libs = liberties[head[q]!]!;
  return (s === 1 ? 2 : 5) + (libs >= 3 ? 2 : libs - 1);
}

/** A 3x3 state with the colours swapped (own <-> opponent), and a whole 12-bit half-code so swapped. */
const SWAP_STATE = [0, 1, 5, 6, 7, 2, 3, 4];
const SWAP_HALF = new Int32Array(4096);
for (let half = 0; half < 4096; half++) {
  for (let i = 0; i < 4; i++) SWAP_HALF[half]! |= SWAP_STATE[(half >>> (3 * i)) & 7]! << (3 * i);
}

/** Black's 3x3 code seen from White (both patterns are stored relative to the mover). */
export function swapColours(code: number): number {
  return SWAP_HALF[code & 0xfff]! | (SWAP_HALF[code >>> 12]! << 12);
}

/**
 * What the four orthogonal neighbours' states (packed 3 bits each) say about a move there: the number of
 * empty ones (low 3 bits), and for each colour whether one of its chains is next to it, in atari, with 2+
 * liberties, with exactly 2.
 */
// Each White bit is its Black bit shifted left by one (colourMask relies on it).
const BLACK_NEIGHBOUR = 1 << 3;
const WHITE_NEIGHBOUR = 1 << 4;
const BLACK_IN_ATARI = 1 << 5;
const WHITE_IN_ATARI = 1 << 6;
const BLACK_SAFE = 1 << 7;
const WHITE_SAFE = 1 << 8;
const BLACK_TWO_LIBERTIES = 1 << 9;
const WHITE_TWO_LIBERTIES = 1 << 10;
const BLACK_THREE_LIBERTIES = 1 << 11;
const WHITE_THREE_LIBERTIES = 1 << 12;
const ORTH_FLAGS = new Int32Array(4096);
for (let orthogonal = 0; orthogonal < 4096; orthogonal++) {
  let flags = 0;
  for (let i = 0; i < 4; i++) {
    const state = (orthogonal >>> (3 * i)) & 7;
    if (state === 0) flags++;
    else if (state >= 2 && state <= 4) {
      flags |= BLACK_NEIGHBOUR | (state === 2 ? BLACK_IN_ATARI : BLACK_SAFE);
      if (state === 3) flags |= BLACK_TWO_LIBERTIES;
      if (state === 4) flags |= BLACK_THREE_LIBERTIES;
    } else if (state >= 5) {
      flags |= WHITE_NEIGHBOUR | (state === 5 ? WHITE_IN_ATARI : WHITE_SAFE);
      if (state === 6) flags |= WHITE_TWO_LIBERTIES;
      if (state === 7) flags |= WHITE_THREE_LIBERTIES;
    }
  }
  ORTH_FLAGS[orthogonal] = flags;
}

/**
 * The static masks of an empty point with two or more empty orthogonal neighbours and no chain in atari
 * next to it, from its 3x3 code alone (Black as the mover), packed as maskB | maskW << 8; -1 for any other
 * point (staticMasksFromCode then reads the board). Such a point is a candidate for both colours with 2+
 * liberties after the move and nothing to capture or save, so only "atari" can be set. Most refreshed points
 * are like this; the function is small enough for V8 to inline into the rollout's refresh loop.
 */
export function openPointMasks(codeB: number): number {
  const orthogonal = ((codeB >>> 3) & 7) | ((codeB >>> 6) & 0o70) | ((codeB >>> 9) & 0o700) | ((codeB >>> 12) & 0o7000);
  const flags = ORTH_FLAGS[orthogonal]!;
  if ((flags & 7) < 2 || (flags & (BLACK_IN_ATARI | WHITE_IN_ATARI)) !== 0) return -1;
  return ((flags & WHITE_TWO_LIBERTIES) !== 0 ? BIT_ATARI : 0) | ((flags & BLACK_TWO_LIBERTIES) !== 0 ? BIT_ATARI << 8 : 0);
}

export class RolloutFeatures {
  readonly geometry: PatternGeometry;
  private readonly counter: LibertyCounter;
  /** Raw 3x3 code of the last staticMask call. */
  pattern3 = 0;
  /** Raw response code of the last responseMask call, -1 when the move is outside the diamond. */
  response = -1;

  private readonly geo: Geometry;
  private readonly ring8: Int32Array;
  private readonly diamond: Int32Array;

  constructor(readonly size: number) {
    this.geometry = patternGeometry(size);
    this.ring8 = this.geometry.ring8;
    this.diamond = this.geometry.diamond;
    this.counter = new LibertyCounter(size);
    this.geo = geometry(size);
  }

  /**
   * True when the rollout may play p for `color`: empty, not suicide, not the mover's own single-point
   * eye (so rollouts end) unless filling it connects an own chain out of atari (so kos end too). The
   * simple-ko point is excluded separately by the caller.
   */
  isCandidate(board: Board, p: number, color: StoneColor): boolean {
    if (board.stones[p] !== EMPTY || !board.hasLibertyAfter(p, color)) return false;
    return !board.isEyeLike(p, color) || this.connectsOutOfAtari(board, p, color);
  }

  /**
   * True when `color` playing at p joins an own chain in atari and leaves it with 2+ liberties: the one
   * reason to fill an own eye-like point. It is how a ko is connected (the capturing stone's last liberty
   * is the captured stone's point, surrounded by the capturer's stones), and without it no ko ever ends: in
   * rollouts the kos pile up, and with four or more of them the fight runs to the move cap.
   */
  private connectsOutOfAtari(board: Board, p: number, color: StoneColor): boolean {
    const { neighbors, neighborStart } = this.geo;
    let inAtari = false;
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      if (board.stones[q] === color && board.liberties(q) === 1) inAtari = true;
    }
    return inAtari && this.counter.libertiesAfter(board, p, color, 2) >= 2;
  }

  /** Static feature mask of the candidate p for `color` (-1 when p is not a candidate); sets `pattern3`. */
  staticMask(board: Board, p: number, color: StoneColor): number {
    this.computeStatic(board, p, color === BLACK, color === WHITE);
    this.pattern3 = this.pattern3Of[color]!;
    return this.maskOf[color]!;
  }

  /**
   * Static masks and 3x3 codes of the empty point p for both colours in one pass over its neighbours (the
   * rollout's hot path): `maskOf[c]` and `pattern3Of[c]` for c = BLACK, WHITE; maskOf[c] is -1 where p is
   * not a candidate for c.
   */
  staticMasks(board: Board, p: number): void {
    this.computeStatic(board, p, true, true);
  }

  /** Index by colour (1, 2); results of staticMasks. */
  readonly maskOf = new Int32Array(3);
  readonly pattern3Of = new Int32Array(3);

  /** Static masks of p from scratch: its 3x3 code read off the board, then staticMasksFromCode. */
  private computeStatic(board: Board, p: number, forBlack: boolean, forWhite: boolean): void {
    const stones = board.stones;
    const { head, liberties } = board.chains;
    const ring = this.ring8;
    const b = p * 8;
    let code = 0;
    for (let i = 0; i < 8; i++) code |= pointState(ring[b + i]!, stones, head, liberties) << (3 * i);
    this.staticMasksFromCode(board, p, code, forBlack, forWhite);
  }

  /**
   * Static masks of p for both colours (`maskOf`, `pattern3Of`) given its 3x3 code with Black as the mover
   * (the rollout keeps the neighbours' states up to date and passes the code in: its hot path). The tactical
   * flags come from the four orthogonal states by one table lookup (ORTH_FLAGS); the board is only asked
   * again for the rare captures and for liberties after a move with fewer than two empty neighbours.
   */
  staticMasksFromCode(board: Board, p: number, codeB: number, forBlack = true, forWhite = true): void {
    const stones = board.stones;
    this.pattern3Of[1] = codeB;
    this.pattern3Of[2] = swapColours(codeB);
    const open2 = stones[p] === 0 ? openPointMasks(codeB) : -1;
    if (open2 >= 0) {
      this.maskOf[1] = forBlack ? open2 & 0xff : -1;
      this.maskOf[2] = forWhite ? open2 >>> 8 : -1;
      return;
    }
    const orthogonal = ((codeB >>> 3) & 7) | ((codeB >>> 6) & 0o70) | ((codeB >>> 9) & 0o700) | ((codeB >>> 12) & 0o7000);
    const flags = ORTH_FLAGS[orthogonal]!;
    const emptyNeighbours = flags & 7;
    // With an empty orthogonal neighbour (a liberty, and no eye) p is a candidate for both colours. Without
    // one, it is a candidate for c (isCandidate) when the stone would have a liberty (it joins a c chain with
    // another liberty, or captures) and p is not c's eye (an opponent stone touches it), or it is but filling
    // it connects a c chain out of atari (the saveAtari feature: a ko connection).
    const open = emptyNeighbours > 0;
    const empty = stones[p] === 0;
    this.maskOf[1] = forBlack ? this.colourMask(board, p, 1, flags, open, empty, emptyNeighbours) : -1;
    this.maskOf[2] = forWhite ? this.colourMask(board, p, 2, flags, open, empty, emptyNeighbours) : -1;
  }

  /**
   * p's static mask for colour c from the orthogonal flags, or -1 when p is not a candidate for c. Each
   * flag has its Black bit and, one bit higher, its White bit: c's own flags are the BLACK_* bits shifted
   * by c − 1, the opponent's by 2 − c.
   */
  private colourMask(board: Board, p: number, c: StoneColor, flags: number, open: boolean, empty: boolean, emptyNeighbours: number): number {
    const own = c - 1;
    const enemy = 2 - c;
    const enemyNeighbour = (flags & (BLACK_NEIGHBOUR << enemy)) !== 0;
    const safe = (flags & (BLACK_SAFE << own)) !== 0;
    const captures = (flags & (BLACK_IN_ATARI << enemy)) !== 0;
    const ownInAtari = (flags & (BLACK_IN_ATARI << own)) !== 0;
    if (!(open || (empty && (enemyNeighbour ? safe || captures : ownInAtari && safe)))) return -1;
    const mask = this.finishMask(
      board,
      p,
      c,
      captures ? this.capturedStones(board, p, 3 - c) : 0,
      (flags & (BLACK_NEIGHBOUR << own)) !== 0,
      ownInAtari,
      (flags & (BLACK_TWO_LIBERTIES << enemy)) !== 0,
      emptyNeighbours >= 2 || (flags & (BLACK_THREE_LIBERTIES << own)) !== 0 || (open && captures),
    );
    return open || enemyNeighbour || (mask & BIT_SAVE_ATARI) !== 0 ? mask : -1;
  }

  /** Stones of `victim` colour in the chains in atari next to p (what playing p captures). */
  private capturedStones(board: Board, p: number, victim: number): number {
    const stones = board.stones;
    const { head, liberties, size } = board.chains;
    const ring = this.ring8;
    let total = 0;
    let h0 = -1;
    let h1 = -1;
    let h2 = -1;
    for (let i = 1; i < 8; i += 2) {
      const q = ring[p * 8 + i]!;
      if (q < 0 || stones[q] !== victim) continue;
      const h = head[q]!;
      if (liberties[h] !== 1 || h === h0 || h === h1 || h === h2) continue;
      total += size[h]!;
      if (h0 < 0) h0 = h;
      else if (h1 < 0) h1 = h;
      else h2 = h;
    }
    return total;
  }

  /**
   * The mask of a candidate from its neighbourhood. `roomy`: the stone surely has 2+ liberties after the move
   * (two empty neighbours; or it joins a chain with 3+ liberties; or one empty neighbour and a capture, whose
   * freed point is another), so the exact count is not needed.
   */
  private finishMask(
    board: Board,
    p: number,
    color: StoneColor,
    capturedStones: number,
    ownNeighbour: boolean,
    ownInAtari: boolean,
    givesAtari: boolean,
    roomy: boolean,
  ): number {
    let mask = givesAtari ? BIT_ATARI : 0;
    if (capturedStones > 0) mask |= capturedStones >= 2 ? BIT_CAPTURE | BIT_CAPTURE_MANY : BIT_CAPTURE;
    const libsAfter = roomy ? 2 : this.counter.libertiesAfter(board, p, color, 2);
    if (libsAfter >= 2) {
      if (ownInAtari) mask |= BIT_SAVE_ATARI;
    } else {
      mask |= ownNeighbour ? BIT_SELF_ATARI_CHAIN : BIT_SELF_ATARI_SINGLE;
    }
    return mask;
  }

  /**
   * The part of the response code shared by every candidate around the previous move `prev` (a point):
   * the diamond's stones and the liberty bucket of prev's chain. OR in `slot << RESPONSE_SLOT_SHIFT`.
   */
  responseBase(board: Board, prev: number, color: StoneColor): number {
    const stones = board.stones;
    const diamond = this.diamond;
    const base = prev * 12;
    // Literal states (1 off the board, 2 mover's stone, 3 opponent's: DSTATE_* in patterns.ts).
    let code = 0;
    for (let i = 0; i < 12; i++) {
      const q = diamond[base + i]!;
      if (q < 0) code |= 1 << (2 * i);
      else {
        const s = stones[q]!;
        if (s !== 0) code |= (s === color ? 2 : 3) << (2 * i);
      }
    }
    const libs = stones[prev] === 0 ? 0 : Math.min(board.liberties(prev), 3);
    return (code | (libs << RESPONSE_LIBS_SHIFT)) >>> 0;
  }

  /**
   * Response feature mask of candidate p given the previous move and the nakade vital point (-1 if none);
   * sets `response` (the raw response code, or -1).
   */
  responseMask(board: Board, p: number, color: StoneColor, prev: Move | null, nakadeVital: number): number {
    let mask = p === nakadeVital ? 1 << FEATURE.nakade : 0;
    this.response = -1;
    if (prev === null || prev === PASS) return mask;
    const g = this.geometry;
    for (let i = 0; i < 24; i++) {
      if (g.near[prev * 24 + i] !== p) continue;
      mask |= 1 << NEAR_CLASS_FEATURE[g.nearClass[i]!]!;
      const slot = g.nearSlot[i]!;
      if (slot >= 0) this.response = (this.responseBase(board, prev, color) | (slot << RESPONSE_SLOT_SHIFT)) >>> 0;
      break;
    }
    return mask;
  }

  /** Response mask for the i-th near point of prev (the rollout's fast path; no search for p). */
  nearClassMask(i: number): number {
    return 1 << NEAR_CLASS_FEATURE[this.geometry.nearClass[i]!]!;
  }
}

/**
 * The vital point of the empty space left by a capture, when that space is a killing (nakade) shape:
 * 3 to 6 points with one point touching more of the others than any other point does (straight and bent
 * three, pyramid four, crossed and bulky five, rabbity six). Returns -1 otherwise (square four, straight
 * four, and larger spaces, which live).
 */
export function nakadeVitalPoint(points: Int32Array, count: number, size: number): number {
  if (count < 3 || count > 6) return -1;
  let best = -1;
  let bestDegree = -1;
  let tie = false;
  for (let i = 0; i < count; i++) {
    const p = points[i]!;
    const r = Math.floor(p / size);
    const c = p - r * size;
    let degree = 0;
    for (let j = 0; j < count; j++) {
      const q = points[j]!;
      const qr = Math.floor(q / size);
      const qc = q - qr * size;
      if (Math.abs(qr - r) + Math.abs(qc - c) === 1) degree++;
    }
    if (degree > bestDegree) {
      best = p;
      bestDegree = degree;
      tie = false;
    } else if (degree === bestDegree) {
      tie = true;
    }
  }
  if (tie || bestDegree < (count === 3 ? 2 : 3)) return -1;
  return best;
}
