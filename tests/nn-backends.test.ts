import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator, probeBackend, type BackendEvaluator } from '../src/nn/create-evaluator.js';
import { planesPerPosition, policySize, type BackendName } from '../src/nn/evaluator.js';
import { createNet, type PolicyValueNet } from '../src/nn/model.js';
import { saveNet } from '../src/nn/model-io.js';

/** Random positions: stone planes 0/1 at random, side-to-move plane constant per position, ones plane. */
function randomPlanes(count: number, size: number, seed: number): Float32Array {
  const area = size * size;
  const planes = new Float32Array(count * 18 * area);
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < count; i++) {
    const base = i * 18 * area;
    for (let j = 0; j < 16 * area; j++) planes[base + j] = rnd() < 0.25 ? 1 : 0;
    planes.fill(rnd() < 0.5 ? 1 : 0, base + 16 * area, base + 17 * area);
    planes.fill(1, base + 17 * area, base + 18 * area);
  }
  return planes;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const policyHead of ['dense', 'conv'] as const) {
describe(`backend parity against tfjs cpu (${policyHead} policy head)`, () => {
  const config = defaultNetConfig(7, { blocks: 2, filters: 16, ...(policyHead === 'conv' ? { policyHead, policyFilters: 4 } : {}) });
  let net: PolicyValueNet;
  let dir: string;
  let reference: BackendEvaluator;
  const count = 5;
  const planes = randomPlanes(count, 7, 99);

  beforeAll(async () => {
    net = createNet(config, { seed: 1234 });
    dir = await mkdtemp(join(tmpdir(), 'tengen-nn-'));
    await saveNet(net, dir);
    // The reference: the tfjs layers model itself on the cpu backend.
    reference = await createEvaluator({ model: net, backend: 'cpu', tfjsGraph: 'layers' });
  });
  afterAll(async () => {
    await reference.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('cpu reference gives normalised policies and values in [-1, 1]', async () => {
    const out = await reference.evaluate(planes, count);
    const actions = policySize(reference.info);
    expect(out.policy.length).toBe(count * actions);
    expect(out.value.length).toBe(count);
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let a = 0; a < actions; a++) sum += out.policy[i * actions + a]!;
      expect(sum).toBeCloseTo(1, 5);
      expect(Math.abs(out.value[i]!)).toBeLessThanOrEqual(1);
    }
    // A random-weight net must not be trivially constant, or parity would prove nothing.
    expect(maxAbsDiff(out.value.subarray(0, 1), out.value.subarray(1, 2))).toBeGreaterThan(1e-4);
  });

  for (const backend of ['onnx', 'wasm', 'cpu', 'tensorflow', 'webgpu'] as BackendName[]) {
    for (const source of ['model', 'modelDir'] as const) {
      // tfjs backends run the fused forward pass by default: parity-test it and the layers model.
      const graphs = backend === 'onnx' ? ([undefined] as const) : source === 'model' ? (['fused', 'layers'] as const) : (['fused'] as const);
      for (const tfjsGraph of graphs) {
      it(`${backend}${tfjsGraph ? ` ${tfjsGraph}` : ''} (from ${source}) matches cpu within 1e-4`, async (ctx) => {
        const probe = await probeBackend(backend);
        if (!probe.available) {
          if (backend === 'onnx' || backend === 'wasm' || backend === 'cpu') throw new Error(probe.reason);
          ctx.skip();
        }
        const expected = await reference.evaluate(planes, count);
        const tensorsAtStart = tf.memory().numTensors;
        const evaluator = await createEvaluator(
          source === 'model' ? { model: net, backend, threads: 1, tfjsGraph } : { modelDir: dir, backend, threads: 1, tfjsGraph },
        );
        try {
          expect(evaluator.backend).toBe(backend);
          // Longer input than needed: only `count` positions are read.
          const padded = new Float32Array(planes.length + planesPerPosition(evaluator.info));
          padded.set(planes);
          const got = await evaluator.evaluate(padded, count);
          expect(maxAbsDiff(got.policy, expected.policy)).toBeLessThanOrEqual(1e-4);
          expect(maxAbsDiff(got.value, expected.value)).toBeLessThanOrEqual(1e-4);
          // Batch composition must not matter: position 3 alone equals position 3 in the batch.
          const tensorsBefore = tf.memory().numTensors;
          const single = await evaluator.evaluate(planes.subarray(3 * planesPerPosition(evaluator.info)), 1);
          expect(tf.memory().numTensors, 'evaluate leaks no tfjs tensors').toBe(tensorsBefore);
          const actions = policySize(evaluator.info);
          expect(maxAbsDiff(single.policy, expected.policy.subarray(3 * actions, 4 * actions))).toBeLessThanOrEqual(1e-4);
        } finally {
          await evaluator.dispose();
        }
        expect(tf.memory().numTensors, 'dispose frees the evaluator tensors').toBe(tensorsAtStart);
      });
      }
    }
  }

  it('auto picks onnx on a machine without a GPU backend', async () => {
    const gpu = (await probeBackend('webgpu')).available || (await probeBackend('tensorflow')).available;
    const evaluator = await createEvaluator({ model: net, backend: 'auto' });
    try {
      if (!gpu) expect(evaluator.backend).toBe('onnx');
      const out = await evaluator.evaluate(planes, 1);
      expect(out.value.length).toBe(1);
    } finally {
      await evaluator.dispose();
    }
  });

  it('rejects bad arguments with clear errors', async () => {
    const evaluator = await createEvaluator({ model: net, backend: 'onnx', threads: 1 });
    try {
      await expect(evaluator.evaluate(planes, 0)).rejects.toThrow(/count must be a positive integer/);
      await expect(evaluator.evaluate(planes.subarray(0, 10), 1)).rejects.toThrow(/need 882 floats, got 10/);
    } finally {
      await evaluator.dispose();
    }
    await expect(createEvaluator({ model: net, backend: 'nope' as BackendName })).rejects.toThrow(/unknown backend 'nope'/);
    await expect(createEvaluator({ backend: 'cpu' })).rejects.toThrow(/exactly one of modelDir and model/);
  });

  it('unavailable optional backends fail with a reason', async () => {
    for (const backend of ['tensorflow', 'webgpu'] as const) {
      const probe = await probeBackend(backend);
      if (probe.available) continue;
      await expect(createEvaluator({ model: net, backend })).rejects.toThrow(new RegExp(`backend '${backend}' is not available: .+`));
    }
  });
});
}
