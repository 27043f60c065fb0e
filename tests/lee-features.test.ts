import { describe, expect, it } from 'vitest';
import { BLACK, Game, WHITE, type Board } from '../engine/index.js';
import { LEE_FEATURE_PLANES, LEE_PLANE, encodeLeeBoardFeatures, encodeLeeFeatures, encodeLeeGameFeatures } from '../src/nn/features-lee.js';
import { LEE_PLANES } from '../src/nn/features.js';
import { boardFromDiagram, v } from './helpers.js';

/** Planes of a board with no history. */
function planesOf(board: Board): (plane: number, vertex: string) => number {
  const area = board.area;
  const out = new Float32Array(LEE_FEATURE_PLANES * area);
  encodeLeeBoardFeatures(out, 0, board, []);
  return (plane, vertex) => out[plane * area + v(vertex, board.size)]!;
}

/** The plane index set at a point within a one-hot group of 8, or -1. */
function oneHot(get: (plane: number, vertex: string) => number, first: number, vertex: string): number {
  let found = -1;
  for (let k = 0; k < 8; k++) {
    if (get(first + k, vertex) === 1) {
      expect(found, `two planes set in group ${first} at ${vertex}`).toBe(-1);
      found = k;
    }
  }
  return found;
}

// A white stone at B8 that Black can ladder: atari from B7 runs it down-right to the edge.
const LADDER = `
  .XX......
  XO.......
  .........
  .........
  .........
  .........
  .........
  .........
  .........`;

// The same with a white ladder breaker at F3 on the ladder's path.
const LADDER_BROKEN = `
  .XX......
  XO.......
  .........
  .........
  .........
  .........
  .....O...
  .........
  .........`;

describe('AlphaGo Lee input planes', () => {
  it('has the 48 planes the nn module expects', () => {
    expect(LEE_FEATURE_PLANES).toBe(LEE_PLANES);
  });

  it('encodes colours, constant planes, liberties, captures, self-atari and liberties after the move', () => {
    const board = boardFromDiagram(`
      .O.X.
      OX.X.
      .XXO.
      ..O..
      .....`);
    board.toPlay = BLACK;
    const get = planesOf(board);
    expect(get(LEE_PLANE.own, 'B4')).toBe(1);
    expect(get(LEE_PLANE.opponent, 'B5')).toBe(1);
    expect(get(LEE_PLANE.empty, 'E1')).toBe(1);
    expect(get(LEE_PLANE.ones, 'E1')).toBe(1);
    expect(get(LEE_PLANE.zeros, 'E1')).toBe(0);
    // B4-B3-C3 (black) liberties: C4, B2, A3 => 3. White B5: A5, C5 => 2.
    expect(oneHot(get, LEE_PLANE.liberties, 'C3')).toBe(2);
    expect(oneHot(get, LEE_PLANE.liberties, 'B5')).toBe(1);
    // Black A5 would have no liberty (B5 and A4 are white chains with two liberties): illegal, no move planes.
    expect(oneHot(get, LEE_PLANE.captureSize, 'A5')).toBe(-1);
    expect(oneHot(get, LEE_PLANE.libertiesAfter, 'A5')).toBe(-1);
    expect(get(LEE_PLANE.sensible, 'A5')).toBe(0);
    // Black C5 captures nothing and joins D5-D4: liberties C4, E5, E4.
    expect(get(LEE_PLANE.sensible, 'C5')).toBe(1);
    expect(oneHot(get, LEE_PLANE.captureSize, 'C5')).toBe(0);
    expect(oneHot(get, LEE_PLANE.libertiesAfter, 'C5')).toBe(2);
    expect(oneHot(get, LEE_PLANE.selfAtariSize, 'C5')).toBe(-1);
    // Points stones stand on have no move planes.
    expect(oneHot(get, LEE_PLANE.captureSize, 'B4')).toBe(-1);
  });

  it('counts captured stones and self-atari chain sizes', () => {
    // Black A5 and B4 each have the single liberty A4; white B5's only liberty is C5.
    const board = boardFromDiagram(`
      XO.X.
      .XOO.
      .O...
      .....
      .....`);
    board.toPlay = WHITE;
    const get = planesOf(board);
    expect(oneHot(get, LEE_PLANE.captureSize, 'A4')).toBe(2);
    // White C5 joins B5 and C4-D4: liberties C3, D3, E4; D5 keeps E5.
    expect(oneHot(get, LEE_PLANE.captureSize, 'C5')).toBe(0);
    expect(oneHot(get, LEE_PLANE.libertiesAfter, 'C5')).toBe(2);
    board.toPlay = BLACK;
    const getB = planesOf(board);
    // Black A4 joins A5 and B4 into a 3-stone chain with the one liberty A3.
    expect(oneHot(getB, LEE_PLANE.libertiesAfter, 'A4')).toBe(0);
    expect(oneHot(getB, LEE_PLANE.selfAtariSize, 'A4')).toBe(2);
    // Black C5 captures B5 and joins D5: liberties E5 and the freed B5.
    expect(oneHot(getB, LEE_PLANE.captureSize, 'C5')).toBe(1);
    expect(oneHot(getB, LEE_PLANE.libertiesAfter, 'C5')).toBe(1);
    expect(oneHot(getB, LEE_PLANE.selfAtariSize, 'C5')).toBe(-1);
  });

  it('reads ladders: capture without a breaker, escape with one', () => {
    const board = boardFromDiagram(LADDER);
    board.toPlay = BLACK;
    let get = planesOf(board);
    expect(get(LEE_PLANE.ladderCapture, 'B7')).toBe(1); // atari from below: White runs right and dies
    expect(get(LEE_PLANE.ladderCapture, 'C8')).toBe(0); // atari from the right: White gets out downwards
    // A white stone on the ladder's path breaks it.
    const broken = boardFromDiagram(LADDER_BROKEN);
    broken.toPlay = BLACK;
    get = planesOf(broken);
    expect(get(LEE_PLANE.ladderCapture, 'B7')).toBe(0);
    // White to move after Black's atari at B7: running at C8 escapes only with the breaker.
    board.play(v('B7', 9), BLACK);
    broken.play(v('B7', 9), BLACK);
    expect(planesOf(board)(LEE_PLANE.ladderEscape, 'C8')).toBe(0);
    expect(planesOf(broken)(LEE_PLANE.ladderEscape, 'C8')).toBe(1);
  });

  it('counts turns since each stone was played from the game history', () => {
    const game = new Game(9);
    const moves = ['E5', 'C3', 'G7', 'C7', 'G3', 'E3', 'E7', 'C5', 'G5'];
    for (const m of moves) game.play(v(m, 9));
    const area = 81;
    const out = new Float32Array(LEE_FEATURE_PLANES * area);
    encodeLeeGameFeatures(out, 0, game);
    const turns = (vertex: string): number => {
      for (let k = 0; k < 8; k++) if (out[(LEE_PLANE.turnsSince + k) * area + v(vertex, 9)] === 1) return k + 1;
      return -1;
    };
    expect(turns('G5')).toBe(1);
    expect(turns('C5')).toBe(2);
    expect(turns('C3')).toBe(8);
    expect(turns('E5')).toBe(8);
    expect(turns('A1')).toBe(-1);
    // White to move: own = white stones.
    expect(out[LEE_PLANE.own * area + v('C3', 9)]).toBe(1);
    // The stone-array entry point gives the same planes.
    const again = new Float32Array(LEE_FEATURE_PLANES * area);
    encodeLeeFeatures(again, 0, 9, game.stonesHistory(8), game.toPlay);
    expect(Array.from(again)).toEqual(Array.from(out));
  });

  it('rejects buffers that are too small', () => {
    const game = new Game(9);
    expect(() => encodeLeeGameFeatures(new Float32Array(10), 0, game)).toThrow(/do not fit/);
  });
});
