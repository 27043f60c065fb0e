import { describe, expect, it } from 'vitest';
import { BLACK, Board, PASS, Rng, WHITE, score, type StoneColor } from '../engine/index.js';
import { Rollout } from '../src/lee/rollout.js';
import { RolloutPolicy, defaultRolloutPolicy, shippedRolloutPolicy } from '../src/lee/rollout-policy.js';
import { RolloutFeatures } from '../src/lee/rollout-features.js';

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
            expect(board.isEyeLike(move, color)).toBe(false);
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

  it('ends every playout by two passes or a repeated position, well before the move cap', () => {
    const rng = new Rng(11);
    for (const size of [7, 9, 13]) {
      const rollout = new Rollout(defaultRolloutPolicy(), size);
      const ends = { passes: 0, repetition: 0, cap: 0 };
      for (let game = 0; game < 100; game++) {
        const board = new Board(size);
        rollout.start(board);
        const moves = rollout.playout(rng);
        ends[rollout.lastEnd]++;
        if (rollout.lastEnd === 'passes') expect(board.passes).toBe(2);
        expect(moves).toBeLessThan(size * size * 3);
      }
      expect(ends.cap).toBe(0);
      expect(ends.passes).toBeGreaterThan(0);
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
