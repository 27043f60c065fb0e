/**
 * Evaluator on a tfjs backend (cpu, wasm, tensorflow, webgpu).
 *
 * Two forward passes: 'fused' (default) runs fused-forward.ts — BN folded, conv+bias+ReLU fused — and
 * 'layers' runs the tfjs layers model itself, the reference that every path is parity-tested against.
 */
import * as tf from '@tensorflow/tfjs';
import { checkEvaluateArgs, planesPerPosition, type EvalOutput, type Evaluator, type NetInfo } from './evaluator.js';
import { disposeFusedWeights, foldWeights, fusedForward, type FusedWeights } from './fused-forward.js';
import { cloneModel, netInfo, type PolicyValueNet } from './model.js';
import { initTfjsBackend, withTfjsBackend, type TfjsBackendName } from './tfjs-runtime.js';

export type TfjsGraph = 'fused' | 'layers';

type Forward = { kind: 'fused'; weights: FusedWeights } | { kind: 'layers'; model: tf.LayersModel };

export class TfjsEvaluator implements Evaluator {
  private disposed = false;

  private constructor(
    readonly info: NetInfo,
    readonly backend: TfjsBackendName,
    private readonly forward: Forward,
  ) {}

  /** Copies the network's weights into tensors held by `backend` (the source net is left untouched). */
  static async create(net: PolicyValueNet, backend: TfjsBackendName, graph: TfjsGraph = 'fused'): Promise<TfjsEvaluator> {
    await initTfjsBackend(backend);
    const forward = await withTfjsBackend(backend, (): Forward =>
      graph === 'fused' ? { kind: 'fused', weights: foldWeights(net.model, net.config) } : { kind: 'layers', model: cloneModel(net.model, net.config) },
    );
    return new TfjsEvaluator(netInfo(net.config), backend, forward);
  }

  get graph(): TfjsGraph {
    return this.forward.kind;
  }

  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    if (this.disposed) throw new Error('evaluate: evaluator was disposed');
    checkEvaluateArgs(this.info, planes, count);
    const n = this.info.boardSize;
    const input = planes.subarray(0, count * planesPerPosition(this.info));
    const f = this.forward;
    return withTfjsBackend(this.backend, async () => {
      const [policyT, valueT] = tf.tidy((): [tf.Tensor, tf.Tensor] => {
        if (f.kind === 'fused') return fusedForward(f.weights, input, count);
        const x = tf.tensor4d(input, [count, this.info.inputPlanes, n, n]);
        const [logits, value] = f.model.predict(x) as tf.Tensor[];
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
    const f = this.forward;
    await withTfjsBackend(this.backend, () => (f.kind === 'fused' ? disposeFusedWeights(f.weights) : f.model.dispose()));
  }
}
