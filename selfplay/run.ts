/**
 * `tengen run`: the AlphaGo Zero loop over a run directory (run-dir.ts), generation after generation:
 * self-play by the best network → train a candidate → gate it against the best → promote or not.
 * Every phase resumes from what is on disk, so the process may be killed (SIGKILL included) at any time
 * and started again with the same command. On a 2-core machine the phases run one after the other (self-
 * play and training would only compete for the same cores); on more cores self-play uses worker threads.
 */
import { existsSync, rmSync } from 'node:fs';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import type { BackendEvaluator } from '../src/nn/create-evaluator.js';
import { createNet } from '../src/nn/model.js';
import { readNetMetadata, saveNet } from '../src/nn/model-io.js';
import { initTfjsBackend, withTfjsBackend } from '../src/nn/tfjs-runtime.js';
import { SearchPool } from '../src/search/pool.js';
import type { WatchPublisher } from '../src/watch/hub.js';
import type { RunConfig } from './config.js';
import { formatWinRate } from './elo.js';
import { runGating, type GatingRecord } from './gating.js';
import { createProgress } from './progress.js';
import { generationName, RunDir, type BestPointer, type RunState } from './run-dir.js';
import { promotionChain, readGatingRecords, writeRunPlots } from './run-plots.js';
import { mix, playSelfplayGames, type SelfplaySummary } from './selfplay.js';
import { readJsonIfExists } from './atomic.js';
import { trainCandidate } from './train.js';
import { modelWeights, setModelWeights } from '../src/nn/trainer.js';

export interface LoopOptions {
  /** Stop after this generation has been gated (overrides config.generations for this invocation). */
  untilGeneration?: number;
  /** Self-play worker threads (0 = play in this thread). */
  workers: number;
  watch?: WatchPublisher;
  progress: boolean;
  log: (line: string) => void;
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
      const net = createNet(defaultNetConfig(config.boardSize, { blocks: config.blocks, filters: config.filters }), { seed: config.seed });
      resetBatchNorm(net.model);
      await saveNet(net, dir);
      net.model.dispose();
    });
    log(`run: created ${generationName(0)} (${config.blocks} blocks × ${config.filters} filters, random weights)`);
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

/** Self-play of generation g by the best network; resumes after the last complete shard. */
export async function selfplayPhase(run: RunDir, config: RunConfig, g: number, o: LoopOptions): Promise<SelfplaySummary | null> {
  const best = requireBest(run);
  const per = config.selfplay.gamesPerShard;
  const shards = run.shardIndices(g);
  // Shards are written in index order, so the complete ones are 0..k-1.
  let firstGame = 0;
  while (shards.includes(firstGame / per)) firstGame += per;
  const total = config.selfplay.gamesPerGeneration;
  if (firstGame >= total) return null;
  if (firstGame > 0) o.log(`selfplay: generation ${g} resumes at game ${firstGame}/${total}`);
  const bar = createProgress('selfplay', total, { enabled: o.progress });
  bar.update(firstGame);
  const modelDir = run.networkDir(best.generation);
  let evaluator: BackendEvaluator | undefined;
  let pool: SearchPool | undefined;
  if (o.workers > 0) pool = new SearchPool({ workers: o.workers, evaluator: { kind: 'model', modelDir, backend: config.backend } });
  else evaluator = await createEvaluator({ modelDir, backend: config.backend, threads: config.threads });
  const started = performance.now();
  let moves = 0;
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
      networkName: best.name,
      evaluator,
      pool,
      watch: o.watch,
      onGame: (played, _index, n) => {
        moves += played.moves.length;
        const seconds = (performance.now() - started) / 1000;
        bar.update(firstGame + n, { 'moves/s': moves / seconds, 'games/h': (n * 3600) / seconds });
      },
    });
    bar.update(total);
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    run.appendMetric({
      kind: 'selfplay',
      generation: g,
      network: best.name,
      ...summary,
      movesPerSecond: summary.moves / seconds,
      gamesPerHour: (summary.games * 3600) / seconds,
      falseResignationRate: summary.wouldResign > 0 ? summary.falseResignations / summary.wouldResign : null,
    });
    return summary;
  } finally {
    bar.stop();
    await evaluator?.dispose();
    await pool?.close();
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

export async function trainPhase(run: RunDir, config: RunConfig, g: number, o: LoopOptions): Promise<void> {
  const parent = trainingParent(run, config, g);
  const bar = createProgress('train', config.train.stepsPerGeneration, { enabled: o.progress });
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
      onProgress: (p) => bar.update(p.step, { policy: p.result.policy, value: p.result.value, 'pos/s': p.positionsPerSecond }),
    });
    bar.stop();
    o.log(
      `train: ${generationName(g)} from ${parent.name}: ${summary.steps} steps (${summary.trainer}), window ${summary.windowGames} games / ${summary.windowPositions} positions, ` +
        `${summary.positionsPerSecond.toFixed(0)} pos/s` +
        (summary.last ? `, last policy loss ${summary.last.policy.toFixed(3)}, value loss ${summary.last.value.toFixed(3)}` : ''),
    );
  } finally {
    bar.stop();
  }
  writeRunPlots(run);
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
  });
}

async function playNetworks(
  run: RunDir,
  config: RunConfig,
  a: number,
  b: number,
  p: { rule: GatingRecord['rule']; recordPath: string; sgfDir: string; seed: number; label: string; loop: LoopOptions },
): Promise<GatingRecord> {
  const o = p.loop;
  const candidate = await createEvaluator({ modelDir: run.networkDir(a), backend: config.backend, threads: config.threads });
  const opponent = await createEvaluator({ modelDir: run.networkDir(b), backend: config.backend, threads: config.threads });
  const bar = createProgress(p.label, p.rule.games, { enabled: o.progress });
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

/** Runs the loop until the configured (or requested) generation is done. Returns the last state. */
export async function runLoop(run: RunDir, config: RunConfig, o: LoopOptions): Promise<RunState> {
  const removed = run.removeTempFiles();
  if (removed > 0) o.log(`run: removed ${removed} temp file(s) left by an interrupted write`);
  let state = await initialiseRun(run, config, o.log);
  const last = o.untilGeneration ?? (config.generations > 0 ? config.generations : Number.POSITIVE_INFINITY);
  while (state.generation <= last) {
    const g = state.generation;
    switch (state.phase) {
      case 'selfplay':
        await selfplayPhase(run, config, g, o);
        state = run.writeState(g, 'train');
        break;
      case 'train':
        await trainPhase(run, config, g, o);
        state = run.writeState(g, 'gate');
        break;
      case 'gate':
        await gatePhase(run, config, g, o);
        state = run.writeState(g, 'promote');
        break;
      case 'promote':
        promotePhase(run, config, g, o);
        state = run.writeState(g + 1, 'selfplay');
        break;
    }
  }
  return state;
}
