/** Evaluator on a tfjs backend (cpu, wasm, tensorflow, webgpu): the reference implementation. */
import * as tf from '@tensorflow/tfjs';
import { checkEvaluateArgs, planesPerPosition, type EvalOutput, type Evaluator, type NetInfo } from './evaluator.js';
import { cloneModel, netInfo, type PolicyValueNet } from './model.js';
import { initTfjsBackend, withTfjsBackend, type TfjsBackendName } from './tfjs-runtime.js';

export class TfjsEvaluator implements Evaluator {
  private disposed = false;

  private constructor(
    readonly info: NetInfo,
    readonly backend: TfjsBackendName,
    private readonly model: tf.LayersModel,
  ) {}

  /** Copies the network's weights into a model held by `backend` (the source net is left untouched). */
  static async create(net: PolicyValueNet, backend: TfjsBackendName): Promise<TfjsEvaluator> {
    await initTfjsBackend(backend);
    const model = await withTfjsBackend(backend, () => cloneModel(net.model, net.config));
    return new TfjsEvaluator(netInfo(net.config), backend, model);
  }

  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    if (this.disposed) throw new Error('evaluate: evaluator was disposed');
    checkEvaluateArgs(this.info, planes, count);
    const n = this.info.boardSize;
    const floats = count * planesPerPosition(this.info);
    return withTfjsBackend(this.backend, async () => {
      const [policyT, valueT] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
        const x = tf.tensor4d(planes.subarray(0, floats), [count, this.info.inputPlanes, n, n]);
        const [logits, value] = this.model.predict(x) as tf.Tensor[];
        return [tf.softmax(logits!), value!.reshape([count])];
      });
      try {
        const [policy, value] = await Promise.all([policyT.data(), valueT.data()]);
        return { policy: policy as Float32Array, value: value as Float32Array };
      } finally {
        policyT.dispose();
        valueT.dispose();
      }
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await withTfjsBackend(this.backend, () => this.model.dispose());
  }
}
