import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import { createNet, type PolicyValueNet } from '../src/nn/model.js';
import { buildTrainGraph, TRAIN_INPUT, TRAIN_LOSS, type TrainGraph } from '../src/nn/train-graph.js';
import { TfjsTrainer } from '../src/nn/tfjs-trainer.js';
import { OnnxTrainer, readTrainState, toGraphLayout, toTfjsLayout } from '../src/nn/trainer.js';

const size = 4;
const area = size * size;
const batch = 3;
const l2 = 1e-3;

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296;
}

function trainingBatch(seed: number): { planes: Float32Array; policy: Float32Array; value: Float32Array } {
  const rnd = lcg(seed);
  const planes = Float32Array.from({ length: batch * 18 * area }, () => (rnd() < 0.3 ? 1 : 0));
  const policy = new Float32Array(batch * (area + 1));
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let a = 0; a <= area; a++) sum += policy[b * (area + 1) + a] = rnd() ** 3;
    for (let a = 0; a <= area; a++) policy[b * (area + 1) + a]! /= sum;
  }
  const value = Float32Array.from({ length: batch }, () => (rnd() < 0.5 ? -1 : 1));
  return { planes, policy, value };
}

/**
 * tfjs autodiff of the same loss on the tfjs model in training mode (batch-statistics BN), or with
 * `training` false in inference mode (moving statistics).
 */
function tfjsReference(net: PolicyValueNet, data: ReturnType<typeof trainingBatch>, training = true) {
  const x = tf.tensor4d(data.planes, [batch, 18, size, size]);
  const pi = tf.tensor2d(data.policy, [batch, area + 1]);
  const z = tf.tensor2d(data.value, [batch, 1]);
  const vars = net.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = net.model.trainableWeights.filter((w) => w.originalName.endsWith('/kernel')).map((w) => w.read());
  const losses: Record<string, number> = {};
  const { grads } = tf.variableGrads(() => {
    const [logits, v] = net.model.apply(x, { training }) as tf.Tensor[];
    const policyLoss = tf.mean(tf.neg(tf.sum(tf.mul(pi, tf.logSoftmax(logits!)), 1)));
    const valueLoss = tf.mean(tf.square(tf.sub(z, v!)));
    const l2Loss = tf.mul(l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k)))));
    losses.policy = policyLoss.dataSync()[0]!;
    losses.value = valueLoss.dataSync()[0]!;
    losses.l2 = l2Loss.dataSync()[0]!;
    return tf.addN([policyLoss, valueLoss, l2Loss]) as tf.Scalar;
  }, vars);
  const byName = new Map<string, Float32Array>();
  net.model.trainableWeights.forEach((w, i) => byName.set(w.originalName, grads[vars[i]!.name]!.dataSync() as Float32Array));
  return { losses, grads: byName };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// Both policy heads: AlphaGo Zero's dense layer over the board, and the 1x1-convolution head (a logit per point, pass from board means).
for (const policyHead of ['dense', 'conv'] as const) {
const config = defaultNetConfig(size, { blocks: 1, filters: 4, valueHidden: 8, ...(policyHead === 'conv' ? { policyHead, policyFilters: 3 } : {}) });
describe(`ONNX training graph (${policyHead} policy head)`, () => {
  let graph: TrainGraph;
  beforeAll(() => {
    graph = buildTrainGraph(config, { l2, momentum: 0.9, outputGradients: true });
  });

  it('layout conversions round-trip for every parameter', () => {
    const net = createNet(config, { seed: 3 });
    for (const p of graph.params) {
      const tfjsData = net.model.layers.find((l) => l.name === p.layer)!.getWeights()[p.weightIndex]!.dataSync() as Float32Array;
      expect(toTfjsLayout(p, toGraphLayout(p, tfjsData, config), config)).toEqual(tfjsData);
    }
    // Every trainable tfjs weight is a graph parameter, every BN statistic a graph statistic.
    expect(graph.params.length).toBe(net.model.trainableWeights.length);
    expect(graph.stats.length).toBe(net.model.weights.length - net.model.trainableWeights.length);
  });

  /** One step of `g` on `net`'s weights (lr 0.1, non-zero momentum buffers); checks losses, gradients and the update against tfjs. */
  async function checkStepAgainstTfjs(g: TrainGraph, net: PolicyValueNet, training: boolean): Promise<Record<string, ort.Tensor>> {
    const data = trainingBatch(5);
    const state = readTrainState(net.model, g);
    const session = await ort.InferenceSession.create(g.bytes);
    const feeds: Record<string, ort.Tensor> = {
      [TRAIN_INPUT.planes]: new ort.Tensor('float32', data.planes, [batch, 18, size, size]),
      [TRAIN_INPUT.policy]: new ort.Tensor('float32', data.policy, [batch, area + 1]),
      [TRAIN_INPUT.value]: new ort.Tensor('float32', data.value, [batch, 1]),
      [TRAIN_INPUT.lr]: new ort.Tensor('float32', Float32Array.of(0.1), [1]),
    };
    // A non-zero momentum buffer checks the update rule m' = 0.9 m + g, w' = w − lr m'.
    const momenta = state.params.map((p) => Float32Array.from(p, (_, i) => ((i % 7) - 3) * 0.01));
    g.params.forEach((p, i) => {
      feeds[p.name] = new ort.Tensor('float32', state.params[i]!, p.shape);
      feeds[`${p.name}.momentum`] = new ort.Tensor('float32', momenta[i]!, p.shape);
    });
    g.stats.forEach((s, i) => (feeds[s.name] = new ort.Tensor('float32', state.stats[i]!, s.shape)));
    const out = await session.run(feeds);
    await session.release();

    const ref = tfjsReference(net, data, training); // in training mode also applies tfjs's moving-statistics update
    expect((out[TRAIN_LOSS.policy]!.data as Float32Array)[0]).toBeCloseTo(ref.losses.policy!, 5);
    expect((out[TRAIN_LOSS.value]!.data as Float32Array)[0]).toBeCloseTo(ref.losses.value!, 5);
    expect((out[TRAIN_LOSS.l2]!.data as Float32Array)[0]).toBeCloseTo(ref.losses.l2!, 6);

    let worst = 0;
    g.params.forEach((p, i) => {
      const role = { conv: 'kernel', dense: 'kernel', gamma: 'gamma', beta: 'beta', bias: 'bias' }[p.kind];
      const tfjsName = `${p.layer}/${role}`;
      const expected = ref.grads.get(tfjsName)!;
      const got = toTfjsLayout(p, out[`${p.name}.grad`]!.data as Float32Array, config);
      const diff = maxAbsDiff(got, expected);
      worst = Math.max(worst, diff);
      expect(diff, `${p.name} gradient`).toBeLessThanOrEqual(1e-5 * Math.max(1, maxAbs(expected)));
      const grad = out[`${p.name}.grad`]!.data as Float32Array;
      const m = Float32Array.from(momenta[i]!, (mv, j) => 0.9 * mv + grad[j]!);
      expect(maxAbsDiff(out[`${p.name}.momentum.new`]!.data as Float32Array, m)).toBeLessThan(1e-6);
      const w = Float32Array.from(state.params[i]!, (wv, j) => wv - 0.1 * m[j]!);
      expect(maxAbsDiff(out[`${p.name}.new`]!.data as Float32Array, w)).toBeLessThan(1e-6);
    });
    console.log(`train graph vs tfjs autodiff (${training ? 'batch' : 'moving'} statistics): largest absolute gradient difference ${worst.toExponential(2)}`);
    return out;
  }

  it('gradients, losses, SGD update and BN statistics match tfjs autodiff in training mode', async () => {
    const net = createNet(config, { seed: 17 });
    const statsBefore = net.model.weights.filter((w) => !w.trainable).map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
    const out = await checkStepAgainstTfjs(graph, net, true);
    const statsAfter = net.model.weights.filter((w) => !w.trainable);
    graph.stats.forEach((s) => {
      const idx = statsAfter.findIndex((w) => w.originalName === `${s.layer}/${s.weightIndex === 2 ? 'moving_mean' : 'moving_variance'}`);
      expect(idx).toBeGreaterThanOrEqual(0);
      const expected = statsAfter[idx]!.read().dataSync() as Float32Array;
      expect(maxAbsDiff(expected, statsBefore[idx]!)).toBeGreaterThan(0);
      expect(maxAbsDiff(out[`${s.name}.new`]!.data as Float32Array, expected)).toBeLessThan(1e-6);
    });
  });

  it('with frozen BatchNorm, gradients and update match tfjs autodiff in inference mode, and the statistics stay', async () => {
    const frozen = buildTrainGraph(config, { l2, momentum: 0.9, outputGradients: true, frozenBatchNorm: true });
    const net = createNet(config, { seed: 23 });
    // Moving statistics far from the batch's (a fresh net has mean 0, variance 1), so that normalising with
    // the batch's instead would show.
    const rnd = lcg(41);
    for (const w of net.model.weights.filter((x) => !x.trainable)) {
      const n = w.shape.reduce((a, b) => (a ?? 1) * (b ?? 1), 1) ?? 1;
      const isVariance = w.originalName.endsWith('moving_variance');
      w.write(tf.tensor(Float32Array.from({ length: n }, () => (isVariance ? 0.2 + 2 * rnd() : rnd() - 0.5)), w.shape as number[]));
    }
    const statsBefore = net.model.weights.filter((w) => !w.trainable).map((w) => ({ name: w.originalName, data: Float32Array.from(w.read().dataSync() as Float32Array) }));
    const out = await checkStepAgainstTfjs(frozen, net, false);
    for (const s of frozen.stats) {
      const before = statsBefore.find((w) => w.name === `${s.layer}/${s.weightIndex === 2 ? 'moving_mean' : 'moving_variance'}`)!;
      expect(maxAbsDiff(out[`${s.name}.new`]!.data as Float32Array, before.data)).toBe(0);
    }
  });

  it('OnnxTrainer lowers the loss on a fixed batch and writes weights back into the tfjs model', async () => {
    const net = createNet(config, { seed: 9 });
    const data = trainingBatch(11);
    const trainer = await OnnxTrainer.create(net, { l2: 1e-4, threads: 1 });
    const first = await trainer.step(data.planes, data.policy, data.value, batch, 0.05);
    let last = first;
    for (let i = 0; i < 30; i++) last = await trainer.step(data.planes, data.policy, data.value, batch, 0.05);
    expect(last.policy + last.value).toBeLessThan(0.7 * (first.policy + first.value));
    const before = await createEvaluator({ model: net, backend: 'cpu' });
    const beforeOut = await before.evaluate(data.planes, batch);
    await before.dispose();
    trainer.writeBack(net);
    expect(net.trainingSteps).toBe(31);
    const after = await createEvaluator({ model: net, backend: 'onnx', threads: 1 });
    const afterOut = await after.evaluate(data.planes, batch);
    await after.dispose();
    // The trained weights are in the model: its outputs changed.
    expect(maxAbsDiff(afterOut.value, beforeOut.value)).toBeGreaterThan(1e-3);
    await expect(trainer.step(data.planes, data.policy, data.value, 0, 0.1)).rejects.toThrow(/count must be a positive integer/);
    await trainer.dispose();
  });

  it('OnnxTrainer and TfjsTrainer (tfjs cpu autodiff) agree step for step', async () => {
    const onnxNet = createNet(config, { seed: 31 });
    const tfjsNet = createNet(config, { seed: 31 });
    const onnx = await OnnxTrainer.create(onnxNet, { l2: 1e-3, momentum: 0.9, threads: 1 });
    const reference = await TfjsTrainer.create(tfjsNet, 'cpu', { l2: 1e-3, momentum: 0.9 });
    for (let step = 0; step < 4; step++) {
      const data = trainingBatch(100 + step);
      const a = await onnx.step(data.planes, data.policy, data.value, batch, 0.05);
      const b = await reference.step(data.planes, data.policy, data.value, batch, 0.05);
      expect(a.policy).toBeCloseTo(b.policy, 4);
      expect(a.value).toBeCloseTo(b.value, 4);
      expect(a.l2).toBeCloseTo(b.l2, 5);
    }
    onnx.writeBack(onnxNet);
    reference.writeBack(tfjsNet);
    expect(onnxNet.trainingSteps).toBe(4);
    expect(tfjsNet.trainingSteps).toBe(4);
    const wa = onnxNet.model.getWeights();
    const wb = tfjsNet.model.getWeights();
    let worst = 0;
    wa.forEach((w, i) => (worst = Math.max(worst, maxAbsDiff(w.dataSync(), wb[i]!.dataSync()))));
    expect(worst).toBeLessThan(1e-4);
    await onnx.dispose();
    await reference.dispose();
  });
});
}
