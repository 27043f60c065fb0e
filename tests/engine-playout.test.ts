import { describe, expect, it } from 'vitest';
import { Board, EMPTY, PASS, RecentPositions, Rng, randomPlayout } from '../engine/index.js';

describe('RecentPositions', () => {
  it('remembers exactly the last `capacity` keys', () => {
    const recent = new RecentPositions(3);
    for (const key of [10, 11, 12, 13]) recent.push(key);
    expect([10, 11, 12, 13].map((k) => recent.has(k))).toEqual([false, true, true, true]);
    recent.clear();
    expect(recent.has(13)).toBe(false);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RecentPositions(0)).toThrow(/positive integer/);
    expect(() => new RecentPositions(2.5)).toThrow(/positive integer/);
  });
});

describe('random playouts with a superko window', () => {
  it('play legal non-eye-filling moves and never capture ko-style back into a recent ko position', () => {
    const rng = new Rng(99);
    const window = 8;
    const recent = new RecentPositions(window);
    let koCaptures = 0;
    for (let game = 0; game < 60; game++) {
      const size = [5, 7, 9][game % 3]!;
      const b = new Board(size);
      const lastKeys = [b.positionKey()];
      recent.clear();
      recent.push(b.positionKey());
      for (let i = 0; i < size * size * 3 && b.passes < 2; i++) {
        const color = b.toPlay;
        const move = b.randomMove(rng, color, recent);
        let koShaped = false;
        const capturedBefore = b.captures[color]!;
        if (move !== PASS) {
          expect(b.isLegal(move, color)).toBe(true);
          expect(b.isEyeLike(move, color)).toBe(false);
          koShaped = b.neighborsOf(move).every((q) => b.stones[q] !== EMPTY);
        }
        b.playLegal(move, color);
        const key = b.positionKey();
        if (koShaped && b.captures[color]! > capturedBefore) {
          koCaptures++;
          expect(lastKeys.includes(key)).toBe(false);
        }
        // As randomPlayout does: remember the positions reached by ko captures.
        if (b.koPoint >= 0) {
          recent.push(key);
          lastKeys.push(key);
          if (lastKeys.length > window) lastKeys.shift();
        }
        b.checkInvariants();
      }
    }
    expect(koCaptures).toBeGreaterThan(50); // the check above ran on real ko captures
  });

  it('end by passing where simple ko alone leaves many 9x9 playouts cycling to the move cap', () => {
    const cappedFraction = (window: number): number => {
      const rng = new Rng(5);
      const start = new Board(9);
      const b = new Board(9);
      let capped = 0;
      const n = 1000;
      for (let i = 0; i < n; i++) {
        b.copyFrom(start);
        randomPlayout(b, rng, b.area * 2, window);
        if (b.passes < 2) capped++;
      }
      return capped / n;
    };
    const without = cappedFraction(0);
    const with16 = cappedFraction(16);
    expect(without).toBeGreaterThan(0.05);
    expect(with16).toBeLessThan(without / 5);
  });
});

describe('random playouts without a superko window', () => {
  const setUpFromScratch = (b: Board): Board => {
    const same = new Board(b.size, b.rules);
    for (let p = 0; p < b.area; p++) {
      const c = b.stones[p]!;
      if (c !== EMPTY) same.placeSetupStone(p, c);
    }
    return same;
  };

  it('leave a hash equal to that of the same stones set up from scratch, kept up to date by later moves', () => {
    const rng = new Rng(21);
    for (const size of [5, 9, 13]) {
      const b = new Board(size);
      randomPlayout(b, rng);
      expect(b.positionKey()).toBe(setUpFromScratch(b).positionKey());
      // After that read the hash is updated move by move again (checkInvariants recomputes and compares).
      for (let i = 0; i < 10; i++) b.playLegal(b.randomMove(rng), b.toPlay);
      b.checkInvariants();
      expect(b.positionKey()).toBe(setUpFromScratch(b).positionKey());
    }
  });

  it('keep the hash of a board under superko rules right (its history is checked after every move)', () => {
    const b = new Board(7, { ko: 'positional' });
    randomPlayout(b, new Rng(4));
    b.checkInvariants();
    expect(b.positionKey()).toBe(setUpFromScratch(b).positionKey());
  });
});

describe('random playouts recording who played each point first', () => {
  it('record the colour of the first move at every point, exactly as the moves were played, and nothing else', () => {
    for (const [size, window] of [[7, 0], [9, 0], [9, 16]] as const) {
      const seed = 31 + size + window;
      // The playout itself, recorded.
      const b = new Board(size);
      const first = new Uint8Array(size * size);
      const moves = randomPlayout(b, new Rng(seed), b.area * 2, window, first);
      // The same playout without recording: recording changes nothing about it.
      const plain = new Board(size);
      expect(randomPlayout(plain, new Rng(seed), plain.area * 2, window)).toBe(moves);
      expect(Array.from(plain.stones)).toEqual(Array.from(b.stones));
      if (window > 0) continue;
      // The same moves replayed one by one (randomPlayout's loop without a window), first players noted here.
      const replay = new Board(size);
      const rng = new Rng(seed);
      const expected = new Uint8Array(size * size);
      for (let i = 0; i < moves; i++) {
        const color = replay.toPlay;
        const move = replay.randomMove(rng, color);
        if (move !== PASS && expected[move] === 0) expected[move] = color;
        replay.playLegal(move, color);
      }
      expect(Array.from(first)).toEqual(Array.from(expected));
      // Captures happen in random playouts, so some points end with a stone of the other colour.
      expect(first.some((c, p) => b.stones[p] !== EMPTY && b.stones[p] !== c)).toBe(true);
      // Points never played are empty at the end.
      for (let p = 0; p < b.area; p++) if (first[p] === 0) expect(b.stones[p]).toBe(EMPTY);
    }
  });

  it('leave points the caller marked before the playout as they were', () => {
    const b = new Board(9);
    const first = new Uint8Array(81);
    first[40] = 2; // "White played the centre before the playout"
    randomPlayout(b, new Rng(8), b.area * 2, 0, first);
    expect(first[40]).toBe(2);
    expect(first.filter((c) => c === 1).length).toBeGreaterThan(10);
  });
});
