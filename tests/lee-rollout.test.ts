import { describe, expect, it } from 'vitest';
import { BLACK, Board, PASS, Rng, WHITE, score, type StoneColor } from '../engine/index.js';
import { Rollout } from '../src/lee/rollout.js';
import { RolloutPolicy, defaultRolloutPolicy, shippedRolloutPolicy } from '../src/lee/rollout-policy.js';
import { FEATURE, RolloutFeatures } from '../src/lee/rollout-features.js';

/** A policy with random pattern weights, so that stale weights would show up as differences. */
function randomPolicy(rng: Rng, size: number): RolloutPolicy {
  const policy = defaultRolloutPolicy();
  const features = new RolloutFeatures(size);
  // Harvest real patterns from random positions and give them random weights.
  const board = new Board(size);
  for (let i = 0; i < size * size * 2 && board.passes < 2; i++) {
    for (let p = 0; p < board.area; p++) {
      if (features.isCandidate(board, p, board.toPlay)) {
        features.staticMask(board, p, board.toPlay);
        policy.addPattern3(features.pattern3, rng.normal());
        if (board.lastMove !== null && board.lastMove >= 0) {
          features.responseMask(board, p, board.toPlay, board.lastMove, -1);
          if (features.response >= 0) policy.addResponse(features.response, rng.normal());
        }
      }
    }
    board.playLegal(board.randomMove(rng), board.toPlay);
  }
  return policy;
}

describe('rollout', () => {
  it('keeps incremental weights equal to weights computed from scratch', () => {
    const rng = new Rng(7);
    for (const size of [7, 9]) {
      const policy = randomPolicy(rng, size);
      const rollout = new Rollout(policy, size);
      const fresh = new Rollout(policy, size);
      for (let game = 0; game < 4; game++) {
        const board = new Board(size);
        rollout.start(board);
        fresh.start(board);
        let steps = 0;
        while (board.passes < 2 && steps < 400) {
          for (const color of [BLACK, WHITE] as StoneColor[]) {
            for (let p = 0; p < board.area; p++) {
              const expected = fresh.staticWeight(p, color);
              const got = rollout.weightOf(p, color);
              if (Math.abs(got - expected) > 1e-9 * Math.max(1, expected)) {
                throw new Error(`step ${steps} size ${size}: weight of ${p} for ${color} is ${got}, expected ${expected}\n${board.toString()}`);
              }
            }
          }
          rollout.play(rollout.selectMove(rng));
          board.checkInvariants();
          steps++;
        }
      }
    }
  });

  it('plays only legal moves, passes only when no move is left, and ends games', () => {
    const rng = new Rng(3);
    const features = new RolloutFeatures(9);
    for (const size of [5, 9, 13]) {
      const rollout = new Rollout(defaultRolloutPolicy(), size);
      const cap = size * size * 3;
      for (let game = 0; game < 20; game++) {
        const board = new Board(size);
        rollout.start(board);
        let moves = 0;
        while (board.passes < 2 && moves < cap) {
          const color = board.toPlay;
          const move = rollout.selectMove(rng);
          if (move !== PASS) {
            expect(board.isLegalIgnoringSuperko(move, color)).toBe(true);
            if (board.isEyeLike(move, color)) {
              // Only to connect a chain out of atari (a ko): afterwards the joined chain has 2+ liberties.
              const inAtari = board.neighborsOf(move).some((q) => board.stones[q] === color && board.liberties(q) === 1);
              const after = board.copy();
              after.playLegal(move, color);
              expect(inAtari && after.liberties(move) >= 2, `filled an eye at ${move}\n${board.toString()}`).toBe(true);
            }
          } else if (size === 9) {
            for (let p = 0; p < board.area; p++) {
              const allowed = features.isCandidate(board, p, color) && !(p === board.koPoint && color === board.koColor);
              expect(allowed, `pass while ${p} was playable`).toBe(false);
            }
          }
          rollout.play(move);
          moves++;
        }
      }
    }
  });

  it('ends every playout by two passes, kos included (connected or refused by superko), well before the cap', () => {
    const rng = new Rng(11);
    for (const size of [7, 9, 13]) {
      const rollout = new Rollout(shippedRolloutPolicy(), size);
      const ends = { passes: 0, cap: 0 };
      let koCaptures = 0;
      let playedTotal = 0;
      for (let game = 0; game < 60; game++) {
        const board = new Board(size);
        rollout.start(board);
        const seen = new Set<number>([board.positionKey()]);
        let moves = 0;
        while (board.passes < 2 && moves < size * size * 3) {
          const color = board.toPlay;
          const move = rollout.selectMove(rng);
          rollout.play(move);
          moves++;
          if (move === PASS || board.koPoint < 0) continue;
          // A ko capture never brings back a position an earlier ko capture of the rollout reached.
          koCaptures++;
          expect(seen.has(board.positionKey()), `ko capture ${move} for ${color} repeats a position`).toBe(false);
          seen.add(board.positionKey());
        }
        ends[board.passes >= 2 ? 'passes' : 'cap']++;
        board.copyFrom(new Board(size));
        rollout.start(board);
        const played = rollout.playout(rng);
        expect(rollout.lastEnd).toBe('passes');
        expect(board.passes).toBe(2);
        playedTotal += played;
      }
      expect(ends.cap).toBe(0);
      // Natural ends: a rollout fills the board about once (captures refill some of it), far from the cap.
      expect(playedTotal / 60).toBeLessThan(size * size * 1.5);
      expect(koCaptures).toBeGreaterThan(0);
    }
  });

  it('draws from the probabilities of a from-scratch reference (same features, same weights)', () => {
    const rng = new Rng(29);
    for (const size of [7, 9]) {
      for (const policy of [shippedRolloutPolicy(), randomPolicy(rng, size)]) {
        const rollout = new Rollout(policy, size);
        const probabilities = new Float64Array(size * size);
        for (let game = 0; game < 3; game++) {
          const board = new Board(size);
          // Positions along a rollout (so kos, captures and the response region all occur), each checked
          // from a fresh start with a nakade point, and along the way with incremental weights.
          const follower = new Rollout(policy, size);
          follower.start(board);
          let moves = 0;
          while (board.passes < 2 && moves < size * size * 2) {
            if (moves % 5 === 0) {
              const copy = board.copy();
              const vital = copy.emptyPoints > 0 ? copy.emptyPointAt(moves % copy.emptyPoints) : -1;
              rollout.start(copy, vital);
              rollout.moveProbabilities(probabilities);
              expectProbabilities(probabilities, referenceProbabilities(copy, policy, vital), copy);
              follower.moveProbabilities(probabilities);
              expectProbabilities(probabilities, referenceProbabilities(board, policy, follower.nakadeVital), board);
            }
            follower.play(follower.selectMove(rng));
            moves++;
          }
        }
      }
    }
  });

  it('ships a trained policy that beats uniformly random play on 9x9', () => {
    const policy = shippedRolloutPolicy();
    expect(policy.pattern3Count).toBeGreaterThan(100);
    const rng = new Rng(17);
    const size = 9;
    let wins = 0;
    const games = 20;
    for (let g = 0; g < games; g++) {
      const board = new Board(size);
      const rollout = new Rollout(policy, size);
      rollout.start(board);
      const policyColor: StoneColor = g % 2 === 0 ? BLACK : WHITE;
      let moves = 0;
      while (board.passes < 2 && moves < size * size * 3) {
        rollout.play(board.toPlay === policyColor ? rollout.selectMove(rng) : board.randomMove(rng));
        moves++;
      }
      const margin = score(board, { komi: 7, scoring: 'area' }).margin;
      if (margin > 0 === (policyColor === BLACK)) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(16);
  });

  it('samples moves with the probabilities the trained features give (what training fits is what is played)', () => {
    const policy = shippedRolloutPolicy();
    const size = 9;
    const rng = new Rng(23);
    const features = new RolloutFeatures(size);
    for (let trial = 0; trial < 3; trial++) {
      const board = new Board(size);
      for (let i = 0; i < 15 + 10 * trial; i++) board.playLegal(board.randomMove(rng), board.toPlay);
      const color = board.toPlay;
      // Exact π(a|s) from the features, as the trainer computes them.
      const scores = new Map<number, number>();
      for (let p = 0; p < board.area; p++) {
        if (!features.isCandidate(board, p, color) || (p === board.koPoint && color === board.koColor)) continue;
        const mask = features.staticMask(board, p, color);
        const pattern3 = features.pattern3;
        const response = features.responseMask(board, p, color, board.lastMove, -1);
        scores.set(p, Math.exp(policy.score(mask | response, pattern3, features.response)));
      }
      const total = [...scores.values()].reduce((a, b) => a + b, 0);
      const rollout = new Rollout(policy, size);
      rollout.start(board);
      const draws = 20000;
      const counts = new Map<number, number>();
      for (let i = 0; i < draws; i++) {
        const m = rollout.selectMove(rng);
        counts.set(m, (counts.get(m) ?? 0) + 1);
      }
      let distance = 0;
      for (const p of new Set([...scores.keys(), ...counts.keys()])) {
        distance += Math.abs((counts.get(p) ?? 0) / draws - (scores.get(p) ?? 0) / total);
      }
      // Total variation distance; sampling noise alone gives about 0.02 here.
      expect(distance / 2).toBeLessThan(0.04);
    }
  });
});

function expectProbabilities(got: Float64Array, expected: Float64Array, board: Board): void {
  for (let p = 0; p < expected.length; p++) {
    if (Math.abs(got[p]! - expected[p]!) > 1e-12 + 1e-9 * expected[p]!) {
      throw new Error(`point ${p}: probability ${got[p]}, reference ${expected[p]}\n${board.toString()}`);
    }
  }
}

const PATTERN3_RING: ReadonlyArray<readonly [number, number]> = [
  [-1, -1], [-1, 0], [-1, 1], [0, 1], [1, 1], [1, 0], [1, -1], [0, -1],
];
const DIAMOND: ReadonlyArray<readonly [number, number]> = [
  [-2, 0], [-1, -1], [-1, 0], [-1, 1], [0, -2], [0, -1], [0, 1], [0, 2], [1, -1], [1, 0], [1, 1], [2, 0],
];

/**
 * π(a|s) for the player to move, straight from the definitions in rollout-features.ts, by playing each move
 * on a copy (none of the incremental machinery or of RolloutFeatures): candidates are legal, not the simple-ko
 * point, and not an own eye-like point unless filling it leaves a joined chain in atari with 2+ liberties.
 */
function referenceProbabilities(board: Board, policy: RolloutPolicy, nakadeVital: number): Float64Array {
  const size = board.size;
  const color = board.toPlay;
  const enemy = color === BLACK ? WHITE : BLACK;
  const at = (p: number, dr: number, dc: number): number => {
    const r = Math.floor(p / size) + dr;
    const c = (p % size) + dc;
    return r >= 0 && r < size && c >= 0 && c < size ? r * size + c : -1;
  };
  const bit = (f: keyof typeof FEATURE): number => 1 << FEATURE[f];
  const out = new Float64Array(board.area);
  let total = 0;
  for (let p = 0; p < board.area; p++) {
    if (!board.isLegalIgnoringSuperko(p, color)) continue;
    const orthogonal = board.neighborsOf(p);
    const ownInAtari = orthogonal.some((q) => board.stones[q] === color && board.liberties(q) === 1);
    const after = board.copy();
    after.playLegal(p, color);
    const libsAfter = after.liberties(p);
    if (board.isEyeLike(p, color) && !(ownInAtari && libsAfter >= 2)) continue;
    const captured = after.captures[color]! - board.captures[color]!;
    let mask = 0;
    if (captured > 0) mask |= bit('capture');
    if (captured >= 2) mask |= bit('captureMany');
    if (libsAfter >= 2) {
      if (ownInAtari) mask |= bit('saveAtari');
    } else {
      mask |= orthogonal.some((q) => board.stones[q] === color) ? bit('selfAtariChain') : bit('selfAtariSingle');
    }
    if (orthogonal.some((q) => board.stones[q] === enemy && board.liberties(q) === 2)) mask |= bit('atari');
    let pattern3 = 0;
    PATTERN3_RING.forEach(([dr, dc], i) => {
      const q = at(p, dr, dc);
      const bucket = q < 0 ? 0 : Math.min(board.liberties(q), 3) - 1;
      const state = q < 0 ? 1 : board.stones[q] === 0 ? 0 : (board.stones[q] === color ? 2 : 5) + bucket;
      pattern3 |= state << (3 * i);
    });
    if (p === nakadeVital) mask |= bit('nakade');
    let response = -1;
    const prev = board.lastMove;
    if (prev !== null && prev >= 0) {
      const dr = Math.floor(p / size) - Math.floor(prev / size);
      const dc = (p % size) - (prev % size);
      const d = Math.abs(dr) + Math.abs(dc);
      if (d === 1) mask |= bit('adjacent');
      else if (d === 2) mask |= dr !== 0 && dc !== 0 ? bit('diagonal') : bit('jump');
      else if (d === 3) mask |= bit('distance3');
      const slot = DIAMOND.findIndex(([a, b]) => a === dr && b === dc);
      if (slot >= 0) {
        let code = 0;
        DIAMOND.forEach(([a, b], i) => {
          const q = at(prev, a, b);
          const state = q < 0 ? 1 : board.stones[q] === 0 ? 0 : board.stones[q] === color ? 2 : 3;
          code |= state << (2 * i);
        });
        const libs = board.stones[prev] === 0 ? 0 : Math.min(board.liberties(prev), 3);
        response = (code | (slot << 24) | (libs << 28)) >>> 0;
      }
    }
    out[p] = Math.exp(policy.score(mask, pattern3, response));
    total += out[p]!;
  }
  if (board.koColor === color && board.koPoint >= 0) {
    total -= out[board.koPoint]!;
    out[board.koPoint] = 0;
  }
  for (let p = 0; p < board.area; p++) out[p] = total > 0 ? out[p]! / total : 0;
  return out;
}

