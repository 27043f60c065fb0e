/**
 * Trains a candidate network: from a parent network (the current best, as in AlphaGo Zero), on a window
 * of the latest self-play games, for a number of SGD steps; writes losses to metrics.jsonl, checkpoints
 * every `checkpointEvery` steps (resumable), and saves the candidate as a network directory (tfjs model +
 * ONNX inference export) that evaluators load.
 */
import { join } from 'node:path';
import { Rng } from '../engine/rng.js';
import { loadNet, saveNet } from '../src/nn/model-io.js';
import { initTfjsBackend, withTfjsBackend, type TfjsBackendName } from '../src/nn/tfjs-runtime.js';
import type { PolicyValueNet } from '../src/nn/model.js';
import { TfjsTrainer } from '../src/nn/tfjs-trainer.js';
import { OnnxTrainer, modelWeights, setModelWeights, zeroVelocities, type StepLosses, type Trainer, type TrainerState } from '../src/nn/trainer.js';
import { calibrateBatchNorm } from './bn-calibration.js';
import { learningRateAt, type RunConfig, type TrainerChoice } from './config.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { RunDir } from './run-dir.js';
import { mix } from './selfplay.js';
import { listShardFiles, loadShards, type ShardData } from './shards.js';
import { TrainingWindow } from './train-data.js';
import { measureValueSpread, type ValueSpread } from './value-check.js';

export const CHECKPOINT_FILE = 'checkpoint.tgck';

export interface TrainProgress {
  step: number;
  steps: number;
  result: StepLosses;
  learningRate: number;
  positionsPerSecond: number;
}

export interface TrainCandidateOptions {
  run: RunDir;
  config: RunConfig;
  generation: number;
  parentDir: string;
  parentName: string;
  outDir: string;
  steps?: number;
  trainer?: TrainerChoice;
  /** tfjs backend for the tfjs trainer (cpu by default; webgpu on a GPU machine). */
  tfjsBackend?: TfjsBackendName;
  threads?: number;
  onProgress?: (p: TrainProgress) => void;
  log?: (line: string) => void;
}

export interface TrainSummary {
  trainer: 'onnx' | 'tfjs';
  steps: number;
  resumedFrom: number;
  windowGames: number;
  windowPositions: number;
  /** The shard files the candidate trained on (the window), oldest first. */
  windowShards: string[];
  corruptShards: { path: string; reason: string }[];
  positionsPerSecond: number;
  last: StepLosses | null;
  /** The candidate's value outputs over window positions (a constant value head is a dead one). */
  valueSpread: ValueSpread | null;
}

/**
 * Loads the newest shards of the run (up to `generation`), newest first, until the window is full.
 * Corrupt shards are skipped and reported.
 */
export function loadTrainingWindow(run: RunDir, config: RunConfig, generation: number): { shards: ShardData[]; corrupt: { path: string; reason: string }[]; games: number } {
  const shards: ShardData[] = [];
  const corrupt: { path: string; reason: string }[] = [];
  let games = 0;
  let positions = 0;
  outer: for (const g of run.shardGenerations().filter((x) => x <= generation)) {
    const files = listShardFiles(run.shardsDir(g)).reverse();
    for (const file of files) {
      const loaded = loadShards([file], { boardSize: config.boardSize });
      corrupt.push(...loaded.corrupt);
      const s = loaded.shards[0];
      if (s === undefined) continue;
      if (shards.length > 0 && (games + s.header.gameCount > config.train.windowGames || positions + s.header.recordCount > config.train.windowPositions)) break outer;
      shards.push(s);
      games += s.header.gameCount;
      positions += s.header.recordCount;
    }
  }
  return { shards: shards.reverse(), corrupt, games };
}

export async function createTrainer(
  choice: TrainerChoice,
  net: PolicyValueNet,
  state: TrainerState,
  options: { momentum: number; l2: number; threads?: number; tfjsBackend?: TfjsBackendName; log?: (line: string) => void },
): Promise<Trainer> {
  await withTfjsBackend('cpu', () => setModelWeights(net.model, state.weights));
  const trainerOptions = { momentum: options.momentum, l2: options.l2, velocities: state.velocities };
  if (choice === 'onnx' || choice === 'auto') {
    try {
      return await OnnxTrainer.create(net, { ...trainerOptions, threads: options.threads });
    } catch (e) {
      if (choice === 'onnx') throw e;
      options.log?.(`train: onnx trainer unavailable (${(e as Error).message.split('\n')[0]}); using tfjs`);
    }
  }
  return TfjsTrainer.create(net, options.tfjsBackend ?? 'cpu', trainerOptions);
}

export async function trainCandidate(o: TrainCandidateOptions): Promise<TrainSummary> {
  const { run, config, generation } = o;
  const t = config.train;
  const steps = o.steps ?? t.stepsPerGeneration;
  const log = o.log ?? (() => undefined);
  const window = loadTrainingWindow(run, config, generation);
  for (const c of window.corrupt) {
    log(`train: skipping corrupt shard ${c.path}: ${c.reason}`);
    run.appendMetric({ kind: 'corrupt-shard', generation, path: c.path, reason: c.reason });
  }
  if (window.shards.length === 0) throw new Error(`train: no training data in ${run.root}/shards (play self-play games first)`);
  const data = new TrainingWindow(window.shards, t.valueTargetWeight ?? 0);

  await initTfjsBackend('cpu');
  const net = await withTfjsBackend('cpu', () => loadNet(o.parentDir));
  const checkpointPath = join(run.trainDir(generation), CHECKPOINT_FILE);
  let checkpoint = readCheckpointSafely(checkpointPath, log);
  if (checkpoint !== null && checkpoint.info.parent !== o.parentName) {
    log(`train: ignoring checkpoint of a run from ${checkpoint.info.parent} (training from ${o.parentName})`);
    checkpoint = null;
  }
  const startStep = checkpoint?.info.step ?? 0;
  const baseSteps = checkpoint !== null ? checkpoint.info.totalSteps - startStep : net.trainingSteps;
  const state: TrainerState = checkpoint?.state ?? { weights: modelWeights(net.model), velocities: zeroVelocities(net.model) };
  const trainer = await createTrainer(o.trainer ?? t.trainer, net, state, { momentum: t.momentum, l2: t.l2, threads: o.threads, tfjsBackend: o.tfjsBackend, log });
  if (startStep > 0) log(`train: resuming generation ${generation} at step ${startStep}/${steps} (${trainer.kind} trainer)`);
  const batch = data.createBatch(t.batchSize);
  const logEvery = Math.max(1, Math.min(25, Math.floor(steps / 20)));
  let sums = { policyLoss: 0, valueLoss: 0, l2Loss: 0, n: 0 };
  let last: StepLosses | null = null;
  let trainedPositions = 0;
  const started = performance.now();
  const save = (step: number): void => {
    writeCheckpoint(checkpointPath, { step, totalSteps: baseSteps + step, parent: o.parentName }, trainer.state());
  };
  try {
    for (let step = startStep; step < steps; step++) {
      data.sample(batch, new Rng(mix(config.seed ^ 0x7a3c, generation * 1_000_003 + step)));
      const lr = learningRateAt(t.learningRate, baseSteps + step);
      const result = await trainer.step(batch.planes, batch.policy, batch.value, batch.count, lr);
      if (!Number.isFinite(result.policy) || !Number.isFinite(result.value)) {
        throw new Error(`train: loss became ${result.policy}/${result.value} at step ${step} (learning rate ${lr} too high?)`);
      }
      last = result;
      trainedPositions += batch.count;
      sums = { policyLoss: sums.policyLoss + result.policy, valueLoss: sums.valueLoss + result.value, l2Loss: sums.l2Loss + result.l2, n: sums.n + 1 };
      const done = step + 1;
      const rate = trainedPositions / ((performance.now() - started) / 1000);
      if (done % logEvery === 0 || done === steps) {
        run.appendMetric({
          kind: 'train',
          generation,
          step: baseSteps + done,
          policyLoss: sums.policyLoss / sums.n,
          valueLoss: sums.valueLoss / sums.n,
          l2Loss: sums.l2Loss / sums.n,
          learningRate: lr,
          positionsPerSecond: rate,
          trainer: trainer.kind,
        });
        sums = { policyLoss: 0, valueLoss: 0, l2Loss: 0, n: 0 };
      }
      if (done % t.checkpointEvery === 0 && done < steps) save(done);
      o.onProgress?.({ step: done, steps, result, learningRate: lr, positionsPerSecond: rate });
    }
    if (startStep < steps) save(steps);
    const calibrationRng = new Rng(mix(config.seed ^ 0x3c6e, generation));
    const final = await calibrateBatchNorm(
      trainer,
      trainer.state(),
      () => {
        data.sample(batch, calibrationRng);
        return batch;
      },
      t.bnCalibrationBatches,
    );
    await withTfjsBackend('cpu', async () => {
      setModelWeights(net.model, final.weights);
      net.trainingSteps = baseSteps + steps;
      net.parent = o.parentName;
      await saveNet(net, o.outDir);
      net.model.dispose();
    });
  } finally {
    await trainer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  let valueSpread: ValueSpread | null = null;
  try {
    valueSpread = await measureValueSpread(o.outDir, data, 256, mix(config.seed, generation));
    if (valueSpread.constant) {
      log(
        `train: WARNING: the value head of ${o.outDir} is constant (v ≈ ${valueSpread.mean.toFixed(3)}, std ${valueSpread.std.toExponential(1)} over ${valueSpread.positions} positions): ` +
          'it has died (BatchNorm drove its ReLU to 0). Lower the learning rate or use more value filters (--value-filters).',
      );
      run.appendMetric({ kind: 'warning', generation, warning: 'constant-value-head', ...valueSpread });
    }
  } catch (e) {
    log(`train: could not check the value head (${(e as Error).message.split('\n')[0]})`);
  }
  return {
    trainer: trainer.kind,
    steps,
    resumedFrom: startStep,
    windowGames: data.games,
    windowPositions: data.positions,
    windowShards: data.shards.map((s) => s.path),
    corruptShards: window.corrupt,
    positionsPerSecond: seconds > 0 ? trainedPositions / seconds : 0,
    last,
    valueSpread,
  };
}

function readCheckpointSafely(path: string, log: (line: string) => void): ReturnType<typeof readCheckpoint> {
  try {
    return readCheckpoint(path);
  } catch (e) {
    log(`train: ${(e as Error).message}; starting the generation's training over`);
    return null;
  }
}

