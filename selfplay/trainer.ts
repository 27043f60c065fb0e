/**
 * The optimizer step, behind one interface with two implementations:
 * - TfjsTrainer: tfjs autodiff on the current tfjs backend. The reference for correctness (and the only
 *   path on a backend that can train, e.g. webgpu), but ~0.2 pos/s for 9x9 6x64 on the `cpu` backend.
 * - OnnxTrainer (onnx-train.ts): forward + backward + update written out as one ONNX graph, run by
 *   onnxruntime-node; parity-tested against TfjsTrainer.
 *
 * Both compute, for a batch of N positions,
 *   loss = −(1/N) Σ π·log softmax(policy logits)  +  (1/N) Σ (v − z)²  +  c · Σ ‖kernel‖²
 * (L2 on convolution and dense kernels, not on BN scales/shifts or biases), then SGD with momentum as tfjs
 * does it: u ← m·u + g; θ ← θ − lr·u.
 * BatchNorm runs in training mode: each layer normalises with the batch's own mean and (biased) variance,
 * gradients flow through those statistics, and the moving mean/variance used at inference are updated as
 * moving ← 0.99·moving + 0.01·batch (tfjs's BN momentum). Because a generation trains only a few hundred
 * steps, that moving average still remembers the previous weights' activations; so after training the
 * moving statistics are re-estimated with the final weights (calibrateBatchNorm: pooled mean and variance
 * of the batch statistics over a few dozen training batches). The exported inference graph folds them into
 * the convolutions.
 *
 * State (weights in tfjs layout, per model.weights originalName, plus the momentum buffers) is what a
 * checkpoint saves, so a run resumes mid-training exactly where it was.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingBatch } from './train-data.js';

export const BN_MOMENTUM = 0.99;

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface TrainerState {
  /** Every model weight (BN moving statistics included), tfjs layout, keyed by originalName. */
  weights: NamedTensor[];
  /** Momentum buffer per trainable weight, same names and shapes. */
  velocities: NamedTensor[];
}

export interface TrainStepResult {
  policyLoss: number;
  valueLoss: number;
  /** c · Σ‖kernel‖² before the step. */
  l2Loss: number;
}

export interface TrainerOptions {
  momentum: number;
  l2: number;
}

export interface BatchNormStatistics {
  mean: Float32Array;
  variance: Float32Array;
}

export interface Trainer {
  readonly kind: 'onnx' | 'tfjs';
  step(batch: TrainingBatch, learningRate: number): Promise<TrainStepResult>;
  /** Each BN layer's batch mean and (biased) variance on `batch` with the current weights; changes nothing. */
  batchNormStatistics(batch: TrainingBatch): Promise<Map<string, BatchNormStatistics>>;
  state(): TrainerState;
  dispose(): Promise<void>;
}

/** Is this weight regularised by L2 (convolution and dense kernels)? */
export function isKernel(name: string): boolean {
  return name.endsWith('/kernel');
}

/** The model's weights as named tensors in tfjs layout (BN moving statistics included). */
export function modelWeights(model: tf.LayersModel): NamedTensor[] {
  return model.weights.map((w) => {
    const t = w.read();
    return { name: w.originalName, shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) };
  });
}

/** Writes named weights into a model (which must have exactly these weights). */
export function setModelWeights(model: tf.LayersModel, weights: readonly NamedTensor[]): void {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const tensors = model.weights.map((w) => {
    const src = byName.get(w.originalName);
    if (src === undefined) throw new Error(`trainer state has no weight '${w.originalName}'`);
    if (src.shape.join('x') !== w.shape.join('x')) throw new Error(`weight '${w.originalName}' has shape ${src.shape.join('x')}, model wants ${w.shape.join('x')}`);
    return tf.tensor(src.data, src.shape);
  });
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}

/** Zero momentum buffers for the model's trainable weights. */
export function zeroVelocities(model: tf.LayersModel): NamedTensor[] {
  return model.trainableWeights.map((w) => ({
    name: w.originalName,
    shape: w.shape.map((d) => d ?? 1),
    data: new Float32Array(w.shape.reduce((a: number, b) => a * (b ?? 1), 1)),
  }));
}

/** Reference trainer: tfjs autodiff, the same loss and update as the ONNX graph. */
export class TfjsTrainer implements Trainer {
  readonly kind = 'tfjs' as const;
  private readonly velocities: Map<string, tf.Variable>;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly options: TrainerOptions,
    velocities?: readonly NamedTensor[],
  ) {
    const initial = velocities ?? zeroVelocities(model);
    const byName = new Map(initial.map((v) => [v.name, v]));
    this.velocities = new Map(
      model.trainableWeights.map((w) => {
        const v = byName.get(w.originalName);
        if (v === undefined) throw new Error(`no momentum buffer for '${w.originalName}'`);
        return [w.originalName, tf.variable(tf.tensor(v.data, v.shape), false)];
      }),
    );
  }

  async step(batch: TrainingBatch, learningRate: number): Promise<TrainStepResult> {
    const { model, options } = this;
    const area = model.outputs[0]!.shape[1]! - 1;
    const size = Math.round(Math.sqrt(area));
    const planes = model.inputs[0]!.shape[1]!;
    const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const names = model.trainableWeights.map((w) => w.originalName);
    const result = tf.tidy(() => {
      const x = tf.tensor4d(batch.planes.subarray(0, batch.count * planes * area), [batch.count, planes, size, size]);
      const pi = tf.tensor2d(batch.policy.subarray(0, batch.count * (area + 1)), [batch.count, area + 1]);
      const z = tf.tensor2d(batch.value.subarray(0, batch.count), [batch.count, 1]);
      const losses: tf.Scalar[] = [];
      const { grads } = tf.variableGrads(() => {
        const [logits, v] = model.apply(x, { training: true }) as tf.Tensor[];
        const policyLoss = tf.neg(tf.mean(tf.sum(tf.mul(pi, tf.logSoftmax(logits!)), 1))) as tf.Scalar;
        const valueLoss = tf.mean(tf.square(tf.sub(v!, z))) as tf.Scalar;
        let l2 = tf.scalar(0);
        for (let i = 0; i < trainable.length; i++) if (isKernel(names[i]!)) l2 = tf.add(l2, tf.sum(tf.square(trainable[i]!)));
        const l2Loss = tf.mul(l2, options.l2) as tf.Scalar;
        losses.push(tf.keep(policyLoss), tf.keep(valueLoss), tf.keep(l2Loss));
        return tf.add(tf.add(policyLoss, valueLoss), l2Loss) as tf.Scalar;
      }, trainable);
      for (let i = 0; i < trainable.length; i++) {
        const name = names[i]!;
        const g = grads[trainable[i]!.name]!;
        const u = this.velocities.get(name)!;
        const next = tf.add(tf.mul(u, options.momentum), g);
        u.assign(next);
        trainable[i]!.assign(tf.sub(trainable[i]!, tf.mul(next, learningRate)));
      }
      return losses;
    });
    const [p, v, l] = await Promise.all(result.map((t) => t.data()));
    result.forEach((t) => t.dispose());
    return { policyLoss: p![0]!, valueLoss: v![0]!, l2Loss: l![0]! };
  }

  async batchNormStatistics(batch: TrainingBatch): Promise<Map<string, BatchNormStatistics>> {
    const model = this.model;
    const bnLayers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    const probe = tf.model({ inputs: model.inputs, outputs: bnLayers.map((l) => l.input as tf.SymbolicTensor) });
    const saved = bnLayers.map((l) => l.getWeights().map((w) => w.clone()));
    const area = model.outputs[0]!.shape[1]! - 1;
    const size = Math.round(Math.sqrt(area));
    const planes = model.inputs[0]!.shape[1]!;
    const moments = tf.tidy(() => {
      const x = tf.tensor4d(batch.planes.subarray(0, batch.count * planes * area), [batch.count, planes, size, size]);
      // Training mode, so every layer sees activations normalised by batch statistics as in a training step.
      const acts = probe.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(acts) ? acts : [acts]).map((a) => {
        const m = tf.moments(a, [0, 1, 2]);
        return [m.mean, m.variance];
      });
    });
    // The probe's training-mode pass moved the layers' moving statistics: put them back.
    bnLayers.forEach((l, i) => l.setWeights(saved[i]!));
    saved.flat().forEach((t) => t.dispose());
    const out = new Map<string, BatchNormStatistics>();
    for (let i = 0; i < bnLayers.length; i++) {
      const [mean, variance] = moments[i]!;
      out.set(bnLayers[i]!.name, { mean: Float32Array.from(mean!.dataSync() as Float32Array), variance: Float32Array.from(variance!.dataSync() as Float32Array) });
      mean!.dispose();
      variance!.dispose();
    }
    return out;
  }

  state(): TrainerState {
    return {
      weights: modelWeights(this.model),
      velocities: [...this.velocities].map(([name, v]) => ({ name, shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) })),
    };
  }

  async dispose(): Promise<void> {
    for (const v of this.velocities.values()) v.dispose();
    this.velocities.clear();
  }
}

/**
 * Re-estimates every BN layer's moving statistics from `batches` batches with the final weights: mean =
 * average of batch means, variance = average batch variance + variance of the batch means (the population
 * variance of the activations over all the batches). Returns the state with the new statistics.
 */
export async function calibrateBatchNorm(trainer: Trainer, state: TrainerState, nextBatch: () => TrainingBatch, batches: number): Promise<TrainerState> {
  if (batches < 1) return state;
  const sums = new Map<string, { mean: Float64Array; meanSq: Float64Array; variance: Float64Array }>();
  for (let b = 0; b < batches; b++) {
    const stats = await trainer.batchNormStatistics(nextBatch());
    for (const [layer, s] of stats) {
      let acc = sums.get(layer);
      if (acc === undefined) {
        acc = { mean: new Float64Array(s.mean.length), meanSq: new Float64Array(s.mean.length), variance: new Float64Array(s.mean.length) };
        sums.set(layer, acc);
      }
      for (let c = 0; c < s.mean.length; c++) {
        acc.mean[c]! += s.mean[c]!;
        acc.meanSq[c]! += s.mean[c]! * s.mean[c]!;
        acc.variance[c]! += s.variance[c]!;
      }
    }
  }
  const weights = state.weights.map((w) => {
    const m = /^(.*)\/(moving_mean|moving_variance)$/.exec(w.name);
    const acc = m ? sums.get(m[1]!) : undefined;
    if (m === null || acc === undefined) return w;
    const data = new Float32Array(w.data.length);
    for (let c = 0; c < data.length; c++) {
      const mean = acc.mean[c]! / batches;
      data[c] = m[2] === 'moving_mean' ? mean : acc.variance[c]! / batches + Math.max(0, acc.meanSq[c]! / batches - mean * mean);
    }
    return { ...w, data };
  });
  return { weights, velocities: state.velocities };
}
