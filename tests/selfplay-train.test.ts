import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../engine/rng.js';
import { defaultNetConfig } from '../src/nn/config.js';
import { createNet } from '../src/nn/model.js';
import { TfjsTrainer } from '../src/nn/tfjs-trainer.js';
import type { TrainParamSpec } from '../src/nn/train-graph.js';
import { OnnxTrainer, modelWeights, setModelWeights, toGraphLayout, toTfjsLayout, zeroVelocities } from '../src/nn/trainer.js';
import type { TrainingBatch } from '../selfplay/train-data.js';

await tf.setBackend('cpu');

function randomBatch(count: number, size: number, planes: number, seed: number): TrainingBatch {
  const rng = new Rng(seed);
  const area = size * size;
  const batch: TrainingBatch = {
    count,
    planes: new Float32Array(count * planes * area),
    policy: new Float32Array(count * (area + 1)),
    value: new Float32Array(count),
  };
  for (let i = 0; i < batch.planes.length; i++) batch.planes[i] = rng.next() < 0.3 ? 1 : 0;
  for (let n = 0; n < count; n++) {
    let sum = 0;
    for (let a = 0; a <= area; a++) {
      const w = rng.next() < 0.4 ? rng.next() : 0;
      batch.policy[n * (area + 1) + a] = w;
      sum += w;
    }
    for (let a = 0; a <= area; a++) batch.policy[n * (area + 1) + a]! /= sum;
    batch.value[n] = rng.next() < 0.5 ? 1 : -1;
  }
  return batch;
}

describe('ONNX training graph', () => {
  it('converts convolution kernels between tfjs and ONNX layouts', () => {
    // tfjs shape (3, 3, 2, 5) = ONNX (5, 2, 3, 3).
    const spec: TrainParamSpec = { name: 'c.weight', layer: 'c', weightIndex: 0, kind: 'conv', shape: [5, 2, 3, 3], decay: true };
    const config = defaultNetConfig(5, { blocks: 1, filters: 4, valueHidden: 8 });
    const data = Float32Array.from({ length: 90 }, (_, i) => i);
    const oihw = toGraphLayout(spec, data, config);
    // tfjs [y][x][i][o] = ONNX [o][i][y][x]
    expect(oihw[((4 * 2 + 1) * 3 + 2) * 3 + 0]).toBe(data[((2 * 3 + 0) * 2 + 1) * 5 + 4]);
    expect(Array.from(toTfjsLayout(spec, oihw, config))).toEqual(Array.from(data));
  });

  it('matches tfjs autodiff: losses, weights, momentum buffers and BN statistics after two steps', async () => {
    const config = defaultNetConfig(5, { blocks: 1, filters: 4, valueHidden: 8 });
    const options = { momentum: 0.9, l2: 1e-3 };
    const reference = createNet(config, { seed: 7 });
    const initial = modelWeights(reference.model);
    // The ONNX trainer copies the weights now; the tfjs trainer then trains reference.model in place.
    const onnx = await OnnxTrainer.create(reference, { ...options, velocities: zeroVelocities(reference.model), threads: 1 });
    const tfjs = await TfjsTrainer.create(reference, 'cpu', options);
    for (let step = 0; step < 2; step++) {
      const batch = randomBatch(6, 5, 18, 100 + step);
      const a = await tfjs.step(batch.planes, batch.policy, batch.value, batch.count, 0.05);
      const b = await onnx.step(batch.planes, batch.policy, batch.value, batch.count, 0.05);
      expect(b.policy).toBeCloseTo(a.policy, 4);
      expect(b.value).toBeCloseTo(a.value, 4);
      expect(b.l2).toBeCloseTo(a.l2, 5);
    }
    const sa = tfjs.state();
    const sb = onnx.state();
    const compare = (xs: typeof sa.weights, ys: typeof sa.weights): void => {
      expect(ys.map((w) => w.name).sort()).toEqual(xs.map((w) => w.name).sort());
      const byName = new Map(ys.map((w) => [w.name, w]));
      for (const w of xs) {
        const other = byName.get(w.name)!;
        let maxDiff = 0;
        let scale = 1e-3;
        for (let i = 0; i < w.data.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(w.data[i]! - other.data[i]!));
          scale = Math.max(scale, Math.abs(w.data[i]!));
        }
        expect(maxDiff / scale, w.name).toBeLessThan(2e-4);
      }
    };
    compare(sa.weights, sb.weights);
    compare(sa.velocities, sb.velocities);
    // The training moved the weights (the comparison is not between two untouched copies).
    const moved = sa.weights.find((w) => w.name === 'policy_dense/kernel')!;
    const before = initial.find((w) => w.name === 'policy_dense/kernel')!;
    expect(moved.data.some((v, i) => Math.abs(v - before.data[i]!) > 1e-4)).toBe(true);
    const movedMean = sa.weights.find((w) => w.name === 'stem_bn/moving_mean')!;
    expect(movedMean.data.some((v, i) => v !== initial.find((w) => w.name === 'stem_bn/moving_mean')!.data[i])).toBe(true);
    // Weights round-trip into a tfjs model.
    const copy = createNet(config);
    setModelWeights(copy.model, sb.weights);
    compare(sb.weights, modelWeights(copy.model));
    // A saved state resumes in either trainer: an ONNX trainer built from the tfjs trainer's weights and
    // momentum buffers takes the same next step as the tfjs trainer.
    const resumedNet = createNet(config);
    setModelWeights(resumedNet.model, sa.weights);
    const resumed = await OnnxTrainer.create(resumedNet, { ...options, velocities: sa.velocities, threads: 1 });
    const next = randomBatch(6, 5, 18, 300);
    await tfjs.step(next.planes, next.policy, next.value, next.count, 0.05);
    await resumed.step(next.planes, next.policy, next.value, next.count, 0.05);
    compare(tfjs.state().weights, resumed.state().weights);
    compare(tfjs.state().velocities, resumed.state().velocities);
    await resumed.dispose();
    await onnx.dispose();
    await tfjs.dispose();
  });
});

describe('BatchNorm statistics', () => {
  it('are the same from the ONNX graph and from tfjs, and re-estimate the moving statistics', async () => {
    const { calibrateBatchNorm } = await import('../selfplay/bn-calibration.js');
    const config = defaultNetConfig(5, { blocks: 1, filters: 4, valueHidden: 8 });
    const options = { momentum: 0.9, l2: 1e-3 };
    const reference = createNet(config, { seed: 3 });
    const state = { weights: modelWeights(reference.model), velocities: zeroVelocities(reference.model) };
    const onnx = await OnnxTrainer.create(reference, { ...options, threads: 1 });
    const tfjs = await TfjsTrainer.create(reference, 'cpu', options);
    const batch = randomBatch(8, 5, 18, 5);
    const a = await tfjs.batchNormStatistics(batch.planes, batch.count);
    const b = await onnx.batchNormStatistics(batch.planes, batch.count);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(a.size).toBe(1 + 2 + 2); // stem, two in the block, policy and value heads
    for (const [layer, s] of a) {
      const t = b.get(layer)!;
      s.mean.forEach((m, c) => expect(t.mean[c]).toBeCloseTo(m, 4));
      s.variance.forEach((v, c) => expect(t.variance[c]).toBeCloseTo(v, 4));
    }
    // Statistics change nothing: the model's own moving statistics are untouched.
    expect(modelWeights(reference.model).find((w) => w.name === 'stem_bn/moving_mean')!.data).toEqual(state.weights.find((w) => w.name === 'stem_bn/moving_mean')!.data);
    // Calibrating on one batch sets the moving statistics to that batch's.
    const calibrated = await calibrateBatchNorm(onnx, onnx.state(), () => batch, 1);
    const mm = calibrated.weights.find((w) => w.name === 'stem_bn/moving_mean')!;
    a.get('stem_bn')!.mean.forEach((m, c) => expect(mm.data[c]).toBeCloseTo(m, 4));
    await onnx.dispose();
    await tfjs.dispose();
  });
});

describe('training checkpoints', () => {
  it('round-trip the trainer state and reject a damaged file', async () => {
    const { encodeCheckpoint, decodeCheckpoint } = await import('../selfplay/checkpoint.js');
    const net = createNet(defaultNetConfig(5, { blocks: 1, filters: 4, valueHidden: 8 }), { seed: 2 });
    const state = { weights: modelWeights(net.model), velocities: zeroVelocities(net.model) };
    state.velocities[0]!.data[3] = 0.25;
    const bytes = encodeCheckpoint({ step: 7, totalSteps: 107, parent: 'gen0003' }, state);
    const back = decodeCheckpoint('x', bytes);
    expect(back.info).toEqual({ step: 7, totalSteps: 107, parent: 'gen0003' });
    expect(back.state.weights.map((w) => w.name)).toEqual(state.weights.map((w) => w.name));
    back.state.weights.forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(state.weights[i]!.data)));
    expect(back.state.velocities[0]!.data[3]).toBe(0.25);
    const damaged = Uint8Array.from(bytes);
    damaged[damaged.length - 40]! ^= 4;
    expect(() => decodeCheckpoint('x', damaged)).toThrow(/checksum/);
  });

  it('a training job stopped half-way and resumed ends with the same network as one that ran through', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { defaultRunConfig } = await import('../selfplay/config.js');
    const { RunDir } = await import('../selfplay/run-dir.js');
    const { initialiseRun } = await import('../selfplay/run.js');
    const { trainCandidate } = await import('../selfplay/train.js');
    const { playSelfplayGames } = await import('../selfplay/selfplay.js');
    const { SimpleEvaluator } = await import('../src/search/simple-evaluator.js');
    const { loadNet } = await import('../src/nn/model-io.js');
    const config = defaultRunConfig(5, { blocks: 1, filters: 8, train: { batchSize: 16, checkpointEvery: 3, bnCalibrationBatches: 2 }, selfplay: { visits: 8, gamesPerShard: 2 } });
    const runs = [0, 1].map(() => new RunDir(join(mkdtempSync(join(tmpdir(), 'tengen-resume-')), 'run')));
    for (const run of runs) {
      run.create(config);
      await initialiseRun(run, config, () => undefined);
      await playSelfplayGames({
        size: 5, komi: config.komi, config: config.selfplay, firstGame: 0, games: 4,
        shardPath: (i) => run.shardPath(1, i), sgfPath: (i) => join(run.gamesDir(1), `g${i}.sgf`),
        seed: 9, networkName: 'simple', evaluator: new SimpleEvaluator(5, { komi: config.komi }),
      });
    }
    // Both runs start from the same gen0000 (seeded) and identical games (same seeds, net-free evaluator).
    const train = (run: InstanceType<typeof RunDir>, steps: number) =>
      trainCandidate({ run, config, generation: 1, parentDir: run.networkDir(0), parentName: 'gen0000', outDir: run.networkDir(1), steps, threads: 1 });
    const straight = await train(runs[0]!, 8);
    await train(runs[1]!, 4);
    const resumed = await train(runs[1]!, 8);
    expect(straight.resumedFrom).toBe(0);
    expect(resumed.resumedFrom).toBe(4);
    const a = modelWeights((await loadNet(runs[0]!.networkDir(1))).model);
    const b = modelWeights((await loadNet(runs[1]!.networkDir(1))).model);
    a.forEach((w, i) => {
      const maxDiff = w.data.reduce((m, x, j) => Math.max(m, Math.abs(x - b[i]!.data[j]!)), 0);
      expect(maxDiff, w.name).toBeLessThan(1e-5);
    });
  });
});
