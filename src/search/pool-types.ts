/** Types shared by the search pool (main thread) and its workers. */
import type { BackendChoice, Evaluator } from '../nn/evaluator.js';

/**
 * Where a worker's evaluator comes from.
 * - 'model': each worker opens its own backend session on the saved net (CPU: one onnxruntime session per
 *   worker with `threads` intra-op threads, default cores / workers).
 * - 'shared': one evaluator owned by the pool's thread (a GPU backend); workers send their leaves to it
 *   and it batches them across workers (nn's BatchingEvaluator + serveEvaluator / RemoteEvaluator).
 * - 'simple': the net-free SimpleEvaluator (uniform priors, area-count or zero value).
 * - 'module': `exportName(options)` of the module at `url` returns the evaluator (plug-ins, tests).
 */
export type EvaluatorSource =
  | { kind: 'model'; modelDir: string; backend?: BackendChoice; threads?: number }
  | { kind: 'shared'; evaluator: Evaluator; maxBatch?: number; maxWaitMs?: number }
  | { kind: 'simple'; boardSize: number; value?: 'zero' | 'area'; komi?: number }
  | { kind: 'module'; url: string; exportName: string; options?: unknown };

/** A job function: `exportName` of the ES module at `url` (a file: URL of compiled JavaScript). */
export interface JobRef {
  url: string;
  exportName: string;
}

/** What a job function receives in the worker, besides its arguments. */
export interface WorkerContext {
  evaluator: Evaluator;
}

/** Signature of a job function run by the pool: `(ctx, args) => Promise<result>`. */
export type JobFunction<A, R> = (ctx: WorkerContext, args: A) => Promise<R>;
