import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Game } from '../engine/game.js';
import { gameToSgf } from '../engine/sgf.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { createNet } from '../src/nn/model.js';
import { copyNet, readNetMetadata, saveNet } from '../src/nn/model-io.js';
import { bootstrapMain } from '../selfplay/bootstrap-main.js';

await tf.setBackend('cpu');

const SIZE = 5;

/** A saved 5x5 network of the given shape. */
async function savedNet(dir: string, seed: number, filters = 8): Promise<string> {
  const net = createNet(defaultNetConfig(SIZE, { blocks: 1, filters, valueFilters: 2, valueHidden: 8 }), { seed });
  await saveNet(net, dir);
  net.model.dispose();
  return dir;
}

function recordsDir(root: string): string {
  const dir = join(root, 'sgf');
  mkdirSync(dir);
  const sequences = [
    [6, 8, 16, 18, 12],
    [12, 7, 17, 11, 13, 6],
    [0, 24, 6, 18, 12, 4],
  ];
  sequences.forEach((moves, i) => {
    const game = new Game(SIZE, { komi: 0.5 });
    for (const m of moves) game.play(m);
    writeFileSync(join(dir, `g${i}.sgf`), gameToSgf(game, { result: i % 2 === 0 ? 'B+R' : 'W+R' }));
  });
  return dir;
}

describe('tengen bootstrap --from (fine-tuning an existing network)', () => {
  const errors: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    errors.length = 0;
  });
  const quiet = (): void => {
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  };

  it('copies a network byte for byte and refuses a corrupt one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tengen-copynet-'));
    const from = await savedNet(join(root, 'net'), 3);
    await copyNet(from, join(root, 'copy'));
    for (const f of ['metadata.json', 'model.json', 'weights.bin', 'model.onnx']) {
      expect(readFileSync(join(root, 'copy', f)).equals(readFileSync(join(from, f)))).toBe(true);
    }
    const weights = readFileSync(join(from, 'weights.bin'));
    weights[weights.length - 1] ^= 0xff;
    writeFileSync(join(from, 'weights.bin'), weights);
    await expect(copyNet(from, join(root, 'copy2'))).rejects.toThrow(/checksum/);
    expect(existsSync(join(root, 'copy2', 'metadata.json'))).toBe(false);
  });

  it('starts generation 0 from the given network, takes its shape, and trains generation 1 from it', async () => {
    quiet();
    const root = mkdtempSync(join(tmpdir(), 'tengen-from-'));
    const from = await savedNet(join(root, 'net'), 5);
    const sgf = recordsDir(root);
    const run = join(root, 'run');
    const args = ['--run', run, '--sgf', sgf, '--from', from, '--komi', '0.5', '--steps', '2', '--batch-size', '4', '--threads', '1', '--no-progress'];
    expect(await bootstrapMain(args)).toBe(0);
    const source = await readNetMetadata(from);
    const gen0 = await readNetMetadata(join(run, 'networks', 'gen0000'));
    expect(gen0.files['weights.bin'].sha256).toBe(source.files['weights.bin'].sha256);
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as { boardSize: number; blocks: number; filters: number; valueFilters: number };
    expect([config.boardSize, config.blocks, config.filters, config.valueFilters]).toEqual([SIZE, 1, 8, 2]);
    const gen1 = await readNetMetadata(join(run, 'networks', 'gen0001'));
    expect(gen1.parent).toBe('gen0000');
    expect(gen1.trainingSteps).toBe(source.trainingSteps + 2);
    expect(gen1.files['weights.bin'].sha256).not.toBe(source.files['weights.bin'].sha256);
  });

  it('refuses a shape that contradicts the network, and a run that started from another network', async () => {
    quiet();
    const root = mkdtempSync(join(tmpdir(), 'tengen-from-'));
    const from = await savedNet(join(root, 'net'), 5);
    const other = await savedNet(join(root, 'other'), 6);
    const sgf = recordsDir(root);
    const run = join(root, 'run');
    expect(await bootstrapMain(['--run', run, '--sgf', sgf, '--from', from, '--filters', '16', '--komi', '0.5', '--no-train', '--no-progress'])).toBe(2);
    expect(errors.join('')).toMatch(/--filters 16 contradicts --from/);
    expect(existsSync(run)).toBe(false);
    expect(await bootstrapMain(['--run', run, '--sgf', sgf, '--from', from, '--komi', '0.5', '--no-train', '--no-progress'])).toBe(0);
    // The same command again is a resume; another network is refused and the run's generation 0 is kept.
    expect(await bootstrapMain(['--run', run, '--sgf', sgf, '--from', from, '--no-train', '--no-progress'])).toBe(0);
    errors.length = 0;
    expect(await bootstrapMain(['--run', run, '--sgf', sgf, '--from', other, '--no-train', '--no-progress'])).not.toBe(0);
    expect(errors.join('')).toMatch(/already started from another gen0000/);
    const gen0 = await readNetMetadata(join(run, 'networks', 'gen0000'));
    expect(gen0.files['weights.bin'].sha256).toBe((await readNetMetadata(from)).files['weights.bin'].sha256);
    expect(await bootstrapMain(['--run', join(root, 'run2'), '--sgf', sgf, '--from', join(root, 'missing'), '--no-progress'])).toBe(2);
    expect(errors.join('')).toMatch(/--from .*missing/);
  });

  it('creates a run whose generation 0 has the convolutional policy head, and checks the option', async () => {
    quiet();
    const root = mkdtempSync(join(tmpdir(), 'tengen-head-'));
    const sgf = recordsDir(root);
    const run = join(root, 'run');
    expect(await bootstrapMain(['--run', run, '--sgf', sgf, '--size', '5', '--blocks', '1', '--filters', '4', '--policy-head', 'conv', '--policy-filters', '3', '--komi', '0.5', '--steps', '2', '--batch-size', '4', '--threads', '1', '--no-progress'])).toBe(0);
    for (const g of ['gen0000', 'gen0001']) {
      const m = await readNetMetadata(join(run, 'networks', g));
      expect([m.policyHead, m.policyFilters]).toEqual(['conv', 3]);
    }
    expect(await bootstrapMain(['--run', join(root, 'run2'), '--sgf', sgf, '--policy-head', 'convolutional', '--no-train', '--no-progress'])).toBe(2);
    expect(errors.join('')).toMatch(/--policy-head must be dense or conv/);
    // A dense --from network cannot start a conv run.
    const from = await savedNet(join(root, 'net'), 5);
    expect(await bootstrapMain(['--run', join(root, 'run3'), '--sgf', sgf, '--from', from, '--policy-head', 'conv', '--no-train', '--no-progress'])).toBe(2);
    expect(errors.join('')).toMatch(/--policy-head conv contradicts --from/);
  });
});
