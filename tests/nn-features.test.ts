import { describe, expect, it } from 'vitest';
import { BLACK, Game, WHITE } from '../engine/index.js';
import {
  encodeBoardFeatures,
  encodeFeatures,
  encodeGameFeatures,
  encodeZeroFeatures,
  featurePlaneCount,
  featureSize,
  ZERO_PLANE,
  ZERO_PLANES,
} from '../src/nn/features.js';
import { inverseSymmetry, SYMMETRY_COUNT, symmetryTables, transformPlanes, transformPoint, transformPolicy } from '../src/nn/symmetry.js';
import { v } from './helpers.js';

function plane(out: Float32Array, k: number, area: number, offset = 0): number[] {
  return Array.from(out.subarray(offset + k * area, offset + (k + 1) * area));
}

describe('Zero features', () => {
  it('has 18 planes (lee reserved at 48)', () => {
    expect(ZERO_PLANES).toBe(18);
    expect(featurePlaneCount('zero')).toBe(18);
    expect(featurePlaneCount('lee')).toBe(48);
    expect(featureSize('zero', 9)).toBe(18 * 81);
  });

  it('encodes own/opponent stones relative to the side to move, history newest first', () => {
    const size = 3;
    const area = 9;
    const now = Uint8Array.from([1, 0, 0, 0, 2, 0, 0, 0, 1]);
    const before = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 1]);
    const out = new Float32Array(5 + ZERO_PLANES * area).fill(7);
    encodeZeroFeatures(out, 5, size, [now, before], WHITE);
    expect(out[4]).toBe(7); // nothing written before the offset
    expect(plane(out, ZERO_PLANE.ownStones, area, 5)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(plane(out, ZERO_PLANE.opponentStones, area, 5)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(plane(out, ZERO_PLANE.ownStones + 1, area, 5)).toEqual(new Array(9).fill(0));
    expect(plane(out, ZERO_PLANE.opponentStones + 1, area, 5)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1]);
    for (let t = 2; t < 8; t++) {
      expect(plane(out, ZERO_PLANE.ownStones + t, area, 5).every((x) => x === 0)).toBe(true);
      expect(plane(out, ZERO_PLANE.opponentStones + t, area, 5).every((x) => x === 0)).toBe(true);
    }
    expect(plane(out, ZERO_PLANE.blackToMove, area, 5).every((x) => x === 0)).toBe(true);
    expect(plane(out, ZERO_PLANE.onBoard, area, 5).every((x) => x === 1)).toBe(true);

    encodeZeroFeatures(out, 5, size, [now, before], BLACK);
    expect(plane(out, ZERO_PLANE.ownStones, area, 5)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(plane(out, ZERO_PLANE.blackToMove, area, 5).every((x) => x === 1)).toBe(true);
  });

  it('board and game encoders agree with the plain-data encoder', () => {
    const size = 5;
    const game = new Game(size);
    for (const m of ['C3', 'D3', 'C4', 'D4', 'B2']) game.play(v(m, size));
    const history = game.stonesHistory(8);
    expect(history.length).toBe(6);
    const plain = new Float32Array(featureSize('zero', size));
    encodeFeatures('zero', plain, 0, size, history, game.toPlay);
    const fromGame = new Float32Array(plain.length);
    encodeGameFeatures('zero', fromGame, 0, game);
    const fromBoard = new Float32Array(plain.length);
    encodeBoardFeatures('zero', fromBoard, 0, game.board, history.slice(1));
    expect(fromGame).toEqual(plain);
    expect(fromBoard).toEqual(plain);
    // White to move after 5 moves: black's 3 stones are the opponent's now.
    expect(plane(plain, ZERO_PLANE.opponentStones, 25).reduce((a, b) => a + b, 0)).toBe(3);
    expect(plane(plain, ZERO_PLANE.ownStones, 25).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it("dispatches the 'lee' set to its encoder (48 planes)", () => {
    const game = new Game(5);
    for (const m of ['C3', 'D3']) game.play(v(m, 5));
    const fromGame = new Float32Array(featureSize('lee', 5));
    encodeGameFeatures('lee', fromGame, 0, game);
    const fromBoard = new Float32Array(fromGame.length);
    encodeBoardFeatures('lee', fromBoard, 0, game.board, game.stonesHistory(8).slice(1));
    expect(fromBoard).toEqual(fromGame);
    // Plane 3 is all ones in the Lee set.
    expect(plane(fromGame, 3, 25).every((x) => x === 1)).toBe(true);
  });

  it('rejects bad input clearly', () => {
    const out = new Float32Array(ZERO_PLANES * 9);
    expect(() => encodeZeroFeatures(out, 1, 3, [], BLACK)).toThrow(/do not fit/);
    expect(() => encodeZeroFeatures(out, 0, 3, [new Uint8Array(4)], BLACK)).toThrow(/history\[0\] has 4 points, expected 9/);
    expect(() => encodeFeatures('nope' as 'zero', new Float32Array(48 * 9), 0, 3, [], BLACK)).toThrow(/unknown feature set/);
  });
});

describe('symmetries', () => {
  const size = 5;
  const area = size * size;

  it('are 8 distinct permutations with identity 0, and inverseSymmetry undoes each', () => {
    const { forward } = symmetryTables(size);
    const seen = new Set<string>();
    for (let s = 0; s < SYMMETRY_COUNT; s++) {
      expect(new Set(forward[s]).size).toBe(area);
      seen.add(Array.from(forward[s]!).join(','));
      const inv = forward[inverseSymmetry(s)]!;
      for (let p = 0; p < area; p++) expect(inv[forward[s]![p]!]).toBe(p);
    }
    expect(seen.size).toBe(8);
    expect(Array.from(forward[0]!)).toEqual([...Array(area).keys()]);
    expect(transformPoint(size, 3, -1)).toBe(-1);
    // s = 4 is the transpose: (row 0, col 1) -> (row 1, col 0).
    expect(transformPoint(size, 4, 1)).toBe(size);
  });

  it('preserve adjacency (they are symmetries of the grid)', () => {
    for (let s = 0; s < SYMMETRY_COUNT; s++) {
      for (let p = 0; p < area; p++) {
        if ((p + 1) % size === 0) continue;
        const a = transformPoint(size, s, p);
        const b = transformPoint(size, s, p + 1);
        const dr = Math.abs(Math.floor(a / size) - Math.floor(b / size));
        const dc = Math.abs((a % size) - (b % size));
        expect(dr + dc).toBe(1);
      }
    }
  });

  it('transforming the input and inverse-transforming the policy commutes', () => {
    // An equivariant "net": policy logits = own stones plane + 2*opponent plane, pass = stone count.
    const toyPolicy = (planes: Float32Array): Float32Array => {
      const out = new Float32Array(area + 1);
      for (let p = 0; p < area; p++) out[p] = planes[p]! + 2 * planes[ZERO_PLANE.opponentStones * area + p]!;
      out[area] = out.reduce((a, b) => a + b, 0);
      return out;
    };
    const stones = Uint8Array.from({ length: area }, (_, i) => (i * 7) % 3);
    const planes = new Float32Array(ZERO_PLANES * area);
    encodeZeroFeatures(planes, 0, size, [stones], BLACK);
    const direct = toyPolicy(planes);
    for (let s = 0; s < SYMMETRY_COUNT; s++) {
      const transformed = new Float32Array(planes.length);
      transformPlanes(planes, 0, transformed, 0, ZERO_PLANES, size, s);
      const back = new Float32Array(area + 1);
      transformPolicy(toyPolicy(transformed), 0, back, 0, size, inverseSymmetry(s));
      expect(back).toEqual(direct);
      // Encoding the transformed stones directly gives the transformed planes.
      const movedStones = new Uint8Array(area);
      for (let p = 0; p < area; p++) movedStones[transformPoint(size, s, p)] = stones[p]!;
      const encoded = new Float32Array(planes.length);
      encodeZeroFeatures(encoded, 0, size, [movedStones], BLACK);
      expect(encoded).toEqual(transformed);
    }
  });

  it('policy transform keeps pass and inverts exactly', () => {
    const policy = Float32Array.from({ length: area + 1 }, (_, i) => i / 10);
    for (let s = 0; s < SYMMETRY_COUNT; s++) {
      const t = new Float32Array(area + 1);
      const back = new Float32Array(area + 1);
      transformPolicy(policy, 0, t, 0, size, s);
      expect(t[area]).toBe(policy[area]);
      transformPolicy(t, 0, back, 0, size, inverseSymmetry(s));
      expect(back).toEqual(policy);
    }
    expect(() => inverseSymmetry(8)).toThrow(/0..7/);
  });
});
