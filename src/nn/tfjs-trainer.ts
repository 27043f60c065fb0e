/**
 * Training with tfjs autodiff on any tfjs backend (webgpu or tensorflow on a GPU machine; cpu as the
 * reference). Same loss, update rule and BatchNorm behaviour as the ONNX training graph
 * (train-graph.ts), so the two trainers are interchangeable; a test checks they agree step for step.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_TRAIN_GRAPH, type TrainGraphOptions } from './train-graph.js';
import { planesPerPosition, policySize } from './evaluator.js';
import { netInfo, type PolicyValueNet } from './model.js';
import { initTfjsBackend, withTfjsBackend, type TfjsBackendName } from './tfjs-runtime.js';
import type { StepLosses, Trainer } from './trainer.js';

export class TfjsTrainer implements Trainer {
  private steps = 0;
  private disposed = false;

  private constructor(
    private readonly net: PolicyValueNet,
    readonly backend: TfjsBackendName,
    private readonly options: Omit<TrainGraphOptions, 'outputGradients'>,
    private readonly optimizer: tf.MomentumOptimizer,
  ) {}

  /**
   * Trains `net.model` in place (it must live on, or be movable to, `backend`). Options as for the ONNX
   * training graph: l2, momentum; bnMomentum must be the model's own (tfjs's 0.99 default).
   */
  static async create(net: PolicyValueNet, backend: TfjsBackendName, options: Partial<TrainGraphOptions> = {}): Promise<TfjsTrainer> {
    const o = { ...DEFAULT_TRAIN_GRAPH, ...options };
    if (o.bnMomentum !== DEFAULT_TRAIN_GRAPH.bnMomentum) throw new Error('tfjs trainer: bnMomentum is fixed by the model (0.99)');
    await initTfjsBackend(backend);
    const optimizer = await withTfjsBackend(backend, () => tf.train.momentum(0, o.momentum));
    return new TfjsTrainer(net, backend, o, optimizer);
  }

  get stepCount(): number {
    return this.steps;
  }

  async step(planes: Float32Array, policy: Float32Array, value: Float32Array, count: number, lr: number): Promise<StepLosses> {
    if (this.disposed) throw new Error('trainer was disposed');
    const info = netInfo(this.net.config);
    const n = info.boardSize;
    const fp = planesPerPosition(info);
    const actions = policySize(info);
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`train step: count must be a positive integer, got ${count}`);
    if (planes.length < count * fp || policy.length < count * actions || value.length < count) {
      throw new RangeError(`train step: ${count} positions need ${count * fp} plane floats, ${count * actions} policy and ${count} value entries`);
    }
    if (!(lr >= 0)) throw new RangeError(`train step: bad learning rate ${lr}`);
    return withTfjsBackend(this.backend, async () => {
      this.optimizer.setLearningRate(lr);
      const model = this.net.model;
      const kernels = model.trainableWeights.filter((w) => w.originalName.endsWith('/kernel')).map((w) => w.read());
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const parts = tf.tidy(() => {
        const x = tf.tensor4d(planes.subarray(0, count * fp), [count, info.inputPlanes, n, n]);
        const pi = tf.tensor2d(policy.subarray(0, count * actions), [count, actions]);
        const z = tf.tensor2d(value.subarray(0, count), [count, 1]);
        let losses: tf.Tensor[] = [];
        this.optimizer.minimize(
          () => {
            const [logits, v] = model.apply(x, { training: true }) as tf.Tensor[];
            const policyLoss = tf.mean(tf.neg(tf.sum(tf.mul(pi, tf.logSoftmax(logits!)), 1)));
            const valueLoss = tf.mean(tf.square(tf.sub(z, v!)));
            const l2Loss = tf.mul(this.options.l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k)))));
            losses = [policyLoss, valueLoss, l2Loss].map((t) => tf.keep(t));
            return tf.addN([policyLoss, valueLoss, l2Loss]) as tf.Scalar;
          },
          false,
          vars,
        );
        return losses;
      });
      const [p, v, l] = await Promise.all(parts.map((t) => t.data()));
      parts.forEach((t) => t.dispose());
      this.steps++;
      return { policy: p![0]!, value: v![0]!, l2: l![0]! };
    });
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
    await withTfjsBackend(this.backend, () => this.optimizer.dispose());
  }
}
