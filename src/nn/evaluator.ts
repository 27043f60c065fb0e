/**
 * The contract between the policy-value net and everything that uses it (search, self-play, GTP).
 *
 * Input layout (shared by every backend): `count` positions, each `inputPlanes` planes of `boardSize²`
 * floats, NCHW: value of plane k at point p (p = row*size + col, row 0 on top) of position i is
 * `planes[(i * inputPlanes + k) * area + p]`. See features.ts for what each plane means.
 *
 * Output:
 * - `policy`: `count * (area + 1)` probabilities; position i's are `policy[i*(area+1) .. (i+1)*(area+1))`,
 *   action a < area is the point a, a == area is pass. A softmax over every action: masking illegal
 *   moves and renormalising is the search's job.
 * - `value`: `count` values in [-1, 1], the expected outcome from the side to move's point of view.
 *
 * Output arrays may be views into a larger buffer owned by the evaluator's backend for that call only;
 * they are never reused by the evaluator afterwards, so callers may keep them. `planes` is only read, and
 * may be longer than `count` positions (only the first `count` are used).
 */
/*
 * Putting it together (see create-evaluator.ts, batching.ts, remote.ts, symmetric-evaluator.ts):
 * - CPU: `createEvaluator({ modelDir, backend: 'auto' })` gives onnxruntime; either one session per
 *   search worker (`threads: 1`, no cross-thread traffic) or one owner session with all cores behind a
 *   BatchingEvaluator, served to workers with serveEvaluator/RemoteEvaluator (bigger batches).
 * - GPU: one owner (webgpu or tensorflow) behind a BatchingEvaluator with a large maxBatch, served to
 *   every search worker: the GPU wants big batches and there is only one device.
 * - Wrap in SymmetricEvaluator for a random board symmetry per position.
 */
export type FeatureSet = 'zero' | 'lee';

export interface NetInfo {
  boardSize: number;
  featureSet: FeatureSet;
  inputPlanes: number;
}

export interface EvalOutput {
  policy: Float32Array;
  value: Float32Array;
}

export interface Evaluator {
  readonly info: NetInfo;
  evaluate(planes: Float32Array, count: number): Promise<EvalOutput>;
  dispose(): Promise<void>;
}

export type BackendName = 'onnx' | 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';
export type BackendChoice = BackendName | 'auto';
export const BACKEND_NAMES: readonly BackendName[] = ['onnx', 'wasm', 'cpu', 'tensorflow', 'webgpu'];

/** Floats per position for a net: inputPlanes * area. */
export function planesPerPosition(info: NetInfo): number {
  return info.inputPlanes * info.boardSize * info.boardSize;
}

/** Actions per position: every point plus pass. */
export function policySize(info: NetInfo): number {
  return info.boardSize * info.boardSize + 1;
}

/** Checks an evaluate() call's arguments; shared by every backend so bad input reads the same everywhere. */
export function checkEvaluateArgs(info: NetInfo, planes: Float32Array, count: number): void {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`evaluate: count must be a positive integer, got ${count}`);
  const need = count * planesPerPosition(info);
  if (!(planes instanceof Float32Array)) throw new TypeError('evaluate: planes must be a Float32Array');
  if (planes.length < need) {
    throw new RangeError(
      `evaluate: ${count} positions of ${info.inputPlanes}x${info.boardSize}x${info.boardSize} need ${need} floats, got ${planes.length}`,
    );
  }
}

/** evaluate() on the same `batch` positions in a loop for about `ms`; how many positions in how long. */
export async function evaluateFor(evaluator: Evaluator, planes: Float32Array, batch: number, ms: number): Promise<{ positions: number; ms: number }> {
  const start = performance.now();
  let positions = 0;
  while (performance.now() - start < ms) {
    await evaluator.evaluate(planes, batch);
    positions += batch;
  }
  return { positions, ms: performance.now() - start };
}
