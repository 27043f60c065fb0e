/**
 * Piscina worker: runs one job (a search, a self-play game, or any module's exported job function) with
 * an evaluator for this thread. Loaded from dist/ (compiled), never from the TypeScript sources.
 *
 * Evaluator per source kind (see pool.ts for why):
 * - 'model': this worker's own backend session, built once and kept for the worker's life;
 * - 'shared': a RemoteEvaluator on the MessagePort that came with the task (the net lives in the owner
 *   thread, which batches every worker's leaves together);
 * - 'simple': the net-free SimpleEvaluator;
 * - 'module': a factory exported by a module, built once.
 */
import { workerData } from 'piscina';
import type { MessagePort } from 'node:worker_threads';
import type { Evaluator } from '../nn/evaluator.js';
import type { EvaluatorSource, JobRef, WorkerContext } from './pool-types.js';

interface Task {
  job: JobRef;
  args: unknown;
  /** Only for the 'shared' source: this task's connection to the net owner. */
  port?: MessagePort;
}

interface PoolWorkerData {
  source: Exclude<EvaluatorSource, { kind: 'shared' }> | { kind: 'shared' };
  threadsPerWorker: number;
}

const data = workerData as PoolWorkerData;
let ownEvaluator: Promise<Evaluator> | null = null;
const jobModules = new Map<string, Promise<Record<string, unknown>>>();

async function workerEvaluator(): Promise<Evaluator> {
  const source = data.source;
  switch (source.kind) {
    case 'model': {
      const { createEvaluator } = await import('../nn/create-evaluator.js');
      return createEvaluator({ modelDir: source.modelDir, backend: source.backend, threads: source.threads ?? data.threadsPerWorker });
    }
    case 'simple': {
      const { SimpleEvaluator } = await import('./simple-evaluator.js');
      return new SimpleEvaluator(source.boardSize, { value: source.value, komi: source.komi });
    }
    case 'module': {
      const mod = (await import(source.url)) as Record<string, unknown>;
      const factory = mod[source.exportName];
      if (typeof factory !== 'function') throw new Error(`evaluator module ${source.url} has no function '${source.exportName}'`);
      return (await (factory as (o: unknown) => Promise<Evaluator>)(source.options)) as Evaluator;
    }
    default:
      throw new Error(`worker: evaluator source '${source.kind}' is not built in the worker`);
  }
}

async function loadJob(job: JobRef): Promise<(ctx: WorkerContext, args: unknown) => Promise<unknown>> {
  let mod = jobModules.get(job.url);
  if (mod === undefined) {
    mod = import(job.url) as Promise<Record<string, unknown>>;
    jobModules.set(job.url, mod);
  }
  const fn = (await mod)[job.exportName];
  if (typeof fn !== 'function') throw new Error(`job module ${job.url} has no function '${job.exportName}'`);
  return fn as (ctx: WorkerContext, args: unknown) => Promise<unknown>;
}

export default async function runTask(task: Task): Promise<unknown> {
  const fn = await loadJob(task.job);
  let evaluator: Evaluator;
  let remote: Evaluator | null = null;
  if (data.source.kind === 'shared') {
    if (task.port === undefined) throw new Error('worker: a shared-net task came without its port');
    const { RemoteEvaluator } = await import('../nn/remote.js');
    remote = await RemoteEvaluator.connect(task.port);
    evaluator = remote;
  } else {
    ownEvaluator ??= workerEvaluator();
    evaluator = await ownEvaluator;
  }
  try {
    return await fn({ evaluator }, task.args);
  } finally {
    await remote?.dispose();
  }
}
