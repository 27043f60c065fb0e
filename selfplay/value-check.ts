/**
 * A check that a trained network's value head still says something: its outputs on real training
 * positions must spread. A value head can die in SGD — its BatchNorm drives every pre-activation below
 * zero, the ReLU outputs 0 for every input, and v becomes one constant (seen in the 9x9 bootstrap at
 * lr 0.02 with one value filter: loss stuck at 1.0). Nothing else would notice: the policy head keeps
 * improving, gating may still promote the network, and search then runs on a constant value.
 */
import { Rng } from '../engine/rng.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import type { TrainingWindow } from './train-data.js';

/** Below this standard deviation over real positions the value output counts as constant. */
export const DEAD_VALUE_STD = 0.02;

export interface ValueSpread {
  positions: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** std < DEAD_VALUE_STD. */
  constant: boolean;
}

/** Evaluates `positions` random window positions with the saved network in `modelDir` (onnxruntime). */
export async function measureValueSpread(modelDir: string, data: TrainingWindow, positions = 256, seed = 1): Promise<ValueSpread> {
  const evaluator = await createEvaluator({ modelDir, backend: 'onnx', threads: 1 });
  try {
    const batch = data.createBatch(Math.min(positions, 64));
    const rng = new Rng(seed);
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    let min = Infinity;
    let max = -Infinity;
    while (n < positions) {
      data.sample(batch, rng);
      const out = await evaluator.evaluate(batch.planes, batch.count);
      for (let i = 0; i < batch.count; i++) {
        const v = out.value[i]!;
        sum += v;
        sumSq += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      n += batch.count;
    }
    const mean = sum / n;
    const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    return { positions: n, mean, std, min, max, constant: std < DEAD_VALUE_STD };
  } finally {
    await evaluator.dispose();
  }
}
