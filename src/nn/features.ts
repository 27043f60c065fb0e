/**
 * Input feature planes. One module for every feature set so another set (AlphaGo Lee's 48 planes) can sit
 * beside the Zero set with the same entry points.
 *
 * Layout: NCHW, as documented in evaluator.ts — plane k of the position written at `offset` occupies
 * `out[offset + k*area .. offset + (k+1)*area)`, point p = row*size + col, row 0 on top.
 *
 * Zero set (18 planes, AlphaGo Zero's 17 plus a board mask):
 *   0..7   stones of the side to move, now (0) and before each of the 7 previous moves (1..7)
 *   8..15  stones of the opponent, same order
 *   16     all ones when black is to move, all zeros when white is
 *   17     all ones: marks the board so zero padding at the edges is distinguishable from empty points
 * Own/opponent are relative to the side to move *now* for every history step. Missing history (the first
 * moves of a game) is left as zeros.
 */
import { BLACK, WHITE, type StoneColor } from '../../engine/color.js';
import type { Board } from '../../engine/board.js';
import type { Game } from '../../engine/game.js';
import type { FeatureSet } from './evaluator.js';
import { encodeLeeBoardFeatures, encodeLeeFeatures, encodeLeeGameFeatures, LEE_FEATURE_PLANES } from './features-lee.js';

/** Positions (current + previous) the Zero set looks at. */
export const ZERO_HISTORY = 8;
export const ZERO_PLANES = 2 * ZERO_HISTORY + 2;
export const ZERO_PLANE = {
  ownStones: 0,
  opponentStones: ZERO_HISTORY,
  blackToMove: 2 * ZERO_HISTORY,
  onBoard: 2 * ZERO_HISTORY + 1,
} as const;

/** AlphaGo Lee's feature set size; the encoder lives in features-lee.ts. */
export const LEE_PLANES = LEE_FEATURE_PLANES;

export function featurePlaneCount(featureSet: FeatureSet): number {
  switch (featureSet) {
    case 'zero':
      return ZERO_PLANES;
    case 'lee':
      return LEE_PLANES;
    default:
      throw new RangeError(`unknown feature set ${String(featureSet)}`);
  }
}

/** Floats one position takes for a feature set and board size. */
export function featureSize(featureSet: FeatureSet, size: number): number {
  return featurePlaneCount(featureSet) * size * size;
}

/**
 * Writes the 18 Zero planes of one position at `out[offset ..]`.
 * @param history stones (0 empty, 1 black, 2 white; length size²) now and before each previous move,
 *   newest first; entries beyond ZERO_HISTORY are ignored, fewer are allowed.
 * @param toPlay the side to move now.
 */
export function encodeZeroFeatures(
  out: Float32Array,
  offset: number,
  size: number,
  history: readonly ArrayLike<number>[],
  toPlay: StoneColor,
): void {
  beginZero(out, offset, size, toPlay);
  const steps = Math.min(history.length, ZERO_HISTORY);
  for (let t = 0; t < steps; t++) writeZeroStones(out, offset, size, t, history[t]!, toPlay);
}

/** Checks the arguments and writes every plane except the stone planes, which are cleared. */
function beginZero(out: Float32Array, offset: number, size: number, toPlay: StoneColor): void {
  const area = size * size;
  if (!Number.isInteger(offset) || offset < 0 || offset + ZERO_PLANES * area > out.length) {
    throw new RangeError(`encodeZeroFeatures: ${ZERO_PLANES} planes of ${area} do not fit at offset ${offset} of ${out.length}`);
  }
  if (toPlay !== BLACK && toPlay !== WHITE) throw new RangeError(`encodeZeroFeatures: toPlay must be 1 or 2, got ${toPlay}`);
  out.fill(0, offset, offset + 2 * ZERO_HISTORY * area);
  const colorPlane = offset + ZERO_PLANE.blackToMove * area;
  out.fill(toPlay === BLACK ? 1 : 0, colorPlane, colorPlane + area);
  const boardPlane = offset + ZERO_PLANE.onBoard * area;
  out.fill(1, boardPlane, boardPlane + area);
}

function writeZeroStones(
  out: Float32Array,
  offset: number,
  size: number,
  t: number,
  stones: ArrayLike<number>,
  toPlay: StoneColor,
): void {
  const area = size * size;
  if (stones.length !== area) {
    throw new RangeError(`encodeZeroFeatures: history[${t}] has ${stones.length} points, expected ${area}`);
  }
  const own = offset + (ZERO_PLANE.ownStones + t) * area;
  const opp = offset + (ZERO_PLANE.opponentStones + t) * area;
  for (let p = 0; p < area; p++) {
    const s = stones[p]!;
    if (s === toPlay) out[own + p] = 1;
    else if (s !== 0) out[opp + p] = 1;
  }
}

/** Feature-set dispatch over plain data, for callers that do not care which set the net uses. */
export function encodeFeatures(
  featureSet: FeatureSet,
  out: Float32Array,
  offset: number,
  size: number,
  history: readonly ArrayLike<number>[],
  toPlay: StoneColor,
): void {
  if (featureSet === 'zero') return encodeZeroFeatures(out, offset, size, history, toPlay);
  if (featureSet === 'lee') return encodeLeeFeatures(out, offset, size, history, toPlay);
  throw new RangeError(`unknown feature set ${String(featureSet)}`);
}

/**
 * Encodes a board given the stones of the positions before it (newest first, e.g. a search path's
 * ancestors). `previous` excludes the board itself.
 */
export function encodeBoardFeatures(
  featureSet: FeatureSet,
  out: Float32Array,
  offset: number,
  board: Board,
  previous: readonly ArrayLike<number>[],
): void {
  if (featureSet === 'lee') return encodeLeeBoardFeatures(out, offset, board, previous);
  if (featureSet !== 'zero') throw new RangeError(`unknown feature set ${String(featureSet)}`);
  // Written step by step rather than through encodeZeroFeatures so the hot path builds no history array.
  beginZero(out, offset, board.size, board.toPlay);
  writeZeroStones(out, offset, board.size, 0, board.stones, board.toPlay);
  const steps = Math.min(previous.length, ZERO_HISTORY - 1);
  for (let t = 0; t < steps; t++) writeZeroStones(out, offset, board.size, t + 1, previous[t]!, board.toPlay);
}

/** Encodes the current position of a game record, with its history. */
export function encodeGameFeatures(featureSet: FeatureSet, out: Float32Array, offset: number, game: Game): void {
  if (featureSet === 'lee') return encodeLeeGameFeatures(out, offset, game);
  encodeFeatures(featureSet, out, offset, game.board.size, game.stonesHistory(ZERO_HISTORY), game.toPlay);
}
