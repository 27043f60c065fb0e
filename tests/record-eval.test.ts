import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PASS } from '../engine/color.js';
import { Game } from '../engine/game.js';
import { gameToSgf } from '../engine/sgf.js';
import { defaultNetConfig } from '../src/nn/config.js';
import type { Evaluator, EvalOutput } from '../src/nn/evaluator.js';
import { ZERO_PLANE, featureSize } from '../src/nn/features.js';
import { createNet } from '../src/nn/model.js';
import { saveNet } from '../src/nn/model-io.js';
import { evaluateOnRecords } from '../selfplay/record-eval.js';
import { evaluateMain } from '../selfplay/record-eval-main.js';
import { RolloutPolicy } from '../src/lee/rollout-policy.js';
import { packageRolloutPolicyPath } from '../src/lee/model-set.js';

await tf.setBackend('cpu');

const SIZE = 5;
const AREA = SIZE * SIZE;

/** Policy 0.5 on point 12 (the centre), the rest spread evenly; value +0.5 for Black to move, −0.5 for White. */
class CentreEvaluator implements Evaluator {
  readonly info = { boardSize: SIZE, featureSet: 'zero' as const, inputPlanes: 18 };
  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    const policy = new Float32Array(count * (AREA + 1)).fill(0.5 / AREA);
    const value = new Float32Array(count);
    const perPosition = featureSize('zero', SIZE);
    for (let i = 0; i < count; i++) {
      policy[i * (AREA + 1) + 12] = 0.5;
      // Zero features: the last plane but one is all ones when Black is to move.
      const blackToMove = planes[i * perPosition + ZERO_PLANE.blackToMove * AREA] === 1;
      value[i] = blackToMove ? 0.5 : -0.5;
    }
    return { policy, value };
  }
  async dispose(): Promise<void> {}
}

function writeGame(dir: string, name: string, moves: number[], result: string, size = SIZE): string {
  const game = new Game(size, { komi: 0.5 });
  for (const m of moves) game.play(m);
  const path = join(dir, name);
  writeFileSync(path, gameToSgf(game, { result }));
  return path;
}

describe('scoring a network on recorded games (tengen evaluate)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('counts top-1 hits, averages −ln p and (v − z)², and mixes rollout values by λ', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-receval-'));
    // Black plays the centre (a top-1 hit, p 0.5), White 6 (p 0.5/25), Black passes (p 0.5/25). Black won.
    const files = [writeGame(dir, 'a.sgf', [12, 6, PASS], 'B+R'), writeGame(dir, 'b.sgf', [3, 4, 5], '9x9', 9)];
    const rolloutValue = vi.fn((_board: unknown, komi: number) => (komi === 0.5 ? -1 : 0));
    const r = await evaluateOnRecords({ evaluator: new CentreEvaluator(), files, rolloutValue, lambdas: [0, 0.5, 1] });
    expect(r.games).toBe(1);
    expect(r.positions).toBe(3);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.reason).toMatch(/board size 9/);
    expect(r.top1).toBeCloseTo(1 / 3, 6);
    expect(r.policyCrossEntropy).toBeCloseTo((-Math.log(0.5) - 2 * Math.log(0.5 / AREA)) / 3, 5);
    // Black to move: v 0.5, z +1; White to move: v −0.5, z −1. Each error 0.25.
    expect(r.valueMse).toBeCloseTo(0.25, 6);
    // Rollouts say −1 for everyone: Black's error 4, White's 0.
    expect(r.rolloutMse).toBeCloseTo((4 + 0 + 4) / 3, 6);
    const mixed = Object.fromEntries(r.mixedMse!.map((m) => [m.lambda, m.mse]));
    expect(mixed[0]).toBeCloseTo(r.valueMse, 6);
    expect(mixed[1]).toBeCloseTo(r.rolloutMse!, 6);
    // λ 0.5: Black (−0.25 − 1)² = 1.5625, White (−0.75 + 1)² = 0.0625.
    expect(mixed[0.5]).toBeCloseTo((1.5625 + 0.0625 + 1.5625) / 3, 6);
    expect(rolloutValue).toHaveBeenCalledTimes(3);
  });

  it('runs from the command line on a saved network, and rejects bad options with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-receval-'));
    const net = createNet(defaultNetConfig(SIZE, { blocks: 1, filters: 4, valueHidden: 8 }), { seed: 2 });
    await saveNet(net, join(dir, 'net'));
    net.model.dispose();
    writeGame(dir, 'a.sgf', [12, 6, 7, 8], 'W+R');
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    expect(await evaluateMain(['--model', join(dir, 'net'), '--sgf', dir, '--rollouts', '2', '--lambda', '0.5', '--json', '--backend', 'onnx', '--threads', '1'])).toBe(0);
    const r = JSON.parse(out.join('')) as { positions: number; top1: number; valueMse: number; rolloutMse: number; mixedMse: { lambda: number }[] };
    expect(r.positions).toBe(4);
    expect(r.top1).toBeGreaterThanOrEqual(0);
    expect(r.valueMse).toBeGreaterThan(0);
    expect(r.rolloutMse).toBeGreaterThanOrEqual(0);
    expect(r.mixedMse.map((m) => m.lambda)).toEqual([0.5]);
    expect(await evaluateMain(['--model', join(dir, 'net'), '--sgf', dir, '--lambda', '0.5'])).toBe(2);
    expect(err.join('')).toMatch(/--lambda needs --rollouts/);
    expect(await evaluateMain(['--model', join(dir, 'net'), '--sgf', dir, '--rollouts', '2', '--lambda', '1.5'])).toBe(2);
    expect(await evaluateMain(['--model', join(dir, 'net'), '--sgf', join(dir, 'nothing-here')])).toBe(2);
    expect(await evaluateMain(['--sgf', dir])).toBe(2);
  });

  it('scores the rollouts of the rollout policy given by --rollout-policy, and refuses a missing or broken file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-receval-rp-'));
    const net = createNet(defaultNetConfig(SIZE, { blocks: 1, filters: 4, valueHidden: 8 }), { seed: 2 });
    await saveNet(net, join(dir, 'net'));
    net.model.dispose();
    // Black lives in the centre, White gets little: the result is clear from every position.
    writeGame(dir, 'a.sgf', [12, 0, 7, 4, 17, 20, 11], 'B+R');
    writeGame(dir, 'b.sgf', [12, 24, 13, 0, 6, 4], 'B+R');
    // A policy with no patterns that nearly always answers two or three points away from the previous move:
    // its rollouts are not the shipped policy's, so neither is their error.
    const jumper = new RolloutPolicy().toJSON();
    writeFileSync(join(dir, 'jump.json'), JSON.stringify({ ...jumper, scalars: { ...jumper.scalars, distance3: 8, jump: 8 } }));
    writeFileSync(join(dir, 'broken.json'), '{"format": "something else"}');
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    const run = async (extra: string[]): Promise<{ rolloutMse: number; rolloutPolicy: string }> => {
      out.length = 0;
      expect(await evaluateMain(['--model', join(dir, 'net'), '--sgf', dir, '--rollouts', '16', '--json', '--backend', 'onnx', '--threads', '1', ...extra])).toBe(0);
      return JSON.parse(out.join('')) as { rolloutMse: number; rolloutPolicy: string };
    };
    const shipped = await run([]);
    expect(shipped.rolloutPolicy).toBe(packageRolloutPolicyPath());
    expect(await run(['--rollout-policy', packageRolloutPolicyPath()])).toEqual(shipped);
    const jump = await run(['--rollout-policy', join(dir, 'jump.json')]);
    expect(jump.rolloutPolicy).toBe(join(dir, 'jump.json'));
    expect(jump.rolloutMse).not.toBe(shipped.rolloutMse);
    expect(await evaluateMain(['--model', join(dir, 'net'), '--sgf', dir, '--rollouts', '2', '--rollout-policy', join(dir, 'missing.json')])).toBe(2);
    expect(err.join('')).toMatch(/missing\.json does not exist/);
    expect(await evaluateMain(['--model', join(dir, 'net'), '--sgf', dir, '--rollouts', '2', '--rollout-policy', join(dir, 'broken.json')])).toBe(2);
    expect(err.join('')).toMatch(/broken\.json: /);
    expect(await evaluateMain(['--model', join(dir, 'net'), '--sgf', dir, '--rollout-policy', join(dir, 'jump.json')])).toBe(2);
    expect(err.join('')).toMatch(/--rollout-policy needs --rollouts/);
  });
});
