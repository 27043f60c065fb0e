/**
 * The supervised loop behind `tengen train-sl` and `tengen train-value`: SGD with momentum on the ONNX
 * training graph (src/nn/trainer.ts) over a LeePositionSet, one head's loss only (AlphaGo Lee trains the
 * policy nets on move labels and the value net on outcomes, never both), a random board symmetry per
 * position, a cosine learning-rate decay, and a held-out evaluation every `evalEvery` steps: top-1 move
 * accuracy for the policy, mean squared error for the value.
 */
import { Rng } from '../../engine/rng.js';
import { createEvaluator } from '../nn/create-evaluator.js';
import { policySize } from '../nn/evaluator.js';
import { netInfo, type PolicyValueNet } from '../nn/model.js';
import { OnnxTrainer } from '../nn/trainer.js';
import type { LeePositionSet } from './lee-positions.js';

export type TrainedHead = 'policy' | 'value';

export interface SupervisedConfig {
  steps: number;
  batchSize: number;
  /** Learning rate at step 0; decays along a cosine to lr / 20 at the last step. */
  lr: number;
  momentum: number;
  l2: number;
  /** Held-out evaluation every this many steps (and after the last). */
  evalEvery: number;
  seed: number;
  threads: number;
}

export const DEFAULT_SUPERVISED: SupervisedConfig = { steps: 4000, batchSize: 64, lr: 0.02, momentum: 0.9, l2: 1e-4, evalEvery: 500, seed: 1, threads: 2 };

export interface HeldOutResult {
  positions: number;
  /** Policy: top-1 accuracy (argmax over every action, pass included, against the move played). */
  accuracy?: number;
  /** Value: mean squared error against z, and that of the constant predictor (the training set's mean z). */
  mse?: number;
  trivialMse?: number;
}

export interface SupervisedLogEntry {
  step: number;
  lr: number;
  /** Mean training loss of the head since the previous entry. */
  loss: number;
  heldOut?: HeldOutResult;
  positionsPerSecond: number;
}

export function cosineLr(base: number, step: number, steps: number): number {
  const floor = base / 20;
  return floor + (base - floor) * 0.5 * (1 + Math.cos((Math.PI * step) / Math.max(1, steps)));
}

/** Held-out figures of a network's head on a set (identity symmetry, batches of 256). */
export async function evaluateHead(net: PolicyValueNet, set: LeePositionSet, head: TrainedHead, trainMeanZ = 0, threads = 2): Promise<HeldOutResult> {
  const evaluator = await createEvaluator({ model: net, backend: 'onnx', threads });
  try {
    const actions = policySize(netInfo(net.config));
    const batch = 256;
    const planes = new Float32Array(batch * set.planeBytes);
    const value = new Float32Array(batch);
    const indices = new Int32Array(batch);
    const symmetries = new Uint8Array(batch);
    let correct = 0;
    let squared = 0;
    let trivial = 0;
    for (let start = 0; start < set.length; start += batch) {
      const n = Math.min(batch, set.length - start);
      for (let i = 0; i < n; i++) indices[i] = start + i;
      set.fillBatch(indices.subarray(0, n), symmetries, planes, undefined, value);
      const out = await evaluator.evaluate(planes, n);
      for (let i = 0; i < n; i++) {
        if (head === 'policy') {
          let best = 0;
          for (let a = 1; a < actions; a++) if (out.policy[i * actions + a]! > out.policy[i * actions + best]!) best = a;
          if (best === set.action(start + i)) correct++;
        } else {
          const z = value[i]!;
          squared += (out.value[i]! - z) ** 2;
          trivial += (trainMeanZ - z) ** 2;
        }
      }
    }
    const positions = set.length;
    return head === 'policy' ? { positions, accuracy: correct / positions } : { positions, mse: squared / positions, trivialMse: trivial / positions };
  } finally {
    await evaluator.dispose();
  }
}

/** Mean outcome of a set (the constant value predictor). */
export function meanOutcome(set: LeePositionSet): number {
  let sum = 0;
  for (let i = 0; i < set.length; i++) sum += set.outcome(i);
  return set.length === 0 ? 0 : sum / set.length;
}

/**
 * Trains `net` (in place: the trained weights are written back into net.model) on `train`, one head only.
 * Returns the log (one entry per evaluation).
 */
export async function trainSupervised(o: {
  net: PolicyValueNet;
  head: TrainedHead;
  train: LeePositionSet;
  heldOut: LeePositionSet | null;
  config: SupervisedConfig;
  onProgress?: (step: number, loss: number, positionsPerSecond: number) => void;
  onEvaluation?: (entry: SupervisedLogEntry) => void;
}): Promise<SupervisedLogEntry[]> {
  const { net, head, train, config: c } = o;
  if (train.length === 0) throw new Error('supervised training: no training positions');
  const trainer = await OnnxTrainer.create(net, {
    l2: c.l2,
    momentum: c.momentum,
    threads: c.threads,
    policyWeight: head === 'policy' ? 1 : 0,
    valueWeight: head === 'value' ? 1 : 0,
  });
  const rng = new Rng(c.seed);
  const area = train.area;
  const planes = new Float32Array(c.batchSize * train.planeBytes);
  const policy = new Float32Array(c.batchSize * (area + 1));
  const value = new Float32Array(c.batchSize);
  const indices = new Int32Array(c.batchSize);
  const symmetries = new Uint8Array(c.batchSize);
  const log: SupervisedLogEntry[] = [];
  const trainMeanZ = meanOutcome(train);
  let lossSum = 0;
  let lossCount = 0;
  let windowStart = performance.now();
  let windowPositions = 0;
  // Epoch order: a shuffled permutation, reshuffled when used up.
  const order = Int32Array.from({ length: train.length }, (_, i) => i);
  let cursor = order.length;
  try {
    for (let step = 0; step < c.steps; step++) {
      for (let i = 0; i < c.batchSize; i++) {
        if (cursor === order.length) {
          for (let k = order.length - 1; k > 0; k--) {
            const j = rng.int(k + 1);
            const t = order[k]!;
            order[k] = order[j]!;
            order[j] = t;
          }
          cursor = 0;
        }
        indices[i] = order[cursor++]!;
        symmetries[i] = rng.int(8);
      }
      train.fillBatch(indices, symmetries, planes, head === 'policy' ? policy : undefined, value);
      if (head === 'value') policy.fill(0);
      const lr = cosineLr(c.lr, step, c.steps);
      const losses = await trainer.step(planes, policy, value, c.batchSize, lr);
      const loss = head === 'policy' ? losses.policy : losses.value;
      if (!Number.isFinite(loss)) throw new Error(`supervised training diverged at step ${step} (loss ${loss}); lower --lr`);
      lossSum += loss;
      lossCount++;
      windowPositions += c.batchSize;
      const seconds = (performance.now() - windowStart) / 1000;
      const rate = windowPositions / Math.max(seconds, 1e-9);
      o.onProgress?.(step + 1, loss, rate);
      if ((step + 1) % c.evalEvery === 0 || step + 1 === c.steps) {
        trainer.writeBack(net);
        const entry: SupervisedLogEntry = { step: step + 1, lr, loss: lossSum / lossCount, positionsPerSecond: rate };
        if (o.heldOut !== null && o.heldOut.length > 0) entry.heldOut = await evaluateHead(net, o.heldOut, head, trainMeanZ, c.threads);
        log.push(entry);
        o.onEvaluation?.(entry);
        lossSum = 0;
        lossCount = 0;
        windowStart = performance.now();
        windowPositions = 0;
      }
    }
    trainer.writeBack(net);
  } finally {
    await trainer.dispose();
  }
  return log;
}
