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
import { LibertyCounter } from './liberties-after.js';
import {
  DSTATE_OPPONENT,
  DSTATE_OWN,
  NEAR_ADJACENT,
  NEAR_DIAGONAL,
  NEAR_JUMP,
  RESPONSE_LIBS_SHIFT,
  RESPONSE_SLOT_SHIFT,
  STATE_OFF,
  STATE_OPPONENT,
  STATE_OWN,
  patternGeometry,
  type PatternGeometry,
} from './patterns.js';

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

export class RolloutFeatures {
  readonly geometry: PatternGeometry;
  private readonly counter: LibertyCounter;
  /** Raw 3x3 code of the last staticMask call. */
  pattern3 = 0;
  /** Raw response code of the last responseMask call, -1 when the move is outside the diamond. */
  response = -1;

  constructor(readonly size: number) {
    this.geometry = patternGeometry(size);
    this.counter = new LibertyCounter(size);
  }

  /**
   * True when the rollout may play p for `color`: empty, not suicide, not the mover's own single-point
   * eye (so rollouts end). The simple-ko point is excluded separately by the caller.
   */
  isCandidate(board: Board, p: number, color: StoneColor): boolean {
    return board.stones[p] === EMPTY && !board.isEyeLike(p, color) && board.hasLibertyAfter(p, color);
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

  private computeStatic(board: Board, p: number, forBlack: boolean, forWhite: boolean): void {
    const stones = board.stones;
    const ring = this.geometry.ring8;
    const base = p * 8;
    let codeB = 0;
    let codeW = 0;
    // Per colour c: stones c would capture, whether c has a neighbour / one in atari, whether c gives atari.
    let captureB = 0;
    let captureW = 0;
    let captureHeadB = -1;
    let captureHeadW = -1;
    let neighbourB = false;
    let neighbourW = false;
    let inAtariB = false;
    let inAtariW = false;
    let atariB = false;
    let atariW = false;
    let emptyNeighbours = 0;
    for (let i = 0; i < 8; i++) {
      const q = ring[base + i]!;
      const shift = 3 * i;
      if (q < 0) {
        codeB |= STATE_OFF << shift;
        codeW |= STATE_OFF << shift;
        continue;
      }
      const s = stones[q]!;
      const orthogonal = (i & 1) === 1;
      if (s === EMPTY) {
        if (orthogonal) emptyNeighbours++;
        continue;
      }
      const libs = board.liberties(q);
      const bucket = libs >= 3 ? 2 : libs - 1;
      if (s === BLACK) {
        codeB |= (STATE_OWN + bucket) << shift;
        codeW |= (STATE_OPPONENT + bucket) << shift;
        if (!orthogonal) continue;
        neighbourB = true;
        if (libs === 1) {
          inAtariB = true;
          // Only the first captured chain is de-duplicated: a double count can only happen once two
          // chains are captured, when "two or more stones" already holds.
          const head = board.chainId(q);
          if (head !== captureHeadW) {
            captureW += board.chainLength(q);
            if (captureHeadW < 0) captureHeadW = head;
          }
        } else if (libs === 2) {
          atariW = true;
        }
      } else {
        codeB |= (STATE_OPPONENT + bucket) << shift;
        codeW |= (STATE_OWN + bucket) << shift;
        if (!orthogonal) continue;
        neighbourW = true;
        if (libs === 1) {
          inAtariW = true;
          const head = board.chainId(q);
          if (head !== captureHeadB) {
            captureB += board.chainLength(q);
            if (captureHeadB < 0) captureHeadB = head;
          }
        } else if (libs === 2) {
          atariB = true;
        }
      }
    }
    this.pattern3Of[BLACK] = codeB;
    this.pattern3Of[WHITE] = codeW;
    // An empty neighbour is a liberty and rules out an eye, so such a point is a candidate for both colours
    // without asking the board; two empty neighbours mean at least two liberties after the move.
    const open = emptyNeighbours > 0;
    this.maskOf[BLACK] =
      forBlack && (open || this.isCandidate(board, p, BLACK))
        ? this.finishMask(board, p, BLACK, captureB, neighbourB, inAtariB, atariB, emptyNeighbours)
        : -1;
    this.maskOf[WHITE] =
      forWhite && (open || this.isCandidate(board, p, WHITE))
        ? this.finishMask(board, p, WHITE, captureW, neighbourW, inAtariW, atariW, emptyNeighbours)
        : -1;
  }

  private finishMask(
    board: Board,
    p: number,
    color: StoneColor,
    capturedStones: number,
    ownNeighbour: boolean,
    ownInAtari: boolean,
    givesAtari: boolean,
    emptyNeighbours: number,
  ): number {
    let mask = givesAtari ? 1 << FEATURE.atari : 0;
    if (capturedStones > 0) {
      mask |= 1 << FEATURE.capture;
      if (capturedStones >= 2) mask |= 1 << FEATURE.captureMany;
    }
    const libsAfter = emptyNeighbours >= 2 ? 2 : this.counter.libertiesAfter(board, p, color, 2);
    if (libsAfter >= 2) {
      if (ownInAtari) mask |= 1 << FEATURE.saveAtari;
    } else {
      mask |= 1 << (ownNeighbour ? FEATURE.selfAtariChain : FEATURE.selfAtariSingle);
    }
    return mask;
  }

  /**
   * The part of the response code shared by every candidate around the previous move `prev` (a point):
   * the diamond's stones and the liberty bucket of prev's chain. OR in `slot << RESPONSE_SLOT_SHIFT`.
   */
  responseBase(board: Board, prev: number, color: StoneColor): number {
    const stones = board.stones;
    const diamond = this.geometry.diamond;
    let code = 0;
    for (let i = 0; i < 12; i++) {
      const q = diamond[prev * 12 + i]!;
      if (q < 0) code |= STATE_OFF << (2 * i);
      else if (stones[q] !== EMPTY) code |= (stones[q] === color ? DSTATE_OWN : DSTATE_OPPONENT) << (2 * i);
    }
    const libs = stones[prev] === EMPTY ? 0 : Math.min(board.liberties(prev), 3);
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
