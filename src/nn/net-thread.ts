/**
 * A network on its own thread: a worker_threads Worker opens it (createEvaluator) and the caller gets an
 * Evaluator that posts batches to it (remote.ts).
 *
 * Why: onnxruntime-node's `session.run` is synchronous. Its promise only defers the call with setImmediate,
 * then the forward pass blocks the JavaScript thread (the calling thread is one of the intra-op threads).
 * A search that plays rollouts in its own thread (λ > 0: `--mode lee`, `--lambda`) therefore cannot play
 * them while a batch is in the net, however many lanes it keeps. With the net here, the search thread's
 * rollouts and tree work run on one core while the forward pass runs on another (measured on the 9x9
 * default player: ~1,830 → ~2,460 new visits per 1 s move; README, AlphaGo-Lee section).
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { compiledModule } from '../compiled-module.js';
import type { BackendEvaluator, CreateEvaluatorOptions } from './create-evaluator.js';
import type { BackendName, EvalOutput, NetInfo } from './evaluator.js';
import type { NetThreadData, NetThreadStatus } from './net-thread-worker.js';
import { RemoteEvaluator } from './remote.js';


export class NetThreadEvaluator implements BackendEvaluator {
  private disposed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly remote: RemoteEvaluator,
    readonly backend: BackendName,
  ) {}

  get info(): NetInfo {
    return this.remote.info;
  }

  /** Starts the thread and opens `options.modelDir` there; rejects with the thread's error if it cannot. */
  static async open(options: Omit<CreateEvaluatorOptions, 'model'> & { modelDir: string }): Promise<NetThreadEvaluator> {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(compiledModule('src/nn/net-thread-worker.js', 'network thread'), { workerData: { options, port: port2 } satisfies NetThreadData, transferList: [port2] });
    try {
      const status = await new Promise<NetThreadStatus>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`network thread exited (code ${code}) before the network was open`)));
      });
      if (status.kind === 'error') throw new Error(status.message);
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      // A crash later fails the pending and following evaluate() calls (the port closes) instead of the process.
      worker.on('error', () => port1.close());
      const remote = await RemoteEvaluator.connect(port1);
      return new NetThreadEvaluator(worker, remote, status.backend as BackendName);
    } catch (e) {
      port1.close();
      await worker.terminate();
      throw e;
    }
  }

  evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    return this.remote.evaluate(planes, count);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.remote.dispose();
    await this.worker.terminate();
  }
}
