/**
 * Training with tfjs autodiff on any tfjs backend (webgpu or tensorflow on a GPU machine; cpu as the
 * reference). Same loss, update rule and BatchNorm behaviour as the ONNX training graph
 * (train-graph.ts), so the two trainers are interchangeable; tests check they agree step for step.
 * The momentum buffers are held explicitly (not inside a tf.train optimizer) so that `state()` can save
 * them and a checkpoint can resume them: u ← momentum·u + g; w ← w − lr·u, as tfjs's MomentumOptimizer.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_TRAIN_GRAPH, type TrainGraphOptions } from './train-graph.js';
import { planesPerPosition, policySize } from './evaluator.js';
import { netInfo, type PolicyValueNet } from './model.js';
import { initTfjsBackend, withTfjsBackend, type TfjsBackendName } from './tfjs-runtime.js';
import { checkStepInput, modelWeights, velocityLookup, type BatchNormStatistics, type StepLosses, type Trainer, type TrainerOptions, type TrainerState } from './trainer.js';

/** Is this weight regularised by L2 (convolution and dense kernels, not BN scales/shifts or biases)? */
function isKernel(name: string): boolean {
  return name.endsWith('/kernel');
}

export class TfjsTrainer implements Trainer {
  readonly kind = 'tfjs' as const;
  private steps = 0;
  private disposed = false;

  private constructor(
    private readonly net: PolicyValueNet,
    readonly backend: TfjsBackendName,
    private readonly options: Omit<TrainGraphOptions, 'outputGradients'>,
    /** Momentum buffer per trainable weight, by originalName. */
    private readonly velocities: Map<string, tf.Variable>,
  ) {}

  /**
   * Trains `net.model` in place (it must live on, or be movable to, `backend`). Options as for the ONNX
   * training graph: l2, momentum; bnMomentum must be the model's own (tfjs's 0.99 default); velocities
   * to resume from a checkpoint.
   */
  static async create(net: PolicyValueNet, backend: TfjsBackendName, options: TrainerOptions = {}): Promise<TfjsTrainer> {
    const { velocities, ...graphOptions } = options;
    const o = { ...DEFAULT_TRAIN_GRAPH, ...graphOptions };
    if (o.bnMomentum !== DEFAULT_TRAIN_GRAPH.bnMomentum) throw new Error('tfjs trainer: bnMomentum is fixed by the model (0.99)');
    await initTfjsBackend(backend);
    const velocity = velocityLookup(velocities);
    const buffers = await withTfjsBackend(backend, () =>
      new Map(
        net.model.trainableWeights.map((w) => {
          const shape = w.shape.map((d) => d ?? 1);
          const v = velocity(w.originalName, shape);
          return [w.originalName, tf.variable(v === undefined ? tf.zeros(shape) : tf.tensor(v, shape), false)] as const;
        }),
      ),
    );
    return new TfjsTrainer(net, backend, o, buffers);
  }

  get stepCount(): number {
    return this.steps;
  }

  async step(planes: Float32Array, policy: Float32Array, value: Float32Array, count: number, lr: number): Promise<StepLosses> {
    if (this.disposed) throw new Error('trainer was disposed');
    checkStepInput(this.net.config, planes, policy, value, count, lr);
    const info = netInfo(this.net.config);
    const n = info.boardSize;
    const fp = planesPerPosition(info);
    const actions = policySize(info);
    const { options } = this;
    return withTfjsBackend(this.backend, async () => {
      const model = this.net.model;
      const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const names = model.trainableWeights.map((w) => w.originalName);
      const parts = tf.tidy(() => {
        const x = tf.tensor4d(planes.subarray(0, count * fp), [count, info.inputPlanes, n, n]);
        const pi = tf.tensor2d(policy.subarray(0, count * actions), [count, actions]);
        const z = tf.tensor2d(value.subarray(0, count), [count, 1]);
        const losses: tf.Scalar[] = [];
        const { grads } = tf.variableGrads(() => {
          const [logits, v] = model.apply(x, { training: true }) as tf.Tensor[];
          const policyLoss = tf.mean(tf.neg(tf.sum(tf.mul(pi, tf.logSoftmax(logits!)), 1))) as tf.Scalar;
          const valueLoss = tf.mean(tf.square(tf.sub(z, v!))) as tf.Scalar;
          const kernels = trainable.filter((_, i) => isKernel(names[i]!));
          const l2Loss = tf.mul(options.l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k))))) as tf.Scalar;
          losses.push(tf.keep(policyLoss), tf.keep(valueLoss), tf.keep(l2Loss));
          return tf.addN([tf.mul(policyLoss, options.policyWeight), tf.mul(valueLoss, options.valueWeight), l2Loss]) as tf.Scalar;
        }, trainable);
        for (let i = 0; i < trainable.length; i++) {
          const u = this.velocities.get(names[i]!)!;
          const next = tf.add(tf.mul(u, options.momentum), grads[trainable[i]!.name]!);
          u.assign(next);
          trainable[i]!.assign(tf.sub(trainable[i]!, tf.mul(next, lr)));
        }
        return losses;
      });
      const [p, v, l] = await Promise.all(parts.map((t) => t.data()));
      parts.forEach((t) => t.dispose());
      this.steps++;
      return { policy: p![0]!, value: v![0]!, l2: l![0]! };
    });
  }

  async batchNormStatistics(planes: Float32Array, count: number): Promise<Map<string, BatchNormStatistics>> {
    if (this.disposed) throw new Error('trainer was disposed');
    const info = netInfo(this.net.config);
    const fp = planesPerPosition(info);
    if (!Number.isInteger(count) || count < 1 || planes.length < count * fp) throw new RangeError(`batch-norm statistics: need ${fp} plane floats for each of ${count} positions`);
    return withTfjsBackend(this.backend, () => {
      const model = this.net.model;
      const bnLayers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
      const probe = tf.model({ inputs: model.inputs, outputs: bnLayers.map((l) => l.input as tf.SymbolicTensor) });
      const saved = bnLayers.map((l) => l.getWeights().map((w) => w.clone()));
      const moments = tf.tidy(() => {
        const x = tf.tensor4d(planes.subarray(0, count * fp), [count, info.inputPlanes, info.boardSize, info.boardSize]);
        // Training mode, so every layer sees activations normalised by batch statistics as in a training step.
        const acts = probe.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
        return (Array.isArray(acts) ? acts : [acts]).map((a) => {
          const m = tf.moments(a, [0, 1, 2]);
          return [m.mean, m.variance] as const;
        });
      });
      // The probe's training-mode pass moved the layers' moving statistics: put them back.
      bnLayers.forEach((l, i) => l.setWeights(saved[i]!));
      saved.flat().forEach((t) => t.dispose());
      const out = new Map<string, BatchNormStatistics>();
      bnLayers.forEach((l, i) => {
        const [mean, variance] = moments[i]!;
        out.set(l.name, { mean: Float32Array.from(mean.dataSync() as Float32Array), variance: Float32Array.from(variance.dataSync() as Float32Array) });
        mean.dispose();
        variance.dispose();
      });
      return out;
    });
  }

  state(): TrainerState {
    // dataSync reads each tensor from the backend it lives on; no backend switch needed.
    return {
      weights: modelWeights(this.net.model),
      velocities: [...this.velocities].map(([name, v]) => ({ name, shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) })),
    };
  }

  /** The model is trained in place; this only counts the steps into `net.trainingSteps`. */
  writeBack(net: PolicyValueNet): void {
    if (net !== this.net) throw new Error('tfjs trainer: writeBack must be given the network it trains');
    net.trainingSteps += this.steps;
    this.steps = 0;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await withTfjsBackend(this.backend, () => {
      for (const v of this.velocities.values()) v.dispose();
    });
    this.velocities.clear();
  }
}
