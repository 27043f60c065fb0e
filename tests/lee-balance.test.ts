import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BLACK, Board, Rng, WHITE } from '../engine/index.js';
import { Game } from '../engine/game.js';
import { gameToSgf } from '../engine/sgf.js';
import { Rollout } from '../src/lee/rollout.js';
import { RolloutPolicy, shippedRolloutPolicy } from '../src/lee/rollout-policy.js';
import { SCALAR_COUNT } from '../src/lee/rollout-features.js';
import { SimulationBalancer, balancePositions, type BalancePosition } from '../src/lee/simulation-balancing.js';
import { trainRolloutMain } from '../src/lee/main.js';

/** A 9x9 position after `moves` random legal moves that leave eyes alone. */
function randomPosition(seed: number, moves: number): Board {
  const board = new Board(9);
  const rng = new Rng(seed);
  for (let i = 0; i < moves; i++) board.play(board.randomMove(rng));
  return board;
}

/** log π(move) under the rollout policy at `board` (the rollout's own distribution). */
function logProbability(policy: RolloutPolicy, board: Board, move: number): number {
  const rollout = new Rollout(policy, board.size);
  const copy = board.copy();
  rollout.start(copy);
  const out = new Float64Array(board.area);
  rollout.moveProbabilities(out);
  return Math.log(out[move]!);
}

describe('simulation balancing of the rollout policy', () => {
  afterEach(() => vi.restoreAllMocks());

  it('computes ψ = ∇θ log π(a|s) that matches finite differences of the rollout’s own move distribution', () => {
    for (const seed of [3, 8]) {
      const board = randomPosition(seed, 20);
      const policy = shippedRolloutPolicy();
      const balancer = new SimulationBalancer(policy, 9);
      const probabilities = new Float64Array(81);
      const rollout = new Rollout(policy, 9);
      rollout.start(board.copy());
      rollout.moveProbabilities(probabilities);
      // The likeliest move and one unlikely candidate.
      const candidates = [...probabilities.keys()].filter((p) => probabilities[p]! > 0).sort((a, b) => probabilities[b]! - probabilities[a]!);
      for (const move of [candidates[0]!, candidates[candidates.length - 1]!]) {
        const psi = new Float64Array(SCALAR_COUNT + policy.pattern3Count + policy.responseCount);
        balancer.scoreFunction(board, move, psi);
        const nonZero = [...psi.keys()].filter((k) => Math.abs(psi[k]!) > 1e-6);
        expect(nonZero.length).toBeGreaterThan(3);
        // Scalars, 3x3 patterns and response patterns all take part.
        expect(nonZero.some((k) => k < SCALAR_COUNT)).toBe(true);
        expect(nonZero.some((k) => k >= SCALAR_COUNT && k < SCALAR_COUNT + policy.pattern3Count)).toBe(true);
        const eps = 1e-4;
        const weightArray = (k: number): [Float64Array, number] =>
          k < SCALAR_COUNT
            ? [policy.scalarWeights, k]
            : k < SCALAR_COUNT + policy.pattern3Count
              ? [policy.pattern3Weights, k - SCALAR_COUNT]
              : [policy.responseWeights, k - SCALAR_COUNT - policy.pattern3Count];
        // Every weight with a non-zero ψ, and a few with none (their finite difference must be 0 too).
        const zeros = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, SCALAR_COUNT + 5, SCALAR_COUNT + 100].filter((k) => !nonZero.includes(k));
        for (const k of [...nonZero, ...zeros]) {
          const [array, i] = weightArray(k);
          const w = array[i]!;
          array[i] = w + eps;
          const up = logProbability(policy, board, move);
          array[i] = w - eps;
          const down = logProbability(policy, board, move);
          array[i] = w;
          expect((up - down) / (2 * eps), `weight ${k}`).toBeCloseTo(psi[k]!, 5);
        }
      }
    }
  });

  it('moves the mean rollout outcome toward the targets it is given, up for +1 and down for −1', () => {
    // Twelve 5x5 positions a few random moves in, Black to move; the same positions balanced once toward
    // "Black wins" and once toward "White wins", from the same weights and seeds.
    const rng = new Rng(5);
    const boards: Board[] = [];
    while (boards.length < 12) {
      const board = new Board(5);
      const moves = 6 + 2 * rng.int(3);
      for (let i = 0; i < moves; i++) board.play(board.randomMove(rng));
      if (board.toPlay === BLACK) boards.push(board);
    }
    const judged = (policy: RolloutPolicy, target: number): number => {
      const judge = new SimulationBalancer(policy, 5, { seed: 77 });
      return boards.reduce((sum, board) => sum + judge.value({ board, komi: 0.5, target }, 256), 0) / boards.length;
    };
    const base = judged(shippedRolloutPolicy(), 0);
    const balanced = (target: number): number => {
      const policy = shippedRolloutPolicy();
      const balancer = new SimulationBalancer(policy, 5, { learningRate: 1, valueRollouts: 8, gradientRollouts: 8, seed: 2 });
      const positions: BalancePosition[] = boards.map((board) => ({ board, komi: 0.5, target }));
      for (let epoch = 1; epoch <= 20; epoch++) {
        const r = balancer.epoch(positions, epoch);
        expect(r.positions).toBe(12);
        expect(r.largestStep).toBeGreaterThan(0);
        expect(r.largestStep).toBeLessThanOrEqual(0.5); // the per-weight clip
      }
      return judged(policy, target);
    };
    const towardBlack = balanced(1);
    const towardWhite = balanced(-1);
    expect(towardBlack).toBeGreaterThan(base);
    expect(towardWhite).toBeLessThan(base);
    expect(towardBlack - towardWhite).toBeGreaterThan(0.3);
  });

  it('draws positions from records after their first moves, with each game’s result for Black', () => {
    const game = new Game(9, { komi: 7.5 });
    const rng = new Rng(4);
    for (let i = 0; i < 30; i++) game.play(game.board.randomMove(rng));
    const short = new Game(9, { komi: 7.5 });
    short.play(40);
    const positions = balancePositions(
      [
        { game, winner: WHITE },
        { game: short, winner: BLACK },
      ],
      5,
      8,
      1,
    );
    expect(positions).toHaveLength(5);
    for (const p of positions) {
      expect(p.target).toBe(-1);
      expect(p.komi).toBe(7.5);
      const stones = p.board.stones.filter((s) => s !== 0).length;
      expect(stones).toBeGreaterThanOrEqual(8 - 2); // captures can only take a few off
    }
    // Five different positions.
    expect(new Set(positions.map((p) => p.board.positionKey())).size).toBe(5);
  });

  it('runs from the command line: train-rollout --balance writes a balanced policy and refuses options of the other mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-balance-'));
    for (let g = 0; g < 4; g++) {
      const game = new Game(9, { komi: 7.5 });
      const rng = new Rng(10 + g);
      for (let i = 0; i < 24; i++) game.play(game.board.randomMove(rng));
      writeFileSync(join(dir, `g${g}.sgf`), gameToSgf(game, { result: g % 2 === 0 ? 'B+R' : 'W+R' }));
    }
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    const file = join(dir, 'balanced.json');
    expect(await trainRolloutMain(['--sgf', dir, '--balance', '--out', file, '--epochs', '2', '--rollouts', '4', '--positions-per-game', '3', '--lr', '0.05'])).toBe(0);
    expect(out.join('')).toMatch(/balancing .* on 12 positions from 4 9x9 games/);
    expect(out.join('')).toMatch(/epoch 2: rollout value MSE \d\.\d{4}/);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { scalars: Record<string, number>; training: { balancing: { positions: number; epochs: unknown[] } } };
    expect(written.training.balancing.positions).toBe(12);
    expect(written.training.balancing.epochs).toHaveLength(2);
    const shipped = shippedRolloutPolicy().toJSON();
    expect(written.scalars).not.toEqual(shipped.scalars);
    // The balanced file loads as a rollout policy.
    expect(RolloutPolicy.load(file).pattern3Count).toBe(shipped.pattern3.length);
    expect(await trainRolloutMain(['--sgf', dir, '--rollouts', '4'])).toBe(2);
    expect(err.join('')).toMatch(/--rollouts needs --balance/);
    expect(await trainRolloutMain(['--sgf', dir, '--balance', '--holdout', '0.2'])).toBe(2);
    expect(err.join('')).toMatch(/--holdout is for move prediction/);
  });
});
