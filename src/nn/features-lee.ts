/**
 * AlphaGo Lee's 48 input planes (Silver et al. 2016, Extended Data Table 2), for the SL/RL policy nets
 * (the value net adds a 49th, the colour to play). Layout NCHW as the Zero set (features.ts): plane k of
 * the position at `offset` is `out[offset + k*area .. offset + (k+1)*area)`, p = row*size + col.
 *
 *   0..2    stone colour: the player to move's stones, the opponent's, empty points
 *   3       ones
 *   4..11   turns since the stone on the point was played: 1, 2, ..., 7, >= 8
 *   12..19  liberties of the chain on the point: 1, 2, ..., 7, >= 8
 *   20..27  for each legal move: opponent stones it captures: 0, 1, ..., 6, >= 7
 *   28..35  for each legal move that leaves its chain with one liberty: the chain's size 1, ..., 7, >= 8
 *   36..43  for each legal move: liberties of its chain after the move 1, ..., 7, >= 8
 *   44      ladder capture: the move puts an opponent chain in atari that dies in a ladder
 *   45      ladder escape: the move extends an own chain in atari out of a ladder
 *   46      sensible: legal and does not fill the player's own single-point eye
 *   47      zeros
 * "Legal" is legality under the board's rules (simple ko and superko included).
 *
 * Registration (src/nn/features.ts, owned by the nn helper): in encodeFeatures / encodeBoardFeatures /
 * encodeGameFeatures, `featureSet === 'lee'` should call encodeLeeFeatures / encodeLeeBoardFeatures /
 * encodeLeeGameFeatures (same arguments minus featureSet). LEE_PLANES there already says 48.
 */
import { Board } from '../../engine/board.js';
import { BLACK, EMPTY, WHITE, opponent, type StoneColor } from '../../engine/color.js';
import type { Game } from '../../engine/game.js';
import { geometry } from '../../engine/geometry.js';
import { LadderReader } from '../lee/ladder.js';
import { LibertyCounter } from '../../engine/liberties-after.js';

export const LEE_FEATURE_PLANES = 48;
export const LEE_PLANE = {
  own: 0,
  opponent: 1,
  empty: 2,
  ones: 3,
  turnsSince: 4,
  liberties: 12,
  captureSize: 20,
  selfAtariSize: 28,
  libertiesAfter: 36,
  ladderCapture: 44,
  ladderEscape: 45,
  sensible: 46,
  zeros: 47,
} as const;
/** History the turns-since planes look at: the board now and 7 earlier positions. */
export const LEE_HISTORY = 8;

const counters = new Map<number, LibertyCounter>();
const ladders = new LadderReader();

/**
 * Writes the 48 planes of `board` (player to move: board.toPlay) at `out[offset ..]`.
 * @param previous stones (length area, 0/1/2) before each of the previous moves, newest first (the
 *   position 1 move ago first); only the first 7 are read, fewer are allowed (start of a game).
 */
export function encodeLeeBoardFeatures(out: Float32Array, offset: number, board: Board, previous: readonly ArrayLike<number>[]): void {
  const size = board.size;
  const area = size * size;
  if (!Number.isInteger(offset) || offset < 0 || offset + LEE_FEATURE_PLANES * area > out.length) {
    throw new RangeError(`encodeLeeBoardFeatures: ${LEE_FEATURE_PLANES} planes of ${area} do not fit at offset ${offset} of ${out.length}`);
  }
  for (let t = 0; t < Math.min(previous.length, LEE_HISTORY - 1); t++) {
    if (previous[t]!.length !== area) throw new RangeError(`encodeLeeBoardFeatures: previous[${t}] has ${previous[t]!.length} points, expected ${area}`);
  }
  out.fill(0, offset, offset + LEE_FEATURE_PLANES * area);
  const plane = (k: number, p: number): number => offset + k * area + p;
  const me = board.toPlay;
  const enemy = opponent(me);
  let counter = counters.get(size);
  if (counter === undefined) {
    counter = new LibertyCounter(size);
    counters.set(size, counter);
  }
  const { neighbors, neighborStart } = geometry(size);
  const history = Math.min(previous.length, LEE_HISTORY - 1);

  for (let p = 0; p < area; p++) {
    out[plane(LEE_PLANE.ones, p)] = 1;
    const s = board.stones[p]!;
    if (s !== EMPTY) {
      out[plane(s === me ? LEE_PLANE.own : LEE_PLANE.opponent, p)] = 1;
      // The stone has stood here since the first earlier position that has it missing.
      let turns = LEE_HISTORY;
      for (let t = 0; t < history; t++) {
        if (previous[t]![p] !== s) {
          turns = t + 1;
          break;
        }
      }
      out[plane(LEE_PLANE.turnsSince + Math.min(turns, 8) - 1, p)] = 1;
      out[plane(LEE_PLANE.liberties + Math.min(board.liberties(p), 8) - 1, p)] = 1;
      continue;
    }
    out[plane(LEE_PLANE.empty, p)] = 1;
    if (!board.isLegal(p, me)) continue;
    if (!board.isEyeLike(p, me)) out[plane(LEE_PLANE.sensible, p)] = 1;

    // Captures and the size of the chain the move makes, from the distinct neighbouring chains.
    let captured = 0;
    let chainSize = 1;
    const seen: number[] = [];
    let givesAtari = false;
    let savesFromAtari = false;
    for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
      const q = neighbors[k]!;
      const c = board.stones[q]!;
      if (c === EMPTY) continue;
      const head = board.chainId(q);
      if (seen.includes(head)) continue;
      seen.push(head);
      const libs = board.liberties(q);
      if (c === enemy) {
        if (libs === 1) captured += board.chainLength(q);
        else if (libs === 2) givesAtari = true;
      } else {
        chainSize += board.chainLength(q);
        if (libs === 1) savesFromAtari = true;
      }
    }
    out[plane(LEE_PLANE.captureSize + Math.min(captured, 7), p)] = 1;
    const libsAfter = counter.libertiesAfter(board, p, me, 8);
    if (libsAfter >= 1) out[plane(LEE_PLANE.libertiesAfter + libsAfter - 1, p)] = 1;
    if (libsAfter === 1) out[plane(LEE_PLANE.selfAtariSize + Math.min(chainSize, 8) - 1, p)] = 1;

    if (givesAtari || (savesFromAtari && libsAfter === 2)) {
      const after = board.copy();
      after.play(p, me);
      if (givesAtari && ladderCaptures(after, p, enemy)) out[plane(LEE_PLANE.ladderCapture, p)] = 1;
      if (savesFromAtari && libsAfter === 2 && !ladders.capturedWhenAttacked(after, p)) out[plane(LEE_PLANE.ladderEscape, p)] = 1;
    }
  }
}

/** After a move at p, is an adjacent `enemy` chain now in atari and dead in a ladder? */
function ladderCaptures(after: Board, p: number, enemy: StoneColor): boolean {
  const { neighbors, neighborStart } = geometry(after.size);
  for (let k = neighborStart[p]!; k < neighborStart[p + 1]!; k++) {
    const q = neighbors[k]!;
    if (after.stones[q] === enemy && after.liberties(q) === 1 && ladders.capturedWhenRunning(after, q)) return true;
  }
  return false;
}

/** Encodes a game's current position with its history. */
export function encodeLeeGameFeatures(out: Float32Array, offset: number, game: Game): void {
  encodeLeeBoardFeatures(out, offset, game.board, game.stonesHistory(LEE_HISTORY).slice(1));
}

/**
 * Encodes from plain stone arrays (newest first, history[0] = now), as features.ts's encodeFeatures.
 * The board is rebuilt from history[0], so the ko point is unknown: a ko recapture counts as legal.
 */
export function encodeLeeFeatures(
  out: Float32Array,
  offset: number,
  size: number,
  history: readonly ArrayLike<number>[],
  toPlay: StoneColor,
): void {
  const now = history[0];
  if (now === undefined || now.length !== size * size) throw new RangeError('encodeLeeFeatures: history[0] must be the current stones');
  const board = new Board(size);
  for (let p = 0; p < size * size; p++) {
    if (now[p] === BLACK || now[p] === WHITE) board.placeSetupStone(p, now[p] as StoneColor);
  }
  board.toPlay = toPlay;
  encodeLeeBoardFeatures(out, offset, board, history.slice(1));
}
