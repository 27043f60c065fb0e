/** Evaluator on onnxruntime-node (CPU execution provider) running the exported graph (onnx-export.ts). */
import { availableParallelism } from 'node:os';
import type * as ort from 'onnxruntime-node';
import { checkEvaluateArgs, planesPerPosition, type EvalOutput, type Evaluator, type NetInfo } from './evaluator.js';
import { ONNX_INPUT, ONNX_POLICY, ONNX_VALUE } from './onnx-export.js';
import { BackendUnavailableError } from './tfjs-runtime.js';

type OrtModule = typeof ort;
let ortModule: Promise<OrtModule> | undefined;

/** onnxruntime-node, loaded on first use so that a machine without it can still use the tfjs backends. */
export function loadOnnxRuntime(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node').then(
    (m) => ((m as unknown as { default?: OrtModule }).default ?? m) as OrtModule,
    (e: Error) => {
      ortModule = undefined;
      throw new BackendUnavailableError('onnx', `onnxruntime-node cannot be loaded: ${e.message.split('\n')[0]}`);
    },
  );
  return ortModule;
}

export interface OnnxSessionOptions {
  /** Intra-op threads; default: all cores. */
  threads?: number;
  /**
   * Let idle intra-op threads spin waiting for work (onnxruntime's default: lowest latency). Turn off
   * when other busy threads (search workers) share the cores: spinning steals their CPU time.
   */
  allowSpinning?: boolean;
}

/** An inference session as tengen configures it (also used by the benchmark's raw figure). */
export async function createOnnxSession(bytes: Uint8Array, options: OnnxSessionOptions = {}): Promise<ort.InferenceSession> {
  const runtime = await loadOnnxRuntime();
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`onnx: threads must be a positive integer, got ${threads}`);
  return runtime.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: options.allowSpinning === false ? '0' : '1' } } },
  });
}

export class OnnxEvaluator implements Evaluator {
  readonly backend = 'onnx' as const;
  private disposed = false;

  private constructor(
    readonly info: NetInfo,
    private readonly runtime: OrtModule,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(bytes: Uint8Array, info: NetInfo, options: OnnxSessionOptions = {}): Promise<OnnxEvaluator> {
    const runtime = await loadOnnxRuntime();
    let session: ort.InferenceSession;
    try {
      session = await createOnnxSession(bytes, options);
    } catch (e) {
      throw new Error(`onnx: cannot create a session from the exported graph: ${(e as Error).message}`);
    }
    if (!session.inputNames.includes(ONNX_INPUT) || !session.outputNames.includes(ONNX_POLICY) || !session.outputNames.includes(ONNX_VALUE)) {
      await session.release();
      throw new Error(`onnx: graph must have input '${ONNX_INPUT}' and outputs '${ONNX_POLICY}', '${ONNX_VALUE}'`);
    }
    return new OnnxEvaluator(info, runtime, session);
  }

  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    if (this.disposed) throw new Error('evaluate: evaluator was disposed');
    checkEvaluateArgs(this.info, planes, count);
    const n = this.info.boardSize;
    const floats = count * planesPerPosition(this.info);
    const input = new this.runtime.Tensor('float32', floats === planes.length ? planes : planes.subarray(0, floats), [count, this.info.inputPlanes, n, n]);
    const out = await this.session.run({ [ONNX_INPUT]: input });
    return { policy: out[ONNX_POLICY]!.data as Float32Array, value: out[ONNX_VALUE]!.data as Float32Array };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}
