/**
 * Rollouts on worker threads (AlphaGo Lee ran its rollouts on CPU threads while the GPU ran the nets):
 * the search's leaf plug-in posts each leaf position to one of N workers and gets a promise of the
 * rollout value; the search awaits those promises only after its net batch, so the nets and the rollouts
 * run at the same time. Leaves go round-robin, so a fixed seed gives the same values in the same order.
 *
 * A message per leaf costs tens of µs against a 9x9 rollout of ~0.5–2 ms. Worth it where spare cores exist
 * (`--rollout-threads N`); on a 2-core machine the search thread and onnxruntime already use both, and
 * the in-thread leaf (KomiRolloutLeaf) is the default.
 */
import { Worker } from 'node:worker_threads';
import type { Board } from '../../engine/board.js';
import { compiledModule } from '../compiled-module.js';
import type { ScoreUtility } from '../search/outcome.js';
import type { RolloutReply, RolloutRequest, RolloutWorkerData } from './rollout-worker.js';

/** What lee-search.ts needs of a rollout leaf, in-thread or on workers. */
export interface RolloutLeaf {
  readonly weight: number;
  start(board: Board): Promise<number> | number;
  /** Scores the following rollouts with this komi (the game's effective komi). */
  setKomi(komi: number): void;
  readonly rollouts: number;
  readonly rolloutMoves: number;
  close(): Promise<void>;
}


export interface RolloutWorkerPoolOptions {
  workers: number;
  policyPath: string;
  size: number;
  komi: number;
  lambda: number;
  rolloutsPerLeaf: number;
  seed?: number;
  scoreUtility?: ScoreUtility;
}

export class RolloutWorkerPool implements RolloutLeaf {
  readonly weight: number;
  rollouts = 0;
  rolloutMoves = 0;
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private komi: number;
  private failure: Error | null = null;
  private closed = false;

  constructor(private readonly options: RolloutWorkerPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`rollout threads must be an integer ≥ 1, got ${options.workers}`);
    this.weight = options.lambda;
    this.komi = options.komi;
    const url = compiledModule('src/lee/rollout-worker.js', 'rollout worker');
    this.workers = Array.from({ length: options.workers }, (_, i) => {
      const workerData: RolloutWorkerData = { policyPath: options.policyPath, size: options.size, rolloutsPerLeaf: options.rolloutsPerLeaf, seed: (options.seed ?? 1) + 7919 * i, scoreUtility: options.scoreUtility };
      const w = new Worker(url, { workerData });
      w.on('message', (reply: RolloutReply) => this.onReply(reply));
      w.on('error', (e) => this.fail(new Error(`rollout worker ${i} failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`rollout worker ${i} exited (code ${code})`));
      });
      // An idle pool must not keep a finished process alive (ref'd again while rollouts are pending).
      w.unref();
      return w;
    });
  }

  setKomi(komi: number): void {
    this.komi = komi;
  }

  start(board: Board): Promise<number> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('rollout worker pool is closed'));
    const id = this.nextId++;
    const request: RolloutRequest = {
      id,
      komi: this.komi,
      stones: board.stones.slice(),
      toPlay: board.toPlay,
      koPoint: board.koPoint,
      koColor: board.koColor,
      passes: board.passes,
      lastMove: board.lastMove,
    };
    if (this.pending.size === 0) for (const w of this.workers) w.ref();
    const value = new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage(request, [request.stones.buffer as ArrayBuffer]);
    });
    // The search awaits this only after its net batch: mark it handled so a failure in between is not an
    // unhandled rejection (the search still sees it).
    value.catch(() => {});
    return value;
  }

  private onReply(reply: RolloutReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
    if (reply.error !== undefined) {
      p.reject(new Error(`rollout worker: ${reply.error}`));
      return;
    }
    this.rollouts += this.options.rolloutsPerLeaf;
    this.rolloutMoves += reply.moves;
    p.resolve(reply.value);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.fail(new Error('rollout worker pool is closed'));
  }
}
