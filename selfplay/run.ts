/**
 * `tengen run`: the AlphaGo Zero loop over a run directory (run-dir.ts), generation after generation:
 * self-play by the best network → train a candidate → gate it against the best → promote or not.
 * Every phase resumes from what is on disk, so the process may be killed (SIGKILL included) at any time
 * and started again with the same command.
 *
 * Two pipelines (LoopOptions.pipeline):
 * - sequential: self-play block g, then train candidate g, gate, promote, each with every core.
 * - overlapped (Leela Zero / KataGo): self-play never stops. While candidate g trains on the window ending
 *   with block g and is then gated, self-play workers already play block g+1 with the current best; the
 *   learner takes block g+1 as soon as it is complete and the promotion decision of g is made. Self-play runs
 *   at most one block ahead of the learner (it waits, and says so, when training is the slower side). The
 *   cores are split: `trainThreads` for training and gating in this thread, the rest to self-play workers
 *   (one onnxruntime session each). With a GPU backend (webgpu) this thread owns the one GPU context: it
 *   serves the workers' leaf batches (SearchPool 'shared' source) and trains there too.
 * The learner's position is state.json; self-play's is the set of complete shards; each block records the
 * network that plays it when it starts (shards/genNNNN/selfplay.json), so a block is played by one network
 * even across restarts, and each candidate's window (windows/genNNNN.json) names the shards it trained on.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import type { BackendEvaluator } from '../src/nn/create-evaluator.js';
import { createNet } from '../src/nn/model.js';
import { readNetMetadata, saveNet } from '../src/nn/model-io.js';
import { initTfjsBackend, withTfjsBackend } from '../src/nn/tfjs-runtime.js';
import { SearchPool } from '../src/search/pool.js';
import type { WatchPublisher } from '../src/watch/hub.js';
import { validateRunConfig, type RunConfig } from './config.js';
import { formatWinRate } from './elo.js';
import { runGating, type GatingRecord } from './gating.js';
import { createProgress } from './progress.js';
import { generationName, RunDir, shardNetwork, type BestPointer, type RunState, type SelfplaySegment, type TrainingWindowRecord } from './run-dir.js';
import { activityIsLive, RunActivityRecorder } from './run-activity.js';
import { promotionChain, readGatingRecords, writeRunPlots } from './run-plots.js';
import { mix, playSelfplayGames, type SelfplaySummary } from './selfplay.js';
import { readJsonIfExists } from './atomic.js';
import { trainCandidate, type TrainSummary } from './train.js';
import { modelWeights, setModelWeights } from '../src/nn/trainer.js';

export type PipelineMode = 'sequential' | 'overlapped';

export interface LoopOptions {
  /** Stop after this generation has been gated (overrides config.generations for this invocation). */
  untilGeneration?: number;
  /** Self-play worker threads (0 = play in this thread; the overlapped pipeline needs at least 1). */
  workers: number;
  /** onnxruntime threads of each self-play worker (default: the pool's share of the cores). */
  selfplayThreads?: number;
  /** Default sequential. */
  pipeline?: PipelineMode;
  /** Overlapped pipeline: threads for training and gating in this thread (default config.threads). */
  trainThreads?: number;
  watch?: WatchPublisher;
  progress: boolean;
  log: (line: string) => void;
  /** Stops self-play: games in flight are abandoned. */
  signal?: AbortSignal;
  /** Stops self-play from starting new games; games in flight finish and every shard they complete is kept. */
  drain?: AbortSignal;
  /** Where the running process reports what it does (RUN/activity.json). */
  activity?: RunActivityRecorder;
  /** Keeps self-play's worker pool from one call to the next while the network stays the same. */
  pools?: SelfplayPools;
}

/**
 * The self-play worker pool, kept between blocks while the network does not change: starting workers (each
 * loads the net code and opens a session) costs about a CPU-second each, which on a small board is a good
 * part of a block.
 */
export class SelfplayPools {
  private current: { key: string; pool: SearchPool; gpu: BackendEvaluator | undefined } | null = null;

  async get(modelDir: string, workers: number, create: () => Promise<{ pool: SearchPool; gpu: BackendEvaluator | undefined }>): Promise<SearchPool> {
    const key = `${workers}:${modelDir}`;
    if (this.current?.key === key) return this.current.pool;
    await this.close();
    this.current = { key, ...(await create()) };
    return this.current.pool;
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = null;
    await c?.pool.close();
    await c?.gpu?.dispose();
  }
}

/** What one self-play call did, for the pipeline figures. */
export interface SelfplayPhaseResult {
  summary: SelfplaySummary;
  seconds: number;
  network: string;
  /** Stopped early by LoopOptions.drain (the block is not complete). */
  drained: boolean;
}

/** Creates gen0000 (random weights), best.json and the first state, in an order that survives a kill. */
export async function initialiseRun(run: RunDir, config: RunConfig, log: (line: string) => void): Promise<RunState> {
  const existing = run.readState();
  if (existing !== null) return existing;
  const dir = run.networkDir(0);
  let valid = false;
  try {
    await readNetMetadata(dir);
    valid = true;
  } catch {
    valid = false;
  }
  if (!valid) {
    await initTfjsBackend('cpu');
    await withTfjsBackend('cpu', async () => {
      const shape = {
        blocks: config.blocks,
        filters: config.filters,
        ...(config.valueFilters !== undefined ? { valueFilters: config.valueFilters } : {}),
        ...(config.policyFilters !== undefined ? { policyFilters: config.policyFilters } : {}),
        ...(config.policyHead !== undefined ? { policyHead: config.policyHead } : {}),
      };
      const net = createNet(defaultNetConfig(config.boardSize, shape), { seed: config.seed });
      resetBatchNorm(net.model);
      await saveNet(net, dir);
      net.model.dispose();
    });
    log(`run: created ${generationName(0)} (${config.blocks} blocks × ${config.filters} filters, ${config.policyHead ?? 'dense'} policy head, random weights)`);
  }
  if (run.readBest() === null) {
    run.writeBest({ name: generationName(0), generation: 0, elo: 0, eloLow: 0, eloHigh: 0, promotedAt: new Date().toISOString() });
  }
  return run.writeState(1, 'selfplay');
}

/**
 * Generation 0 is seeded (He-uniform kernels from createNet's seed, so a run is reproducible) with every
 * BatchNorm at its identity initialisation: γ 1, β 0, moving mean 0, moving variance 1.
 */
function resetBatchNorm(model: import('@tensorflow/tfjs').LayersModel): void {
  const weights = modelWeights(model).map((w) => {
    const role = w.name.split('/').pop();
    if (role === 'gamma' || role === 'moving_variance') return { ...w, data: new Float32Array(w.data.length).fill(1) };
    if (role === 'beta' || role === 'moving_mean') return { ...w, data: new Float32Array(w.data.length) };
    return w;
  });
  setModelWeights(model, weights);
}

/** Tells this process's watch game ids from those of an earlier process of the same run. */
const WATCH_TAG = randomBytes(2).toString('hex');

/**
 * The network that plays self-play block g from shard `firstShard` on: the current best. When the block's
 * record names another network for the shards before (a promotion happened while it was played), a new
 * segment is recorded first; segments recorded for shards that were never written are dropped.
 */
export function blockNetwork(run: RunDir, g: number, firstShard: number): SelfplaySegment {
  const best = requireBest(run);
  const recorded = run.readSelfplayBlock(g);
  const kept = (recorded?.segments ?? []).filter((s) => s.fromShard < firstShard);
  const current = kept[kept.length - 1];
  if (current !== undefined && current.networkGeneration === best.generation && kept.length === recorded!.segments.length) return current;
  if (current !== undefined && current.networkGeneration === best.generation) {
    run.writeSelfplayBlock({ ...recorded!, segments: kept });
    return current;
  }
  const segment: SelfplaySegment = { fromShard: firstShard, network: best.name, networkGeneration: best.generation };
  run.writeSelfplayBlock({ format: 'tengen-selfplay-block', generation: g, startedAt: recorded?.startedAt ?? new Date().toISOString(), segments: [...kept, segment] });
  return segment;
}

/** Self-play block g (the games candidate g is the first to train on); resumes after the last complete shard. */
export async function selfplayPhase(run: RunDir, config: RunConfig, g: number, o: LoopOptions): Promise<SelfplayPhaseResult | null> {
  const per = config.selfplay.gamesPerShard;
  const shards = run.shardIndices(g);
  // Shards are written in index order, so the complete ones are 0..k-1.
  let firstGame = 0;
  while (shards.includes(firstGame / per)) firstGame += per;
  const total = config.selfplay.gamesPerGeneration;
  if (firstGame >= total) return null;
  const block = blockNetwork(run, g, firstGame / per);
  o.log(`selfplay: block ${g} (${total} games) by ${block.network}${firstGame > 0 ? `, resuming at game ${firstGame}` : ''}`);
  const bar = createProgress(`selfplay ${g}`, total, { enabled: o.progress });
  bar.update(firstGame);
  const modelDir = run.networkDir(block.networkGeneration);
  let evaluator: BackendEvaluator | undefined;
  let gpu: BackendEvaluator | undefined;
  let pool: SearchPool | undefined;
  const createPool = async (): Promise<{ pool: SearchPool; gpu: BackendEvaluator | undefined }> => {
    if (config.backend === 'webgpu') {
      // One GPU context, in this thread: the workers' searches send their leaves here and share its batches.
      const shared = await createEvaluator({ modelDir, backend: config.backend, threads: config.threads });
      return { pool: new SearchPool({ workers: o.workers, evaluator: { kind: 'shared', evaluator: shared } }), gpu: shared };
    }
    return { pool: new SearchPool({ workers: o.workers, evaluator: { kind: 'model', modelDir, backend: config.backend, threads: o.selfplayThreads } }), gpu: undefined };
  };
  if (o.workers > 0 && o.pools !== undefined) pool = await o.pools.get(modelDir, o.workers, createPool);
  else if (o.workers > 0) ({ pool, gpu } = await createPool());
  else evaluator = await createEvaluator({ modelDir, backend: config.backend, threads: config.threads });
  const workers = o.workers > 0 ? o.workers : 0;
  const threadsPerWorker = o.workers > 0 ? (o.selfplayThreads ?? Math.max(1, Math.floor(availableParallelism() / o.workers))) : config.threads;
  o.activity?.selfplay({ generation: g, network: block.network, games: firstGame, total, gamesPerHour: null, workers, threadsPerWorker });
  const started = performance.now();
  let moves = 0;
  let lastLog = started;
  try {
    const summary = await playSelfplayGames({
      size: config.boardSize,
      komi: config.komi,
      config: config.selfplay,
      firstGame,
      games: total - firstGame,
      shardPath: (i) => run.shardPath(g, i),
      sgfPath: (i) => `${run.gamesDir(g)}/game-${String(i).padStart(6, '0')}.sgf`,
      seed: mix(config.seed, g),
      networkName: block.network,
      evaluator,
      pool,
      watch: o.watch,
      // Unique across restarts and network switches (a game abandoned by a switch is played again).
      watchId: `selfplay-${generationName(g)}-${block.network}-${WATCH_TAG}`,
      signal: o.signal,
      drain: o.drain,
      onGame: (played, _index, n) => {
        moves += played.moves.length;
        const now = performance.now();
        const seconds = (now - started) / 1000;
        const gamesPerHour = (n * 3600) / seconds;
        bar.update(firstGame + n, { 'moves/s': moves / seconds, 'games/h': gamesPerHour });
        o.activity?.selfplay({ generation: g, network: block.network, games: firstGame + n, total, gamesPerHour, workers, threadsPerWorker }, null, false);
        if (!o.progress && o.pipeline === 'overlapped' && now - lastLog > 10_000) {
          lastLog = now;
          o.log(`selfplay: block ${g}: ${firstGame + n}/${total} games, ${gamesPerHour.toFixed(0)} games/h`);
        }
      },
    });
    if (o.drain?.aborted !== true) bar.update(total);
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    if (o.signal?.aborted) return { summary, seconds, network: block.network, drained: false };
    run.appendMetric({
      kind: 'selfplay',
      generation: g,
      network: block.network,
      pipeline: o.pipeline ?? 'sequential',
      workers,
      threadsPerWorker,
      ...summary,
      seconds,
      movesPerSecond: summary.moves / seconds,
      positionsPerSecond: summary.positions / seconds,
      gamesPerHour: (summary.games * 3600) / seconds,
      falseResignationRate: summary.wouldResign > 0 ? summary.falseResignations / summary.wouldResign : null,
    });
    return { summary, seconds, network: block.network, drained: o.drain?.aborted === true };
  } finally {
    bar.stop();
    await evaluator?.dispose();
    if (o.pools === undefined) {
      await pool?.close();
      await gpu?.dispose();
    }
  }
}

export function requireBest(run: RunDir): BestPointer {
  const best = run.readBest();
  if (best === null) throw new Error(`${run.bestPath} is missing: not an initialised run`);
  return best;
}

/** The network generation g trains from: the best (AGZ) or the previous candidate. */
export function trainingParent(run: RunDir, config: RunConfig, g: number): { dir: string; name: string } {
  const best = requireBest(run);
  if (config.train.fromBest || g <= 1 || !existsSync(run.networkDir(g - 1))) return { dir: run.networkDir(best.generation), name: best.name };
  return { dir: run.networkDir(g - 1), name: generationName(g - 1) };
}

export async function trainPhase(run: RunDir, config: RunConfig, g: number, o: LoopOptions): Promise<TrainSummary> {
  const parent = trainingParent(run, config, g);
  const steps = config.train.stepsPerGeneration;
  const bar = createProgress('train', steps, { enabled: o.progress });
  o.activity?.learner({ generation: g, phase: 'train', done: 0, total: steps, detail: `from ${parent.name}`, threads: config.threads });
  try {
    const summary = await trainCandidate({
      run,
      config,
      generation: g,
      parentDir: parent.dir,
      parentName: parent.name,
      outDir: run.networkDir(g),
      threads: config.threads,
      tfjsBackend: config.backend === 'webgpu' ? 'webgpu' : 'cpu',
      log: o.log,
      onProgress: (p) => {
        bar.update(p.step, { policy: p.result.policy, value: p.result.value, 'pos/s': p.positionsPerSecond });
        const detail = `from ${parent.name}, ${p.positionsPerSecond.toFixed(0)} positions/s, policy loss ${p.result.policy.toFixed(3)}, value loss ${p.result.value.toFixed(3)}`;
        o.activity?.learner({ generation: g, phase: 'train', done: p.step, total: steps, detail, threads: config.threads }, false);
      },
    });
    bar.stop();
    run.writeWindow(windowRecord(run, g, parent.name, summary));
    o.log(
      `train: ${generationName(g)} from ${parent.name}: ${summary.steps} steps (${summary.trainer}), window ${summary.windowGames} games / ${summary.windowPositions} positions, ` +
        `${summary.positionsPerSecond.toFixed(0)} pos/s` +
        (summary.last ? `, last policy loss ${summary.last.policy.toFixed(3)}, value loss ${summary.last.value.toFixed(3)}` : ''),
    );
    writeRunPlots(run);
    return summary;
  } finally {
    bar.stop();
  }
}

/** Which shards (grouped by self-play block, with the network that played each block) candidate g trained on. */
function windowRecord(run: RunDir, g: number, parent: string, summary: TrainSummary): TrainingWindowRecord {
  const blocks: TrainingWindowRecord['blocks'] = [];
  for (const path of summary.windowShards) {
    const m = /gen(\d+)[\\/]shard-(\d+)\.tgsh$/.exec(path);
    const block = Number(m?.[1] ?? -1);
    let entry = blocks.find((b) => b.generation === block);
    if (entry === undefined) {
      entry = { generation: block, shards: [] };
      blocks.push(entry);
    }
    entry.shards.push({ path: relative(run.root, path), network: shardNetwork(run.readSelfplayBlock(block), Number(m?.[2] ?? -1)) });
  }
  return { format: 'tengen-training-window', candidate: g, parent, games: summary.windowGames, positions: summary.windowPositions, blocks };
}

export async function gatePhase(run: RunDir, config: RunConfig, g: number, o: LoopOptions): Promise<GatingRecord | null> {
  if (config.gate.alwaysPromote) return null;
  const best = requireBest(run);
  const record = await playNetworks(run, config, g, best.generation, {
    rule: { rule: config.gate.rule, games: config.gate.games, threshold: config.gate.threshold, sprt: config.gate.sprt },
    recordPath: run.gatingPath(g),
    sgfDir: run.gatingGamesDir(g),
    seed: mix(config.seed ^ 0x51ed, g),
    label: 'gate',
    loop: o,
    generation: g,
  });
  const d = record.decision!;
  run.appendMetric({ kind: 'gate', generation: g, candidate: record.candidate, best: record.best, ...d.tally, rate: d.winRate.rate, low: d.winRate.low, high: d.winRate.high, elo: d.elo.elo, promote: d.promote, reason: d.reason });
  return record;
}

/**
 * An evaluation match outside the promotion chain: network `a` against network `b` for exactly `games`
 * games (colours alternating), recorded in RUN/matches/. Used to measure progress against gen0000.
 */
export async function matchPhase(run: RunDir, config: RunConfig, a: number, b: number, games: number, o: LoopOptions): Promise<GatingRecord> {
  const name = `${generationName(a)}-vs-${generationName(b)}`;
  return playNetworks(run, config, a, b, {
    rule: { rule: 'fixed', games, threshold: config.gate.threshold, sprt: config.gate.sprt },
    recordPath: `${run.root}/matches/${name}.json`,
    sgfDir: `${run.root}/matches/${name}`,
    seed: mix(config.seed ^ 0x3a7c, a * 1000 + b),
    label: 'match',
    loop: o,
    generation: a,
  });
}

async function playNetworks(
  run: RunDir,
  config: RunConfig,
  a: number,
  b: number,
  p: { rule: GatingRecord['rule']; recordPath: string; sgfDir: string; seed: number; label: string; loop: LoopOptions; generation: number },
): Promise<GatingRecord> {
  const o = p.loop;
  const candidate = await createEvaluator({ modelDir: run.networkDir(a), backend: config.backend, threads: config.threads });
  const opponent = await createEvaluator({ modelDir: run.networkDir(b), backend: config.backend, threads: config.threads });
  const bar = createProgress(p.label, p.rule.games, { enabled: o.progress });
  o.activity?.learner({ generation: p.generation, phase: 'gate', done: 0, total: p.rule.games, detail: `${generationName(a)} vs ${generationName(b)}`, threads: config.threads });
  try {
    const record = await runGating({
      size: config.boardSize,
      komi: config.komi,
      visits: config.gate.visits,
      randomMoves: config.gate.randomMoves,
      resignThreshold: config.gate.resignThreshold,
      rule: p.rule,
      parallel: config.selfplay.parallelGames,
      seed: p.seed,
      generation: a,
      candidateName: generationName(a),
      bestName: generationName(b),
      candidate,
      best: opponent,
      recordPath: p.recordPath,
      sgfDir: p.sgfDir,
      watch: o.watch,
      onGame: (r) => {
        const d = r.decision!;
        bar.update(r.games.length, { W: d.tally.wins, L: d.tally.losses, rate: d.winRate.rate, ...(d.sprt ? { LLR: d.sprt.llr } : {}) });
        const detail = `${generationName(a)} vs ${generationName(b)}: ${formatWinRate(d.tally)}`;
        o.activity?.learner({ generation: p.generation, phase: 'gate', done: r.games.length, total: p.rule.games, detail, threads: config.threads }, false);
      },
    });
    bar.stop();
    const d = record.decision!;
    o.log(
      `${p.label}: ${record.candidate} vs ${record.best}: ${formatWinRate(d.tally)}, Elo ${d.elo.elo.toFixed(0)} [${d.elo.low.toFixed(0)}, ${d.elo.high.toFixed(0)}]` +
        (p.rule.rule === 'fixed' ? '' : `: ${d.promote ? 'PROMOTED' : 'rejected'} (${d.reason})`),
    );
    return record;
  } finally {
    bar.stop();
    await candidate.dispose();
    await opponent.dispose();
  }
}

export function promotePhase(run: RunDir, config: RunConfig, g: number, o: LoopOptions): void {
  const record = readJsonIfExists<GatingRecord>(run.gatingPath(g));
  const promote = config.gate.alwaysPromote || (record?.decision?.done === true && record.decision.promote);
  const best = requireBest(run);
  if (promote && best.generation !== g) {
    const chain = promotionChain(readGatingRecords(run));
    const point = chain.find((c) => c.generation === g);
    run.writeBest({
      name: generationName(g),
      generation: g,
      elo: point?.elo ?? best.elo,
      eloLow: point?.low ?? best.eloLow,
      eloHigh: point?.high ?? best.eloHigh,
      promotedAt: new Date().toISOString(),
    });
    run.appendMetric({ kind: 'promote', generation: g, network: generationName(g), previous: best.name, elo: point?.elo ?? null });
    o.log(`promote: ${generationName(g)} is the new best${point ? ` (Elo ${point.elo.toFixed(0)} vs gen0000)` : ''}`);
  }
  writeRunPlots(run);
  // The candidate is saved; its trainer checkpoint is no longer needed.
  rmSync(run.trainDir(g), { recursive: true, force: true });
}

/** How `tengen run` uses the machine. */
export interface PipelineResources {
  pipeline: PipelineMode;
  /** Self-play worker threads (0 = self-play in the main thread, sequential only). */
  workers: number;
  /** onnxruntime threads of each self-play worker. */
  selfplayThreads: number;
  /** Threads for training and gating (overlapped); the sequential pipeline uses config.threads for all. */
  trainThreads: number;
}

/**
 * Defaults for a machine with `cores` cores: overlapped when there are at least 2 (one core or a quarter of
 * them trains, the rest play self-play games, one single-threaded onnxruntime session per worker: on CPU
 * that is where a core does the most search); sequential on 1 core, where overlapping only adds switching.
 */
export function resolvePipeline(cores: number, config: RunConfig, given: Partial<PipelineResources>): PipelineResources {
  const pipeline = given.pipeline ?? (cores >= 2 ? 'overlapped' : 'sequential');
  if (pipeline === 'sequential') {
    const workers = given.workers ?? 0;
    return { pipeline, workers, selfplayThreads: given.selfplayThreads ?? Math.max(1, Math.floor(cores / Math.max(1, workers))), trainThreads: given.trainThreads ?? config.threads };
  }
  const trainThreads = given.trainThreads ?? Math.max(1, Math.floor(cores / 4));
  const left = Math.max(1, cores - trainThreads);
  const workers = given.workers ?? left;
  if (workers < 1) throw new Error('the overlapped pipeline plays self-play on worker threads: --workers must be at least 1');
  return { pipeline, workers, selfplayThreads: given.selfplayThreads ?? Math.max(1, Math.floor(left / workers)), trainThreads };
}

/** Resolves every pending wait() at each notify(): the two halves of the overlapped pipeline wake each other. */
class Wakeup {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}

/**
 * Time accounting of one generation, written as a 'pipeline' metric when it is promoted: how long the
 * generation took end to end, the learner's phases, how long each side waited for the other, and the
 * throughput ratio of training to self-play (positions trained per second / new positions per second).
 */
interface GenerationTimes {
  startedAt: number;
  trainSeconds: number;
  gateSeconds: number;
  learnerWaitSeconds: number;
  train: TrainSummary | null;
}

function newGenerationTimes(): GenerationTimes {
  return { startedAt: performance.now(), trainSeconds: 0, gateSeconds: 0, learnerWaitSeconds: 0, train: null };
}

/**
 * The learner's train or gate phase of generation g, the same in both pipelines: runs it, adds its time to
 * `times` and records the next phase.
 */
async function learnerPhase(run: RunDir, config: RunConfig, g: number, phase: 'train' | 'gate', times: GenerationTimes, o: LoopOptions): Promise<RunState> {
  const t0 = performance.now();
  if (phase === 'train') {
    times.train = await trainPhase(run, config, g, o);
    times.trainSeconds += (performance.now() - t0) / 1000;
    return run.writeState(g, 'gate');
  }
  await gatePhase(run, config, g, o);
  times.gateSeconds += (performance.now() - t0) / 1000;
  return run.writeState(g, 'promote');
}

export interface PipelineFigures {
  /** Positions/s the trainer consumed (SGD samples) over positions/s self-play produced. */
  trainToSelfplayRatio: number | null;
  /** The learner's time for a generation (train + gate) over self-play's time for a block: ≤ 1 means training keeps up. */
  learnerToSelfplayTime: number | null;
}

export function pipelineFigures(trainPositionsPerSecond: number | null, selfplayPositionsPerSecond: number | null, learnerSeconds: number | null, selfplaySeconds: number | null): PipelineFigures {
  return {
    trainToSelfplayRatio: trainPositionsPerSecond !== null && selfplayPositionsPerSecond ? trainPositionsPerSecond / selfplayPositionsPerSecond : null,
    learnerToSelfplayTime: learnerSeconds !== null && selfplaySeconds ? learnerSeconds / selfplaySeconds : null,
  };
}

/** Runs the loop until the configured (or requested) generation is done. Returns the last state. */
export async function runLoop(run: RunDir, config: RunConfig, o: LoopOptions): Promise<RunState> {
  const other = run.readActivity();
  if (o.activity === undefined && other !== null && other.pid !== process.pid && (other.learner !== null || other.selfplay !== null) && activityIsLive(other)) {
    // Two processes on one run would write the same shards and checkpoints.
    throw new Error(`${run.root} is being run by process ${other.pid} (${run.activityPath}); stop it first, or delete that file if the process is not a tengen run`);
  }
  const removed = run.removeTempFiles();
  if (removed > 0) o.log(`run: removed ${removed} temp file(s) left by an interrupted write`);
  const state = await initialiseRun(run, config, o.log);
  const last = o.untilGeneration ?? (config.generations > 0 ? config.generations : Number.POSITIVE_INFINITY);
  const pipeline = o.pipeline ?? 'sequential';
  const activity = o.activity ?? new RunActivityRecorder(run, pipeline);
  const loop = { ...o, pipeline, activity };
  try {
    const final = pipeline === 'overlapped' ? await runOverlapped(run, config, state, last, loop) : await runSequential(run, config, state, last, loop);
    activity.stop(`stopped before generation ${final.generation}`);
    return final;
  } catch (e) {
    activity.stop(`failed: ${(e as Error).message.split('\n')[0]}`);
    throw e;
  }
}

async function runSequential(run: RunDir, config: RunConfig, initial: RunState, last: number, o: LoopOptions): Promise<RunState> {
  let state = initial;
  let times: GenerationTimes = newGenerationTimes();
  let block: SelfplayPhaseResult | null = null;
  while (state.generation <= last) {
    const g = state.generation;
    switch (state.phase) {
      case 'selfplay':
        o.activity?.learner({ generation: g, phase: 'selfplay', done: 0, total: 0, detail: `self-play block ${g} (sequential)`, threads: config.threads });
        block = await selfplayPhase(run, config, g, o);
        o.activity?.selfplay(null, 'sequential pipeline: self-play waits for training and gating');
        state = run.writeState(g, 'train');
        break;
      case 'train':
      case 'gate':
        state = await learnerPhase(run, config, g, state.phase, times, o);
        break;
      case 'promote':
        promotePhase(run, config, g, o);
        recordPipeline(run, g, 'sequential', times, block, 0, o);
        times = newGenerationTimes();
        block = null;
        state = run.writeState(g + 1, 'selfplay');
        break;
    }
  }
  return state;
}

/**
 * The overlapped pipeline: an actor (self-play blocks on the worker pool) and a learner (train → gate →
 * promote in this thread) run at once. The learner moves state.json exactly as the sequential loop does;
 * the actor plays the first incomplete block among g and g+1 (g = the learner's generation), so it is at
 * most one block ahead, and never a block beyond `last`.
 */
async function runOverlapped(run: RunDir, config: RunConfig, initial: RunState, last: number, o: LoopOptions): Promise<RunState> {
  let state = initial;
  const wake = new Wakeup();
  const abort = new AbortController();
  const signal = o.signal === undefined ? abort.signal : AbortSignal.any([abort.signal, o.signal]);
  let learnerDone = false;
  let actorDone = false;
  let failure: unknown = null;
  const learnerConfig = validateRunConfig({ ...config, threads: o.trainThreads ?? config.threads });
  // Self-play logs plain lines; the learner's bars keep the terminal.
  const pools = new SelfplayPools();
  const actorOptions: LoopOptions = { ...o, signal, progress: false, pools };
  const blocks = new Map<number, SelfplayPhaseResult>();
  let selfplayIdleSeconds = 0;
  // Drained when a promotion makes another network the best: self-play switches to it at the next shard.
  let drain = new AbortController();
  o.log(
    `run: overlapped pipeline: self-play on ${o.workers} worker(s)${config.backend === 'webgpu' ? ' sharing this thread\'s GPU net' : ` × ${o.selfplayThreads ?? 1} thread(s)`}, ` +
      `training and gating on ${learnerConfig.threads} thread(s)`,
  );

  const nextBlock = (): number | null => {
    for (let k = state.generation; k <= Math.min(state.generation + 1, last); k++) if (!run.blockComplete(k, config)) return k;
    return null;
  };

  const actor = async (): Promise<void> => {
    try {
      while (!learnerDone && failure === null && !signal.aborted) {
        const k = nextBlock();
        if (k === null) {
          const why = state.generation + 1 > last ? 'all blocks of this run are played' : `block ${state.generation + 1} is done; waiting for the learner to finish generation ${state.generation}`;
          o.activity?.selfplay(null, why);
          const t0 = performance.now();
          await wake.wait();
          if (state.generation + 1 <= last) selfplayIdleSeconds += (performance.now() - t0) / 1000;
          continue;
        }
        if (drain.signal.aborted) drain = new AbortController();
        // A block the learner is already waiting for (the first one, or after a restart) gets its cores too.
        const learnerIdle = k === state.generation && state.phase === 'selfplay' && config.backend !== 'webgpu';
        const workers = learnerIdle ? o.workers + learnerConfig.threads : o.workers;
        const result = await selfplayPhase(run, config, k, { ...actorOptions, workers, drain: drain.signal });
        if (result !== null) blocks.set(k, result);
        wake.notify();
      }
    } catch (e) {
      failure ??= e;
    } finally {
      await pools.close().catch(() => undefined);
      actorDone = true;
      wake.notify();
    }
  };

  const learner = async (): Promise<void> => {
    let times: GenerationTimes = newGenerationTimes();
    try {
      while (state.generation <= last && failure === null) {
        const g = state.generation;
        const t0 = performance.now();
        switch (state.phase) {
          case 'selfplay':
            if (run.blockComplete(g, config)) {
              state = run.writeState(g, 'train');
              wake.notify();
              break;
            }
            if (actorDone) throw new Error(`self-play stopped before block ${g} was complete`);
            o.activity?.learner({ generation: g, phase: 'selfplay', done: 0, total: 0, detail: `waiting for self-play block ${g}`, threads: learnerConfig.threads });
            await wake.wait();
            times.learnerWaitSeconds += (performance.now() - t0) / 1000;
            break;
          case 'train':
          case 'gate':
            state = await learnerPhase(run, learnerConfig, g, state.phase, times, o);
            break;
          case 'promote':
            const before = requireBest(run).generation;
            promotePhase(run, learnerConfig, g, o);
            if (requireBest(run).generation !== before) drain.abort();
            // Self-play of block g+1 ran while this generation trained: it is the block to compare with.
            recordPipeline(run, g, 'overlapped', times, blocks.get(g + 1) ?? blocks.get(g) ?? null, selfplayIdleSeconds, o);
            selfplayIdleSeconds = 0;
            times = newGenerationTimes();
            state = run.writeState(g + 1, 'selfplay');
            wake.notify();
            break;
        }
      }
    } catch (e) {
      failure ??= e;
    } finally {
      learnerDone = true;
      // Stop self-play too: games in flight finish, and any shard they complete is kept.
      if (failure !== null) abort.abort();
      wake.notify();
    }
  };

  await Promise.all([actor(), learner()]);
  if (failure !== null) throw failure;
  return state;
}

function recordPipeline(run: RunDir, g: number, pipeline: PipelineMode, t: GenerationTimes, block: SelfplayPhaseResult | null, selfplayIdleSeconds: number, o: LoopOptions): void {
  const generationSeconds = (performance.now() - t.startedAt) / 1000;
  const trainRate = t.train?.positionsPerSecond ?? null;
  const selfplayRate = block !== null && block.seconds > 0 ? block.summary.positions / block.seconds : null;
  const learnerSeconds = t.train !== null ? t.trainSeconds + t.gateSeconds : null;
  const figures = pipelineFigures(trainRate, selfplayRate, learnerSeconds, block?.seconds ?? null);
  run.appendMetric({
    kind: 'pipeline',
    generation: g,
    pipeline,
    generationSeconds,
    trainSeconds: t.trainSeconds,
    gateSeconds: t.gateSeconds,
    learnerWaitSeconds: t.learnerWaitSeconds,
    selfplaySeconds: block?.seconds ?? null,
    selfplayIdleSeconds,
    trainPositionsPerSecond: trainRate,
    selfplayPositionsPerSecond: selfplayRate,
    ...figures,
  });
  const ratio = figures.trainToSelfplayRatio === null ? '' : `; training/self-play throughput ${figures.trainToSelfplayRatio.toFixed(1)} (${trainRate!.toFixed(0)} vs ${selfplayRate!.toFixed(1)} positions/s)`;
  const verdict = pipeline === 'sequential' ? '' : figures.learnerToSelfplayTime! <= 1 ? ' (training keeps up)' : ' (self-play waits for training)';
  const keep = figures.learnerToSelfplayTime === null ? '' : `; learner/self-play time ${figures.learnerToSelfplayTime.toFixed(2)}${verdict}`;
  o.log(`run: generation ${g} took ${generationSeconds.toFixed(1)} s (${pipeline}: train ${t.trainSeconds.toFixed(1)} s, gate ${t.gateSeconds.toFixed(1)} s, learner waited ${t.learnerWaitSeconds.toFixed(1)} s, self-play idle ${selfplayIdleSeconds.toFixed(1)} s)${ratio}${keep}`);
}
