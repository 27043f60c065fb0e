/**
 * `npm run bench -- selfplay [visits=100] [games=8] [size=9] [blocks=6] [filters=64] [seconds=20] [tfjs=1]`
 *
 * Self-play speed (moves/s, games/hour) of a 9x9 6x64 network (random weights: the speed of a game does not
 * depend on how well the net plays, only its length does) with the given visits per move, in this thread
 * with 1 and 8 games at once (leaves batched) and on a worker pool; then training speed (positions/s) of the
 * same network per trainer: the onnxruntime training graph (batch 64 and 256), tfjs autodiff on the `cpu`
 * backend (tfjs=0 skips it: one step takes minutes), tfjs-wasm (cannot train as shipped: reported) and
 * webgpu when a GPU adapter exists. Finally the ratio of training to self-play throughput: how many times
 * each self-play position can be trained on before training falls behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
import { gameOptions, runConcurrently } from '../selfplay/selfplay.js';
import { playGame, type PlayedGame } from '../src/search/play-game.js';
import { BatchingEvaluator } from '../src/nn/batching.js';
import { TfjsTrainer } from '../src/nn/tfjs-trainer.js';
import { OnnxTrainer } from '../src/nn/trainer.js';
import type { TrainingBatch } from '../selfplay/train-data.js';
import { printTable } from './table.js';

function parseArgs(args: string[]): Record<string, number> {
  const out: Record<string, number> = { visits: 100, games: 8, size: 9, blocks: 6, filters: 64, seconds: 20, tfjs: 1 };
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
  net.model.dispose();
  rmSync(dir, { recursive: true, force: true });
}
