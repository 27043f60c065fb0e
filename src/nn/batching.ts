/**
 * Gathers concurrent evaluate() calls (many searches, or many descents of one search with virtual loss)
 * into one forward pass.
 *
 * Policy: a request arriving while the backend is idle waits at most `maxWaitMs` for company, or less if
 * `maxBatch` positions are pending. While a batch runs, new requests queue; as soon as the backend is
 * free, everything pending goes (up to `maxBatch`) without further waiting, since waiting would only
 * leave the backend idle. A request is never split: one larger than `maxBatch` runs alone.
 *
 * Results handed back are views into the batch's output arrays (see the output note in evaluator.ts).
 */
import { checkEvaluateArgs, planesPerPosition, policySize, type EvalOutput, type Evaluator, type NetInfo } from './evaluator.js';

export interface BatchingOptions {
  /** Most positions per forward pass. */
  maxBatch: number;
  /** Longest a request waits for others when the backend is idle (0: only same-tick requests batch). */
  maxWaitMs: number;
  /** Forward passes allowed to run at once (1 suits one CPU session or one GPU queue). */
  maxInFlight: number;
  /** Dispose the wrapped evaluator when this one is disposed. */
  disposeInner: boolean;
}

export const DEFAULT_BATCHING: BatchingOptions = { maxBatch: 64, maxWaitMs: 1, maxInFlight: 1, disposeInner: true };

export interface BatchingStats {
  /** Forward passes run. */
  batches: number;
  /** Positions evaluated. */
  positions: number;
  /** evaluate() calls served. */
  requests: number;
  largestBatch: number;
}

interface Pending {
  planes: Float32Array;
  count: number;
  resolve: (out: EvalOutput) => void;
  reject: (e: unknown) => void;
}

export class BatchingEvaluator implements Evaluator {
  readonly info: NetInfo;
  readonly options: BatchingOptions;
  private readonly queue: Pending[] = [];
  private queuedPositions = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly freeBuffers: Float32Array[] = [];
  private readonly floatsPerPosition: number;
  private readonly actions: number;
  private disposed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: BatchingStats = { batches: 0, positions: 0, requests: 0, largestBatch: 0 };

  constructor(
    private readonly inner: Evaluator,
    options: Partial<BatchingOptions> = {},
  ) {
    const o = { ...DEFAULT_BATCHING, ...options };
    if (!Number.isInteger(o.maxBatch) || o.maxBatch < 1) throw new RangeError(`batching: maxBatch must be a positive integer, got ${o.maxBatch}`);
    if (!(o.maxWaitMs >= 0)) throw new RangeError(`batching: maxWaitMs must be >= 0, got ${o.maxWaitMs}`);
    if (!Number.isInteger(o.maxInFlight) || o.maxInFlight < 1) throw new RangeError(`batching: maxInFlight must be a positive integer, got ${o.maxInFlight}`);
    this.options = o;
    this.info = inner.info;
    this.floatsPerPosition = planesPerPosition(inner.info);
    this.actions = policySize(inner.info);
  }

  stats(): BatchingStats {
    return { ...this.counters };
  }

  evaluate(planes: Float32Array, count: number): Promise<EvalOutput> {
    if (this.disposed) return Promise.reject(new Error('evaluate: batching evaluator was disposed'));
    try {
      checkEvaluateArgs(this.info, planes, count);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<EvalOutput>((resolve, reject) => {
      this.queue.push({ planes, count, resolve, reject });
      this.queuedPositions += count;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.queuedPositions >= this.options.maxBatch) {
      this.launch();
      return;
    }
    if (this.timer === null && this.queue.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.launch();
      }, this.options.maxWaitMs);
    }
  }

  private launch(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch: Pending[] = [this.queue.shift()!];
      let positions = batch[0]!.count;
      while (this.queue.length > 0 && positions + this.queue[0]!.count <= this.options.maxBatch) {
        const next = this.queue.shift()!;
        batch.push(next);
        positions += next.count;
      }
      this.queuedPositions -= positions;
      void this.run(batch, positions);
    }
  }

  private async run(batch: Pending[], positions: number): Promise<void> {
    this.inFlight++;
    const fp = this.floatsPerPosition;
    let input: Float32Array;
    let pooled: Float32Array | null = null;
    if (batch.length === 1) {
      input = batch[0]!.planes;
    } else {
      pooled = this.takeBuffer(positions * fp);
      input = pooled;
      let offset = 0;
      for (const r of batch) {
        input.set(r.planes.subarray(0, r.count * fp), offset);
        offset += r.count * fp;
      }
    }
    try {
      const out = await this.inner.evaluate(input, positions);
      this.counters.batches++;
      this.counters.positions += positions;
      this.counters.requests += batch.length;
      this.counters.largestBatch = Math.max(this.counters.largestBatch, positions);
      let at = 0;
      for (const r of batch) {
        r.resolve({
          policy: out.policy.subarray(at * this.actions, (at + r.count) * this.actions),
          value: out.value.subarray(at, at + r.count),
        });
        at += r.count;
      }
    } catch (e) {
      for (const r of batch) r.reject(e);
    } finally {
      if (pooled !== null) this.freeBuffers.push(pooled);
      this.inFlight--;
      // The backend has a free slot: whatever queued meanwhile goes now, waiting longer would idle it.
      if (this.queue.length > 0) this.launch();
      if (this.inFlight === 0 && this.queue.length === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        waiters.forEach((w) => w());
      }
    }
  }

  /** A gathering buffer from the pool (one per possible in-flight batch), sized for maxBatch. */
  private takeBuffer(floats: number): Float32Array {
    const buf = this.freeBuffers.pop();
    if (buf !== undefined && buf.length >= floats) return buf;
    return new Float32Array(Math.max(floats, this.options.maxBatch * this.floatsPerPosition));
  }

  /** Runs what is queued, waits for every batch, then disposes the inner evaluator if owned. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.queue.length > 0 || this.inFlight > 0) {
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      this.launch();
      await idle;
    }
    if (this.options.disposeInner) await this.inner.dispose();
  }
}
