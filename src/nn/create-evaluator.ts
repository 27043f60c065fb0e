/**
 * One factory for every backend: `createEvaluator({ modelDir | model, backend, threads })`.
 *
 * - onnx: onnxruntime-node, CPU execution provider, `threads` intra-op threads (default: all cores).
 *   Runs model.onnx from the directory (checksum-verified) or exports an in-memory model.
 * - wasm: tfjs-backend-wasm (SIMD; single-threaded in Node as tfjs ships it, `threads` is ignored).
 * - cpu: tfjs pure JavaScript — slow; the correctness reference.
 * - tensorflow: @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node when installed (optional).
 * - webgpu: @tensorflow/tfjs-backend-webgpu over Dawn (npm `webgpu`), needs a GPU adapter.
 * - auto: onnx on a CPU-only machine. When a GPU backend is usable (a WebGPU adapter, or tfjs-node / tfjs-node-gpu),
 *   it is timed against onnx on a batch of `autoBatch` positions and the faster wins. Without
 *   onnxruntime: wasm, then cpu.
 */
import { existsSync } from 'node:fs';
import { BACKEND_NAMES, evaluateFor, planesPerPosition, type BackendChoice, type BackendName, type Evaluator } from './evaluator.js';
import { loadNet, metadataConfig, readOnnxModel } from './model-io.js';
import { netInfo, type PolicyValueNet } from './model.js';
import { exportOnnx } from './onnx-export.js';
import { loadOnnxRuntime, OnnxEvaluator } from './onnx-evaluator.js';
import { TfjsEvaluator, type TfjsGraph } from './tfjs-evaluator.js';
import { BackendUnavailableError, initTfjsBackend, probeWebgpuAdapter, withTfjsBackend } from './tfjs-runtime.js';

export interface CreateEvaluatorOptions {
  /** A saved network directory (see model-io.ts). Exactly one of modelDir and model. */
  modelDir?: string;
  /** An in-memory network. */
  model?: PolicyValueNet;
  backend?: BackendChoice;
  /** CPU threads for backends that take a thread count (onnx). */
  threads?: number;
  /** onnx: let idle threads spin (default true); see OnnxSessionOptions. */
  allowSpinning?: boolean;
  /** tfjs backends: 'fused' forward pass (default) or the 'layers' model itself (the reference). */
  tfjsGraph?: TfjsGraph;
  /** Batch size used when `auto` has to time candidates. */
  autoBatch?: number;
}

export interface BackendEvaluator extends Evaluator {
  readonly backend: BackendName;
}

export async function createEvaluator(options: CreateEvaluatorOptions): Promise<BackendEvaluator> {
  if ((options.modelDir === undefined) === (options.model === undefined)) {
    throw new Error('createEvaluator: give exactly one of modelDir and model');
  }
  const backend = options.backend ?? 'auto';
  if (backend !== 'auto' && !BACKEND_NAMES.includes(backend)) {
    throw new Error(`createEvaluator: unknown backend '${String(backend)}' (expected auto, ${BACKEND_NAMES.join(', ')})`);
  }
  if (backend === 'auto') return createAuto(options);
  return createOn(backend, options);
}

async function createOn(backend: BackendName, options: CreateEvaluatorOptions): Promise<BackendEvaluator> {
  if (backend === 'onnx') {
    if (options.modelDir !== undefined) {
      const { metadata, bytes } = await readOnnxModel(options.modelDir);
      return OnnxEvaluator.create(bytes, netInfo(metadataConfig(metadata)), { threads: options.threads, allowSpinning: options.allowSpinning });
    }
    const net = options.model!;
    return OnnxEvaluator.create(exportOnnx(net.model, net.config), netInfo(net.config), { threads: options.threads, allowSpinning: options.allowSpinning });
  }
  await initTfjsBackend(backend);
  if (options.model !== undefined) return TfjsEvaluator.create(options.model, backend, options.tfjsGraph);
  const net = await withTfjsBackend(backend, () => loadNet(options.modelDir!));
  try {
    return await TfjsEvaluator.create(net, backend, options.tfjsGraph);
  } finally {
    await withTfjsBackend(backend, () => net.model.dispose());
  }
}

/** Whether a backend can run here, and why not, without building a network. */
export async function probeBackend(backend: BackendName): Promise<{ available: boolean; reason?: string }> {
  try {
    if (backend === 'onnx') await loadOnnxRuntime();
    else if (backend === 'webgpu') {
      await probeWebgpuAdapter();
      await initTfjsBackend('webgpu');
    } else await initTfjsBackend(backend);
    return { available: true };
  } catch (e) {
    return { available: false, reason: (e as Error).message };
  }
}

/**
 * Whether a GPU could be visible to Dawn. On Linux GPUs show up as /dev/dri or /dev/nvidia* device nodes;
 * without them `auto` skips loading Dawn at all (it costs time and prints Vulkan warnings on stderr).
 */
function mayHaveGpu(): boolean {
  if (process.platform !== 'linux') return true;
  return ['/dev/dri', '/dev/nvidiactl', '/dev/nvidia0', '/dev/dxg'].some((p) => existsSync(p));
}

async function createAuto(options: CreateEvaluatorOptions): Promise<BackendEvaluator> {
  const gpuCandidates: BackendName[] = [];
  if (mayHaveGpu() && (await probeBackend('webgpu')).available) gpuCandidates.push('webgpu');
  if ((await probeBackend('tensorflow')).available) gpuCandidates.push('tensorflow');
  const onnx = (await probeBackend('onnx')).available;
  if (gpuCandidates.length === 0) {
    if (onnx) return createOn('onnx', options);
    if ((await probeBackend('wasm')).available) return createOn('wasm', options);
    return createOn('cpu', options);
  }
  const candidates: BackendName[] = onnx ? ['onnx', ...gpuCandidates] : gpuCandidates;
  let best: { evaluator: BackendEvaluator; rate: number } | undefined;
  for (const name of candidates) {
    let evaluator: BackendEvaluator;
    try {
      evaluator = await createOn(name, options);
    } catch (e) {
      if (e instanceof BackendUnavailableError) continue;
      throw e;
    }
    const rate = await measureRate(evaluator, options.autoBatch ?? 64);
    if (best === undefined || rate > best.rate) {
      await best?.evaluator.dispose();
      best = { evaluator, rate };
    } else await evaluator.dispose();
  }
  if (best === undefined) throw new Error('createEvaluator: no backend available');
  return best.evaluator;
}

/** Positions per second on random input, after one warm-up call, over about 300 ms. */
export async function measureRate(evaluator: Evaluator, batch: number): Promise<number> {
  const planes = new Float32Array(batch * planesPerPosition(evaluator.info));
  for (let i = 0; i < planes.length; i++) planes[i] = Math.random() < 0.2 ? 1 : 0;
  await evaluator.evaluate(planes, batch);
  const { positions, ms } = await evaluateFor(evaluator, planes, batch, 300);
  return (positions * 1000) / ms;
}

