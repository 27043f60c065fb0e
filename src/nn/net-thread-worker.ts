/**
 * The worker side of net-thread.ts: opens the network given in workerData with createEvaluator and serves
 * it on the port it was handed (remote.ts's protocol). Tells its parent 'ready' (with the backend that was
 * chosen) or 'error' (with the message) once, so a network that cannot load is an error on the caller's side.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createEvaluator, type CreateEvaluatorOptions } from './create-evaluator.js';
import { planesPerPosition } from './evaluator.js';
import { serveEvaluator } from './remote.js';

export interface NetThreadData {
  options: Omit<CreateEvaluatorOptions, 'model'>;
  port: MessagePort;
}

export type NetThreadStatus = { kind: 'ready'; backend: string } | { kind: 'error'; message: string };

const data = workerData as NetThreadData;
try {
  const evaluator = await createEvaluator(data.options);
  // The first forward pass sets the session up (allocations, kernels): do it now rather than in a search.
  await evaluator.evaluate(new Float32Array(planesPerPosition(evaluator.info)), 1);
  serveEvaluator(data.port, evaluator);
  parentPort!.postMessage({ kind: 'ready', backend: evaluator.backend } satisfies NetThreadStatus);
} catch (e) {
  parentPort!.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies NetThreadStatus);
}
