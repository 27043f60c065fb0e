/**
 * `npm run bench -- selfplay [visits=100] [games=8] [size=9] [blocks=6] [filters=64] [seconds=20] [tfjs=1] [loop=3] [speed=1]`
 *
 * Self-play speed (moves/s, games/hour) of a 9x9 6x64 network (random weights: the speed of a game does not
 * depend on how well the net plays, only its length does) with the given visits per move, in this thread
 * with 1 and 8 games at once (leaves batched) and on a worker pool; then training speed (positions/s) of the
 * same network per trainer: the onnxruntime training graph (batch 64 and 256), tfjs autodiff on the `cpu`
 * backend (tfjs=0 skips it: one step takes minutes), tfjs-wasm (cannot train as shipped: reported) and
 * webgpu when a GPU adapter exists. Finally the ratio of training to self-play throughput: how many times
 * each self-play position can be trained on before training falls behind.
 *
 * Then the overlapped pipeline's split of the cores: self-play on cores − T worker threads (one onnxruntime
 * thread each) while training runs at the same time on T threads (T = tengen run's default), both rates
 * measured together, and their ratio. Finally (loop=N, 0 skips) `tengen run` itself on a tiny 5x5 config for N
 * generations, sequential (all cores, then one thread) and overlapped, with the time per generation of each.
 * speed=0 runs only that comparison.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultNetConfig } from '../src/nn/config.js';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import { createNet } from '../src/nn/model.js';
import { saveNet } from '../src/nn/model-io.js';
import { initTfjsBackend, withTfjsBackend } from '../src/nn/tfjs-runtime.js';
import { SearchPool } from '../src/search/pool.js';
import { Rng } from '../engine/rng.js';
import { defaultRunConfig } from '../selfplay/config.js';
import { gameOptions, playSelfplayGames, runConcurrently } from '../selfplay/selfplay.js';
import { playGame, type PlayedGame } from '../src/search/play-game.js';
import { BatchingEvaluator } from '../src/nn/batching.js';
import { TfjsTrainer } from '../src/nn/tfjs-trainer.js';
import { OnnxTrainer } from '../src/nn/trainer.js';
import type { TrainingBatch } from '../selfplay/train-data.js';
import { RunDir } from '../selfplay/run-dir.js';
import { resolvePipeline, runLoop, type PipelineMode } from '../selfplay/run.js';
import { printTable } from './table.js';

function parseArgs(args: string[]): Record<string, number> {
  const out: Record<string, number> = { visits: 100, games: 8, size: 9, blocks: 6, filters: 64, seconds: 20, tfjs: 1, loop: 3, speed: 1 };
  for (const a of args) {
    const [k, v] = a.split('=');
    if (k === undefined || v === undefined || !(k in out) || !Number.isFinite(Number(v))) throw new Error(`bench selfplay: bad argument '${a}' (use name=value with ${Object.keys(out).join(', ')})`);
    out[k] = Number(v);
  }
  return out;
}

function randomBatch(count: number, size: number, seed: number): TrainingBatch {
  const rng = new Rng(seed);
  const area = size * size;
  const b: TrainingBatch = { count, planes: new Float32Array(count * 18 * area), policy: new Float32Array(count * (area + 1)), value: new Float32Array(count) };
  for (let i = 0; i < b.planes.length; i++) b.planes[i] = rng.next() < 0.3 ? 1 : 0;
  b.policy.fill(1 / (area + 1));
  for (let i = 0; i < count; i++) b.value[i] = rng.next() < 0.5 ? 1 : -1;
  return b;
}

export async function run(args: string[]): Promise<void> {
  const a = parseArgs(args);
  if (!a.speed) {
    await pipelineComparison(a.loop!, availableParallelism());
    return;
  }
  const size = a.size!;
  const config = defaultRunConfig(size, { selfplay: { visits: a.visits!, resignThreshold: 0 } });
  const netConfig = defaultNetConfig(size, { blocks: a.blocks!, filters: a.filters! });
  await initTfjsBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'tengen-bench-selfplay-'));
  const net = createNet(netConfig, { seed: 1 });
  await withTfjsBackend('cpu', () => saveNet(net, dir));
  const cores = availableParallelism();
  console.log(`self-play: ${size}x${size} ${a.blocks}x${a.filters}, ${a.visits} visits/move, ${a.games} games per row, ${cores} cores (random-weight net: games run to the move cap or two passes)`);

  const rows: Record<string, string | number>[] = [];
  let bestPositionsPerSecond = 0;
  const measure = async (label: string, play: (index: number) => Promise<PlayedGame>, concurrency: number): Promise<void> => {
    let moves = 0;
    let positions = 0;
    const t0 = performance.now();
    await runConcurrently(a.games!, concurrency, undefined, async (k) => {
      const g = await play(k);
      moves += g.moves.length;
      positions += g.moves.filter((m) => m.policy !== null).length;
    });
    const sec = (performance.now() - t0) / 1000;
    bestPositionsPerSecond = Math.max(bestPositionsPerSecond, positions / sec);
    rows.push({ mode: label, games: a.games!, 'moves/game': moves / a.games!, 'moves/s': moves / sec, 'games/hour': (a.games! * 3600) / sec, 'visits/s': (moves * a.visits!) / sec });
  };
  const evaluator = await createEvaluator({ modelDir: dir, backend: 'onnx', threads: cores });
  await measure('this thread, 1 game at a time', (k) => playGame(evaluator, gameOptions({ size, komi: config.komi, config: config.selfplay, seed: 1 }, k)), 1);
  const batching = new BatchingEvaluator(evaluator, { maxBatch: 256, maxWaitMs: 1, disposeInner: false });
  await measure('this thread, 8 games at once', (k) => playGame(batching, gameOptions({ size, komi: config.komi, config: config.selfplay, seed: 2 }, k)), 8);
  await batching.dispose();
  await evaluator.dispose();
  const pool = new SearchPool({ workers: cores, evaluator: { kind: 'model', modelDir: dir, backend: 'onnx' } });
  try {
    await measure(`pool, ${cores} workers`, (k) => pool.playGame(gameOptions({ size, komi: config.komi, config: config.selfplay, seed: 3 }, k)), cores);
  } finally {
    await pool.close();
  }
  printTable(rows);

  console.log(`\ntraining: ${size}x${size} ${a.blocks}x${a.filters}, SGD momentum, loss CE + MSE + L2, BN in training mode`);
  const train: Record<string, string | number>[] = [];
  let bestTrain = 0;
  for (const batchSize of [64, 256]) {
    const trainer = await OnnxTrainer.create(net, { momentum: 0.9, l2: 1e-4, threads: cores });
    const batch = randomBatch(batchSize, size, 1);
    await trainer.step(batch.planes, batch.policy, batch.value, batch.count, 0.01);
    let steps = 0;
    const t0 = performance.now();
    const budget = (a.seconds! * 1000) / 2;
    while (performance.now() - t0 < budget || steps < 2) {
      await trainer.step(batch.planes, batch.policy, batch.value, batch.count, 0.01);
      steps++;
    }
    const rate = (steps * batchSize) / ((performance.now() - t0) / 1000);
    bestTrain = Math.max(bestTrain, rate);
    train.push({ trainer: `onnx training graph (onnxruntime-node, ${cores} threads)`, batch: batchSize, steps, 'positions/s': rate });
    await trainer.dispose();
  }
  const tfjsRow = async (backend: 'cpu' | 'wasm' | 'webgpu', batchSize: number): Promise<void> => {
    try {
      await initTfjsBackend(backend);
      // TfjsTrainer switches to its backend per call itself; only building the model needs it here.
      const copy = await withTfjsBackend(backend, () => createNet(netConfig, { seed: 1 }));
      const trainer = await TfjsTrainer.create(copy, backend, { momentum: 0.9, l2: 1e-4 });
      const batch = randomBatch(batchSize, size, 2);
      await trainer.step(batch.planes, batch.policy, batch.value, batch.count, 0.01);
      const t0 = performance.now();
      await trainer.step(batch.planes, batch.policy, batch.value, batch.count, 0.01);
      const rate = batchSize / ((performance.now() - t0) / 1000);
      await trainer.dispose();
      await withTfjsBackend(backend, () => copy.model.dispose());
      train.push({ trainer: `tfjs autodiff (${backend})`, batch: batchSize, steps: 1, 'positions/s': rate });
    } catch (e) {
      train.push({ trainer: `tfjs autodiff (${backend})`, batch: batchSize, steps: 0, 'positions/s': `n/a: ${(e as Error).message.split('\n')[0]!.slice(0, 70)}` });
    }
  };
  if (a.tfjs) await tfjsRow('cpu', 4);
  await tfjsRow('wasm', 4);
  await tfjsRow('webgpu', 64);
  printTable(train);
  if (bestPositionsPerSecond > 0) {
    console.log(
      `\ntraining/self-play ratio: ${(bestTrain / bestPositionsPerSecond).toFixed(1)} — the fastest trainer consumes ${bestTrain.toFixed(0)} positions/s; ` +
        `the fastest self-play mode produces ${bestPositionsPerSecond.toFixed(1)} positions/s (both on all ${cores} cores, so a run alternates them)`,
    );
  }
  await overlappedSplit(dir, a, config, net, cores);
  net.model.dispose();
  rmSync(dir, { recursive: true, force: true });
  if (a.loop! > 0) await pipelineComparison(a.loop!, cores);
}

/** Self-play on the worker pool and training in this thread at the same time, as the overlapped pipeline runs them. */
async function overlappedSplit(dir: string, a: Record<string, number>, config: ReturnType<typeof defaultRunConfig>, net: ReturnType<typeof createNet>, cores: number): Promise<void> {
  const split = resolvePipeline(cores, config, { pipeline: 'overlapped' });
  console.log(`\noverlapped split: self-play on ${split.workers} worker(s) × ${split.selfplayThreads} thread(s) while training runs on ${split.trainThreads} thread(s) (load average ${loadavg()[0]!.toFixed(1)})`);
  const pool = new SearchPool({ workers: split.workers, evaluator: { kind: 'model', modelDir: dir, backend: 'onnx', threads: split.selfplayThreads } });
  const trainer = await OnnxTrainer.create(net, { momentum: 0.9, l2: 1e-4, threads: split.trainThreads });
  const batch = randomBatch(64, a.size!, 3);
  await trainer.step(batch.planes, batch.policy, batch.value, batch.count, 0.01);
  let positions = 0;
  let trained = 0;
  let selfplayDone = false;
  const t0 = performance.now();
  // As tengen run plays them (playSelfplayGames on the pool: parallelGames at once per worker, leaves batched).
  const out = mkdtempSync(join(tmpdir(), 'tengen-bench-split-'));
  const selfplay = playSelfplayGames({
    size: a.size!,
    komi: config.komi,
    config: config.selfplay,
    firstGame: 0,
    games: a.games!,
    shardPath: (i) => join(out, `shard-${i}.tgsh`),
    sgfPath: (i) => join(out, `game-${i}.sgf`),
    seed: 4,
    networkName: 'bench',
    pool,
  }).then((summary) => {
    positions = summary.positions;
    selfplayDone = true;
  });
  while (!selfplayDone) {
    await trainer.step(batch.planes, batch.policy, batch.value, batch.count, 0.01);
    trained += batch.count;
  }
  await selfplay;
  const sec = (performance.now() - t0) / 1000;
  await trainer.dispose();
  await pool.close();
  rmSync(out, { recursive: true, force: true });
  printTable([
    { side: `self-play (${split.workers}×${split.selfplayThreads} threads)`, 'positions/s': positions / sec },
    { side: `training (${split.trainThreads} thread(s), batch 64)`, 'positions/s': trained / sec },
  ]);
  console.log(`training/self-play throughput ratio while overlapped: ${(trained / Math.max(1, positions)).toFixed(1)} (each new self-play position can be sampled that many times before training falls behind)`);
}

/** `tengen run` on a tiny 5x5 config for `generations` generations, sequential then overlapped. */
async function pipelineComparison(generations: number, cores: number): Promise<void> {
  const base = defaultRunConfig(5, {
    komi: 0.5,
    blocks: 2,
    filters: 16,
    threads: Math.min(2, cores),
    selfplay: { gamesPerGeneration: 60, gamesPerShard: 10, visits: 32, parallelGames: 8 },
    train: { stepsPerGeneration: 300, batchSize: 64, checkpointEvery: 100, bnCalibrationBatches: 16 },
    gate: { rule: 'threshold', games: 20, threshold: 0.55, visits: 32 },
  });
  const config = base;
  console.log(
    `\ntengen run, 5x5 ${config.blocks}x${config.filters}, ${config.selfplay.gamesPerGeneration} games × ${config.selfplay.visits} visits, ${config.train.stepsPerGeneration} steps × ${config.train.batchSize}, ` +
      `gating ${config.gate.games} games, ${generations} generations (load average ${loadavg()[0]!.toFixed(1)})`,
  );
  const rows: Record<string, string | number>[] = [];
  // Sequential on one thread too: it separates what overlapping gains from what fewer threads per
  // onnxruntime session gain (on a busy machine a 2-thread session loses time waiting for its second thread).
  const variants: { pipeline: PipelineMode; threads: number }[] = [
    { pipeline: 'sequential', threads: base.threads },
    ...(base.threads > 1 ? [{ pipeline: 'sequential' as const, threads: 1 }] : []),
    { pipeline: 'overlapped', threads: base.threads },
  ];
  for (const { pipeline, threads } of variants) {
    const config = { ...base, threads };
    const root = mkdtempSync(join(tmpdir(), `tengen-bench-run-${pipeline}-`));
    const run = new RunDir(root);
    run.create(config);
    const resources = resolvePipeline(cores, config, { pipeline });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await runLoop(run, config, { ...resources, untilGeneration: generations, progress: false, log: () => undefined });
    const seconds = (performance.now() - t0) / 1000;
    // Process CPU time (every thread, workers included): on a shared machine, wall time alone says little.
    const cpu = process.cpuUsage(cpu0);
    const p = run.readMetrics().filter((m) => m.kind === 'pipeline');
    const mean = (key: string): number => p.reduce((s, m) => s + Number(m[key] ?? 0), 0) / Math.max(1, p.length);
    // Generation 1 cannot overlap (nothing to train on yet): the steady state is generations 2+.
    const later = p.filter((m) => Number(m.generation) >= 2);
    rows.push({
      pipeline,
      threads: pipeline === 'overlapped' ? `${resources.workers} sp worker(s) × ${resources.selfplayThreads} + ${resources.trainThreads} train` : `all phases ${threads}`,
      'total s': seconds,
      'cpu s': (cpu.user + cpu.system) / 1e6,
      'load avg': loadavg()[0]!,
      's/generation': seconds / generations,
      's/gen (2+)': later.reduce((s, m) => s + Number(m.generationSeconds), 0) / Math.max(1, later.length),
      'train s': mean('trainSeconds'),
      'gate s': mean('gateSeconds'),
      'self-play s': mean('selfplaySeconds'),
      'learner wait s': mean('learnerWaitSeconds'),
      'sp idle s': mean('selfplayIdleSeconds'),
      'train/sp ratio': mean('trainToSelfplayRatio'),
    });
    rmSync(root, { recursive: true, force: true });
  }
  printTable(rows);
  console.log(`(load average now ${loadavg()[0]!.toFixed(1)} on ${cores} cores; other processes share them)`);
}
