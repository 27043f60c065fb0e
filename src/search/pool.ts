/**
 * Searches and self-play games on a piscina worker pool.
 *
 * Who owns the net (design note):
 * - CPU (onnxruntime): one session per worker ('model' source). Each worker thread runs its own searches
 *   and its own session with cores / workers intra-op threads, so tree work and inference of one worker
 *   overlap with the other workers' and nothing crosses threads per leaf. Measured here: onnxruntime is
 *   already efficient at batch 1, so batching across workers buys nothing a message hop would not cost.
 * - GPU (webgpu / tfjs-node-gpu): one owner ('shared' source). The pool's thread holds the only GPU
 *   context and serves a BatchingEvaluator; every worker's search sends its leaf batches there over a
 *   MessagePort (RemoteEvaluator), so many workers' leaves fill one large forward pass. A GPU needs large
 *   batches and tolerates one context only; the search workers need CPU, which the GPU owner leaves free.
 * - One deep search (GTP) on many cores: root parallelism (`parallelSearch`): every worker searches the
 *   same position with its own seed and the root statistics are merged. On a 2-core CPU one MctsSearch in
 *   the GTP thread with a 2-thread session is as fast; the pool pays off with a GPU or many cores.
 *
 * Failure: a worker that dies (crash, out of memory, process.exit) is replaced by piscina; the job it was
 * running rejects with a SearchPoolError naming the job and the exit, and the other jobs go on. A job may
 * be given a timeout, after which its worker is terminated, so nothing waits forever.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Board } from '../../engine/board.js';
import { PASS, type Move } from '../../engine/color.js';
import type { Game } from '../../engine/game.js';
import { compiledModule } from '../compiled-module.js';
import { BatchingEvaluator } from '../nn/batching.js';
import { serveEvaluator } from '../nn/remote.js';
import type { Analysis, CandidateAnalysis } from './analysis.js';
import { gameFromSpec, gameToSpec, type GameSpec } from './game-spec.js';
import type { SearchJobArgs } from './jobs.js';
import type { SearchLimits, SearchResult } from './mcts.js';
import { resolveSearchParams, type SearchParams } from './params.js';
import { applyAreaPassPolicy } from './pass-policy.js';
import type { PlayGameOptions, PlayedGame } from './play-game.js';
import type { EvaluatorSource, JobRef } from './pool-types.js';

export interface SearchPoolOptions {
  /** Worker threads (default: available cores). */
  workers?: number;
  evaluator: EvaluatorSource;
}

export interface JobOptions {
  /** Terminates the job's worker and rejects after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class SearchPoolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SearchPoolError';
  }
}

/** The compiled twin of a module of this folder (workers load JavaScript from dist/, never sources). */
export function compiledSearchModule(name: string): URL {
  return compiledModule(`src/search/${name}.js`, 'search module', (message) => new SearchPoolError(message));
}

export class SearchPool {
  readonly workers: number;
  private readonly piscina: Piscina;
  private readonly shared: BatchingEvaluator | null;
  private readonly jobsUrl: string;
  private closed = false;

  constructor(options: SearchPoolOptions) {
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`search pool: workers must be an integer ≥ 1, got ${workers}`);
    this.workers = workers;
    const source = options.evaluator;
    this.shared =
      source.kind === 'shared'
        ? new BatchingEvaluator(source.evaluator, { maxBatch: source.maxBatch ?? 256, maxWaitMs: source.maxWaitMs ?? 1, disposeInner: false })
        : null;
    this.jobsUrl = compiledSearchModule('jobs').href;
    this.piscina = new Piscina({
      filename: compiledSearchModule('worker').href,
      minThreads: workers,
      maxThreads: workers,
      // One job per worker at a time: a job is a whole search or game that keeps its thread busy.
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      workerData: {
        source: source.kind === 'shared' ? { kind: 'shared' } : source,
        threadsPerWorker: Math.max(1, Math.floor(availableParallelism() / workers)),
      },
    });
    // Errors outside any task (a worker dying while idle) must not crash the process; the next job
    // gets a fresh worker.
    this.piscina.on('error', () => {});
  }

  /** Runs `job` (a function exported by a compiled module) in a worker with that worker's evaluator. */
  async runJob<A, R>(job: JobRef, args: A, options: JobOptions = {}): Promise<R> {
    if (this.closed) throw new SearchPoolError('search pool is closed');
    const signals = [options.signal, options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    let stopServing: (() => void) | null = null;
    const task: { job: JobRef; args: A; port?: unknown } = { job, args };
    const transferList = [];
    if (this.shared !== null) {
      const { port1, port2 } = new MessageChannel();
      stopServing = serveEvaluator(port1, this.shared);
      task.port = port2;
      transferList.push(port2);
    }
    try {
      return (await this.piscina.run(task, { transferList: transferList as never, signal })) as R;
    } catch (e) {
      const what = `${job.exportName} (${job.url.split('/').pop()})`;
      const reason = e instanceof Error ? e.message : String(e);
      if (signal?.aborted) {
        const timedOut = options.timeoutMs !== undefined && !options.signal?.aborted;
        throw new SearchPoolError(`search job ${what} ${timedOut ? `timed out after ${options.timeoutMs} ms` : 'was aborted'}`, { cause: e });
      }
      if (/worker exited|Terminating worker/i.test(reason)) {
        throw new SearchPoolError(`search worker died while running ${what}: ${reason}`, { cause: e });
      }
      throw e;
    } finally {
      stopServing?.();
    }
  }

  /** One search of the game's position in one worker (no tree reuse between calls). */
  search(game: Game | GameSpec, limits: SearchLimits, params: Partial<SearchParams> = {}, options: JobOptions = {}): Promise<SearchResult> {
    const spec = 'board' in game ? gameToSpec(game) : game;
    return this.runJob<SearchJobArgs, SearchResult>({ url: this.jobsUrl, exportName: 'searchJob' }, { game: spec, limits, params }, options);
  }

  /** One self-play game in one worker. */
  playGame(options: PlayGameOptions, jobOptions: JobOptions = {}): Promise<PlayedGame> {
    return this.runJob<PlayGameOptions, PlayedGame>({ url: this.jobsUrl, exportName: 'playGameJob' }, options, jobOptions);
  }

  /**
   * `count` self-play games, as many at once as there are workers. `onGame` sees each game as it ends.
   * A failed game rejects the whole call after the others finish.
   */
  async playGames(count: number, optionsFor: (index: number) => PlayGameOptions, onGame?: (game: PlayedGame, index: number) => void): Promise<PlayedGame[]> {
    const results = await Promise.allSettled(
      Array.from({ length: count }, async (_, i) => {
        const g = await this.playGame(optionsFor(i));
        onGame?.(g, i);
        return g;
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<PlayedGame>).value);
  }

  /**
   * Root-parallel search: every worker searches the same position (visits split between them, each its
   * own seed) and the root statistics are merged. The move is the merged most-visited one, with the same
   * area pass policy as a single search.
   */
  async parallelSearch(game: Game, limits: SearchLimits, params: Partial<SearchParams> = {}, options: JobOptions = {}): Promise<SearchResult> {
    const p = resolveSearchParams(params);
    const spec = gameToSpec(game);
    const share = (n: number | undefined): number | undefined => (n === undefined ? undefined : Math.max(1, Math.ceil(n / this.workers)));
    const perWorker: SearchLimits = { ...limits, visits: share(limits.visits), playouts: share(limits.playouts) };
    const baseSeed = p.seed ?? ((Math.random() * 0x7fffffff) | 0);
    const results = await Promise.all(
      Array.from({ length: this.workers }, (_, i) => this.search(spec, perWorker, { ...params, seed: baseSeed + i, treeReuse: false }, options)),
    );
    return mergeResults(results, gameFromSpec(spec).board, game, p);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
    await this.shared?.dispose();
  }
}

/** Merges root statistics of independent searches of one position. */
export function mergeResults(results: readonly SearchResult[], board: Board, game: Game, params: SearchParams): SearchResult {
  const byMove = new Map<Move, { visits: number; valueSum: number; lcbSum: number; prior: number; pv: Move[]; pvVisits: number }>();
  let visits = 0;
  let rootValue = 0;
  for (const r of results) {
    visits += r.analysis.visits;
    rootValue += (2 * r.analysis.winrate - 1) * r.analysis.visits;
    for (const c of r.analysis.candidates) {
      const m = byMove.get(c.move) ?? { visits: 0, valueSum: 0, lcbSum: 0, prior: c.prior, pv: c.pv, pvVisits: 0 };
      m.visits += c.visits;
      m.valueSum += (2 * c.winrate - 1) * c.visits;
      m.lcbSum += c.lcb * c.visits;
      if (c.visits > m.pvVisits) {
        m.pv = c.pv;
        m.pvVisits = c.visits;
      }
      byMove.set(c.move, m);
    }
  }
  const candidates: CandidateAnalysis[] = [...byMove.entries()]
    .map(([move, m]) => ({ move, visits: m.visits, winrate: (m.valueSum / m.visits + 1) / 2, prior: m.prior, lcb: m.lcbSum / m.visits, pv: m.pv }))
    .sort((a, b) => b.visits - a.visits || b.prior - a.prior);
  const first = results[0]!;
  const analysis: Analysis = {
    color: first.analysis.color,
    visits,
    winrate: visits > 0 ? (rootValue / visits + 1) / 2 : first.analysis.winrate,
    candidates,
    ...(first.analysis.policy !== undefined ? { policy: first.analysis.policy } : {}),
  };
  const distribution = new Float32Array(first.visitDistribution.length);
  const total = candidates.reduce((s, c) => s + c.visits, 0);
  for (const c of candidates) distribution[c.move === PASS ? board.area : c.move] = c.visits / Math.max(1, total);
  let move: Move | 'resign' = candidates[0]?.move ?? (first.move === 'resign' ? PASS : first.move);
  if (params.moveSelection === 'lcb' && candidates.length > 0) {
    let best = candidates[0]!;
    for (const c of candidates) if (c.visits >= best.visits * params.lcbMinVisitFraction && c.lcb > best.lcb) best = c;
    move = best.move;
  }
  if (params.areaPassPolicy && game.rules.scoring === 'area') {
    move = applyAreaPassPolicy(move, candidates, board, game.effectiveKomi, () => (first.move === 'resign' ? PASS : first.move));
  }
  if (results.every((r) => r.move === 'resign')) move = 'resign';
  const stats = { ...first.stats };
  for (const r of results.slice(1)) {
    stats.playouts += r.stats.playouts;
    stats.batches += r.stats.batches;
    stats.evaluated += r.stats.evaluated;
    stats.collisions += r.stats.collisions;
    stats.elapsedMs = Math.max(stats.elapsedMs, r.stats.elapsedMs);
  }
  return { move, analysis, visitDistribution: distribution, stats };
}
