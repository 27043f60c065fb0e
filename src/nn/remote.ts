/**
 * One net owner, many threads: the owner serves an Evaluator (usually a BatchingEvaluator, so requests
 * from every worker share forward passes) over a MessagePort; search workers (piscina worker threads)
 * hold a RemoteEvaluator on the other end and need not know which backend or thread runs the net.
 *
 * Wire protocol (structured clone; Float32Array buffers are transferred, not copied twice):
 *   worker → owner  { kind: 'info', id }                      owner → worker { kind: 'info', id, info }
 *   worker → owner  { kind: 'evaluate', id, planes, count }   owner → worker { kind: 'result', id, policy, value }
 *                                                             or             { kind: 'error', id, message }
 * Usage: const { port1, port2 } = new MessageChannel(); serveEvaluator(port1, evaluator); pass port2 to the
 * worker in workerData with transferList [port2]; in the worker, `await RemoteEvaluator.connect(port2)`.
 */
import type { MessagePort } from 'node:worker_threads';
import { checkEvaluateArgs, planesPerPosition, type EvalOutput, type Evaluator, type NetInfo } from './evaluator.js';

type Request = { kind: 'info'; id: number } | { kind: 'evaluate'; id: number; planes: Float32Array; count: number };
type Reply =
  | { kind: 'info'; id: number; info: NetInfo }
  | { kind: 'result'; id: number; policy: Float32Array; value: Float32Array }
  | { kind: 'error'; id: number; message: string };

/** An array that owns its whole buffer can be transferred; a view into a shared batch output is copied. */
function transferable(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer ? a : a.slice();
}

/**
 * Answers evaluation requests arriving on `port` with `evaluator`. Returns a function that stops serving
 * and closes the port. The evaluator is not disposed (the owner may serve it on other ports too).
 */
export function serveEvaluator(port: MessagePort, evaluator: Evaluator): () => void {
  const onMessage = (msg: Request): void => {
    if (msg.kind === 'info') {
      port.postMessage({ kind: 'info', id: msg.id, info: evaluator.info } satisfies Reply);
      return;
    }
    if (msg.kind !== 'evaluate') return;
    evaluator.evaluate(msg.planes, msg.count).then(
      (out) => {
        const policy = transferable(out.policy);
        const value = transferable(out.value);
        const transfer = policy.buffer === value.buffer ? [policy.buffer] : [policy.buffer, value.buffer];
        port.postMessage({ kind: 'result', id: msg.id, policy, value } satisfies Reply, transfer as ArrayBuffer[]);
      },
      (e: unknown) => port.postMessage({ kind: 'error', id: msg.id, message: e instanceof Error ? e.message : String(e) } satisfies Reply),
    );
  };
  port.on('message', onMessage);
  return () => {
    port.off('message', onMessage);
    port.close();
  };
}

export class RemoteEvaluator implements Evaluator {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private closed = false;
  private readonly floatsPerPosition: number;

  private constructor(
    private readonly port: MessagePort,
    readonly info: NetInfo,
  ) {
    this.floatsPerPosition = planesPerPosition(info);
  }

  /** Asks the owner for the net's info, then returns an evaluator bound to `port`. */
  static async connect(port: MessagePort): Promise<RemoteEvaluator> {
    const info = await new Promise<NetInfo>((resolve, reject) => {
      const onMessage = (r: Reply): void => {
        if (r.kind === 'info' && r.id === 0) {
          port.off('message', onMessage);
          port.off('close', onClose);
          resolve(r.info);
        }
      };
      const onClose = (): void => reject(new Error('remote evaluator: the owner closed the port before answering'));
      port.on('message', onMessage);
      port.on('close', onClose);
      port.postMessage({ kind: 'info', id: 0 } satisfies Request);
    });
    const remote = new RemoteEvaluator(port, info);
    port.on('message', (r: Reply) => remote.receive(r));
    port.on('close', () => remote.fail(new Error('remote evaluator: the net owner closed the connection')));
    return remote;
  }

  private receive(r: Reply): void {
    const w = this.waiting.get(r.id);
    if (w === undefined) return;
    this.waiting.delete(r.id);
    if (r.kind === 'error') w.reject(new Error(`remote evaluator: ${r.message}`));
    else w.resolve(r);
  }

  private fail(e: Error): void {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    if (this.closed) throw new Error('remote evaluator: connection closed');
    checkEvaluateArgs(this.info, planes, count);
    // A copy of just the positions asked for, transferred: the caller keeps its (reusable) buffer.
    const payload = planes.slice(0, count * this.floatsPerPosition);
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.postMessage({ kind: 'evaluate', id, planes: payload, count } satisfies Request, [payload.buffer]);
    });
    if (reply.kind !== 'result') throw new Error(`remote evaluator: unexpected reply '${reply.kind}'`);
    return { policy: reply.policy, value: reply.value };
  }

  /** Closes this end; the owner's evaluator stays alive for others. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.fail(new Error('remote evaluator: disposed'));
    this.port.close();
  }
}
