/**
 * `tengen train-sl`, `tengen train-rl`, `tengen train-value`: the three networks of AlphaGo Lee, written
 * into a model set directory (lee-manifest.ts): SL policy from game records, RL policy by REINFORCE from
 * the SL one, value net from one position per SL/RL game.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultNetConfig } from '../nn/config.js';
import { loadNet, saveNet } from '../nn/model-io.js';
import { createNet, type PolicyValueNet } from '../nn/model.js';
import { createProgress } from '../../selfplay/progress.js';
import { winRate } from '../../selfplay/elo.js';
import { movingAverage } from '../../selfplay/plots.js';
import { LeePositionSet } from './lee-positions.js';
import { sgfFilesFromSources } from './rollout-dataset.js';
import { updateLeeManifest, writeTrainingLog } from './lee-manifest.js';
import { loadRecordSplit } from './sl-train.js';
import { DEFAULT_SUPERVISED, meanOutcome, trainSupervised, type SupervisedConfig, type SupervisedLogEntry } from './supervised.js';
import { copyNet, DEFAULT_RL, trainRlPolicy, type RlConfig } from './rl-train.js';
import { DEFAULT_VALUE_DATA, generateValuePositions, type ValueDataConfig } from './value-data.js';
import { playMatch } from './policy-match.js';

export class UsageError extends Error {}

const DEFAULT_SET = 'models/9x9-lee';

function intValue(text: string | undefined, name: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

function numValue(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}], got '${text}'`);
  return n;
}

/** Runs a command body, turning usage errors into exit code 2 with the help text. */
async function runCommand(name: string, help: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`tengen ${name}: ${(e as Error).message}\n\n${help}`);
      return 2;
    }
    throw e;
  }
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Loads a 'lee' network (of `size` when given); a missing or unsuitable one is a usage error. */
async function loadNetDir(dir: string, what: string, size: number | null): Promise<PolicyValueNet> {
  if (!existsSync(dir)) throw new UsageError(`${what} network ${dir} does not exist (train it first: tengen train-${what.toLowerCase()})`);
  const net = await loadNet(dir);
  if (net.config.featureSet !== 'lee') throw new UsageError(`${what} network ${dir} has feature set '${net.config.featureSet}', not 'lee'`);
  if (size !== null && net.config.boardSize !== size) throw new UsageError(`${what} network ${dir} is ${net.config.boardSize}x${net.config.boardSize}, not ${size}x${size}`);
  return net;
}

function supervisedHelp(d: SupervisedConfig): string {
  return `  --steps N          SGD steps (default ${d.steps})
  --batch-size N     positions per step (default ${d.batchSize})
  --lr X             learning rate at step 0, cosine decay to lr/20 (default ${d.lr})
  --momentum X       SGD momentum (default ${d.momentum})
  --l2 X             L2 coefficient (default ${d.l2})
  --eval-every N     held-out evaluation every N steps (default ${d.evalEvery})
  --seed N           data order / split seed (default ${d.seed})
  --threads N        onnxruntime threads (default ${d.threads})
  --no-progress      no progress bars
  -h, --help         this help
`;
}

const SUPERVISED_OPTIONS = {
  steps: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  l2: { type: 'string' },
  'eval-every': { type: 'string' },
  seed: { type: 'string' },
  threads: { type: 'string' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function supervisedConfig(v: Record<string, string | boolean | string[] | undefined>, d: SupervisedConfig): SupervisedConfig {
  const s = (k: string): string | undefined => v[k] as string | undefined;
  return {
    steps: intValue(s('steps'), 'steps', d.steps, 1),
    batchSize: intValue(s('batch-size'), 'batch-size', d.batchSize, 1),
    lr: numValue(s('lr'), 'lr', d.lr, 0, 10),
    momentum: numValue(s('momentum'), 'momentum', d.momentum, 0, 0.999),
    l2: numValue(s('l2'), 'l2', d.l2, 0, 1),
    evalEvery: intValue(s('eval-every'), 'eval-every', d.evalEvery, 1),
    seed: intValue(s('seed'), 'seed', d.seed, 0),
    threads: intValue(s('threads'), 'threads', d.threads, 1),
  };
}

// ---------------------------------------------------------------- train-sl

const SL_DEFAULT: SupervisedConfig = { ...DEFAULT_SUPERVISED, steps: 4000, lr: 0.02, evalEvery: 500 };

const SL_HELP = `usage: tengen train-sl --sgf PATH [--sgf PATH ...] [options]

AlphaGo Lee's SL policy network: a residual net on the 48 Lee feature planes, trained by cross-entropy on
the moves of SGF game records (policy loss only; a random board symmetry per position). Whole games are
held out to report top-1 move accuracy. Writes OUT/sl/ (a standard network directory, feature set 'lee'),
the "sl" section of OUT/lee.json, OUT/logs/sl.jsonl and OUT/logs/sl-loss.svg.

  --sgf PATH         an SGF file or a folder searched recursively (required, repeatable)
  --out DIR          model set directory (default ${DEFAULT_SET})
  --size N           board size (default 9); records of other sizes are skipped
  --komi K           komi (default 7.5); records with another komi are skipped
  --blocks N         residual blocks (default 4)
  --filters N        filters per convolution (default 32)
  --value-hidden N   hidden units of the (unused) value head (default 64)
  --holdout X        share of games held out, 0..0.5 (default 0.05)
${supervisedHelp(SL_DEFAULT)}`;

export async function trainSlMain(argv: string[]): Promise<number> {
  return runCommand('train-sl', SL_HELP, async () => {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...SUPERVISED_OPTIONS,
        sgf: { type: 'string', multiple: true },
        out: { type: 'string' },
        size: { type: 'string' },
        komi: { type: 'string' },
        blocks: { type: 'string' },
        filters: { type: 'string' },
        'value-hidden': { type: 'string' },
        holdout: { type: 'string' },
      },
    });
    if (v.help) {
      process.stdout.write(SL_HELP);
      return 0;
    }
    const sources = v.sgf ?? [];
    const found = sgfFilesFromSources(sources);
    if ('error' in found) throw new UsageError(found.error);
    const { files } = found;
    const out = v.out ?? DEFAULT_SET;
    const size = intValue(v.size, 'size', 9, 2);
    const komi = numValue(v.komi, 'komi', 7.5, -1000, 1000);
    const netConfig = defaultNetConfig(size, {
      featureSet: 'lee',
      blocks: intValue(v.blocks, 'blocks', 4, 0),
      filters: intValue(v.filters, 'filters', 32, 1),
      valueHidden: intValue(v['value-hidden'], 'value-hidden', 64, 1),
    });
    const holdout = numValue(v.holdout, 'holdout', 0.05, 0, 0.5);
    const config = supervisedConfig(v, SL_DEFAULT);
    const progress = v['no-progress'] !== true;

    const started = performance.now();
    const readBar = createProgress('records', files.length * 2, { enabled: progress });
    const split = loadRecordSplit(files, { size, komi, holdout, seed: config.seed, onFile: (d) => readBar.update(d) });
    readBar.stop();
    const loadSeconds = (performance.now() - started) / 1000;
    log(
      `train-sl: ${files.length} files: ${split.trainGames} training games / ${split.train.length} positions, ` +
        `${split.heldOutGames} held-out games / ${split.heldOut.length} positions, ${split.rejected.length} rejected (${loadSeconds.toFixed(1)} s)`,
    );
    for (const r of split.rejected.slice(0, 5)) log(`  rejected ${r.file}: ${r.reason}`);
    if (split.train.length === 0) throw new Error('train-sl: no usable training positions');

    const net = createNet(netConfig);
    net.parent = null;
    const bar = createProgress('train-sl', config.steps, { enabled: progress });
    const trainStart = performance.now();
    const entries = await trainSupervised({
      net,
      head: 'policy',
      train: split.train,
      heldOut: split.heldOut.length > 0 ? split.heldOut : null,
      config,
      onProgress: (step, loss, rate) => bar.update(step, { loss, 'pos/s': rate }),
      onEvaluation: (e) => {
        if (!progress) log(`train-sl: step ${e.step} loss ${e.loss.toFixed(3)}${e.heldOut ? ` held-out accuracy ${(100 * e.heldOut.accuracy!).toFixed(1)}%` : ''}`);
      },
    });
    bar.stop();
    const trainSeconds = (performance.now() - trainStart) / 1000;
    const last = entries[entries.length - 1]!;
    const dir = join(out, 'sl');
    await saveNet(net, dir);
    const svg = await writeSupervisedLog(out, 'sl', entries, 'SL policy: cross-entropy and held-out accuracy', 'accuracy');
    const positionsPerSecond = (config.steps * config.batchSize) / trainSeconds;
    await updateLeeManifest(out, size, komi, 'sl', {
      network: 'sl',
      net: netConfig,
      records: sources,
      trainGames: split.trainGames,
      trainPositions: split.train.length,
      heldOutGames: split.heldOutGames,
      heldOutPositions: split.heldOut.length,
      rejected: split.rejected.length,
      training: config,
      heldOutAccuracy: last.heldOut?.accuracy ?? null,
      finalTrainLoss: last.loss,
      positionsPerSecond,
      seconds: trainSeconds,
      trained: new Date().toISOString(),
    });
    log(
      `train-sl: wrote ${dir}: held-out top-1 accuracy ${last.heldOut ? `${(100 * last.heldOut.accuracy!).toFixed(1)}%` : 'n/a'}, ` +
        `final loss ${last.loss.toFixed(3)}, ${config.steps} steps in ${trainSeconds.toFixed(0)} s (${positionsPerSecond.toFixed(0)} pos/s); plot ${svg}`,
    );
    return 0;
  });
}

async function writeSupervisedLog(out: string, name: string, entries: readonly SupervisedLogEntry[], title: string, metric: 'accuracy' | 'mse'): Promise<string> {
  const series =
    metric === 'accuracy'
      ? [
          { name: 'train CE', color: '#1f77b4', points: entries.map((e) => ({ x: e.step, y: e.loss })), markers: true },
          { name: 'held-out top-1', color: '#d62728', points: entries.filter((e) => e.heldOut).map((e) => ({ x: e.step, y: e.heldOut!.accuracy! })), markers: true },
        ]
      : [
          { name: 'train MSE', color: '#1f77b4', points: entries.map((e) => ({ x: e.step, y: e.loss })), markers: true },
          { name: 'held-out MSE', color: '#d62728', points: entries.filter((e) => e.heldOut).map((e) => ({ x: e.step, y: e.heldOut!.mse! })), markers: true },
          { name: 'constant predictor', color: '#999999', points: entries.filter((e) => e.heldOut).map((e) => ({ x: e.step, y: e.heldOut!.trivialMse! })) },
        ];
  return writeTrainingLog(out, name, entries, { title, xLabel: 'step', yLabel: metric === 'accuracy' ? 'loss / accuracy' : 'mean squared error', series });
}

// ---------------------------------------------------------------- train-rl

const RL_HELP = `usage: tengen train-rl [options]

AlphaGo Lee's RL policy network: a copy of the SL policy improved by REINFORCE (reward z = ±1, the final
outcome by Chinese area scoring, less the iteration's mean z as a baseline; the gradient is that of the
log-probability of the distribution each move was drawn from) in policy-only games (every move sampled, no
search) against an opponent drawn uniformly from a pool of earlier snapshots (the SL net, then the learner
every K iterations). Ends with a policy-only match RL vs SL. Writes OUT/rl/, the "rl" section of
OUT/lee.json, OUT/logs/rl.jsonl and OUT/logs/rl-loss.svg.

  --out DIR               model set directory (default ${DEFAULT_SET})
  --sl DIR                SL policy network (default OUT/sl)
  --komi K                komi (default: OUT/lee.json's, else 7.5)
  --iterations N          iterations, one batch of games + update each (default ${DEFAULT_RL.iterations})
  --games N               games per iteration (default ${DEFAULT_RL.gamesPerIteration})
  --snapshot-every K      the learner joins the opponent pool every K iterations (default ${DEFAULT_RL.snapshotEvery})
  --batch-size N          learner positions per SGD step (default ${DEFAULT_RL.batchSize})
  --lr X                  learning rate (default ${DEFAULT_RL.lr})
  --momentum X            SGD momentum (default ${DEFAULT_RL.momentum})
  --l2 X                  L2 coefficient (default ${DEFAULT_RL.l2})
  --temperature X         sampling temperature of both players (default ${DEFAULT_RL.temperature})
  --eval-games N          RL vs SL match games at the end, 0 for none (default 400)
  --seed N                seed (default ${DEFAULT_RL.seed})
  --threads N             onnxruntime threads (default ${DEFAULT_RL.threads})
  --batch-stats-bn        train with batch-statistics BatchNorm (default: BN frozen at the SL net's moving
                          statistics, so the gradient is that of the network that played)
  --no-progress           no progress bars
  -h, --help              this help
`;

async function manifestKomi(out: string, given: string | undefined): Promise<number> {
  if (given !== undefined) return numValue(given, 'komi', 7.5, -1000, 1000);
  const { readFileSync } = await import('node:fs');
  const path = join(out, 'lee.json');
  if (!existsSync(path)) return 7.5;
  const k = (JSON.parse(readFileSync(path, 'utf8')) as { komi?: unknown }).komi;
  return typeof k === 'number' ? k : 7.5;
}

export async function trainRlMain(argv: string[]): Promise<number> {
  return runCommand('train-rl', RL_HELP, async () => {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        sl: { type: 'string' },
        komi: { type: 'string' },
        iterations: { type: 'string' },
        games: { type: 'string' },
        'snapshot-every': { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        momentum: { type: 'string' },
        l2: { type: 'string' },
        temperature: { type: 'string' },
        'eval-games': { type: 'string' },
        seed: { type: 'string' },
        threads: { type: 'string' },
        'batch-stats-bn': { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (v.help) {
      process.stdout.write(RL_HELP);
      return 0;
    }
    const out = v.out ?? DEFAULT_SET;
    const slDir = v.sl ?? join(out, 'sl');
    const d = DEFAULT_RL;
    const config: RlConfig = {
      iterations: intValue(v.iterations, 'iterations', d.iterations, 1),
      gamesPerIteration: intValue(v.games, 'games', d.gamesPerIteration, 2),
      snapshotEvery: intValue(v['snapshot-every'], 'snapshot-every', d.snapshotEvery, 1),
      batchSize: intValue(v['batch-size'], 'batch-size', d.batchSize, 1),
      lr: numValue(v.lr, 'lr', d.lr, 0, 10),
      momentum: numValue(v.momentum, 'momentum', d.momentum, 0, 0.999),
      l2: numValue(v.l2, 'l2', d.l2, 0, 1),
      temperature: numValue(v.temperature, 'temperature', d.temperature, 0.01, 100),
      seed: intValue(v.seed, 'seed', d.seed, 0),
      threads: intValue(v.threads, 'threads', d.threads, 1),
      frozenBatchNorm: v['batch-stats-bn'] !== true,
    };
    const evalGames = intValue(v['eval-games'], 'eval-games', 400, 0);
    const komi = await manifestKomi(out, v.komi);
    const progress = v['no-progress'] !== true;
    const sl = await loadNetDir(slDir, 'SL', null);
    const size = sl.config.boardSize;
    const learner = copyNet(sl, 'sl');
    const bar = createProgress('train-rl', config.iterations, { enabled: progress });
    const started = performance.now();
    let recentWins = 0;
    let recentGames = 0;
    const entries = await trainRlPolicy({
      learner,
      sl,
      size,
      komi,
      config,
      onIteration: (e) => {
        recentWins += e.wins + e.draws / 2;
        recentGames += e.games;
        bar.update(e.iteration, { 'win%': (100 * e.wins) / e.games, pool: e.poolSize, 's/it': e.seconds });
        if (!progress && e.iteration % 5 === 0) {
          log(`train-rl: iteration ${e.iteration}: learner won ${((100 * recentWins) / recentGames).toFixed(1)}% of the last ${recentGames} games, pool ${e.poolSize}`);
          recentWins = 0;
          recentGames = 0;
        }
      },
    });
    bar.stop();
    const trainSeconds = (performance.now() - started) / 1000;
    const dir = join(out, 'rl');
    await saveNet(learner, dir);
    const games = entries.reduce((s, e) => s + e.games, 0);
    const positions = entries.reduce((s, e) => s + e.positions, 0);
    const svg = await writeTrainingLog(out, 'rl', entries, {
      title: 'RL policy: learner win rate against its opponent pool (moving average of 10 iterations)',
      xLabel: 'iteration',
      yLabel: 'win rate',
      series: [
        { name: 'win rate', color: '#d62728', points: movingAverage(entries.map((e) => ({ x: e.iteration, y: (e.wins + e.draws / 2) / e.games })), 10) },
        { name: 'vs SL only', color: '#1f77b4', points: entries.filter((e) => e.opponent === 0).map((e) => ({ x: e.iteration, y: (e.wins + e.draws / 2) / e.games })), markers: true, line: false },
      ],
    });
    log(`train-rl: ${config.iterations} iterations, ${games} games, ${positions} learner positions in ${trainSeconds.toFixed(0)} s; wrote ${dir}; plot ${svg}`);

    let match: Record<string, unknown> | null = null;
    if (evalGames > 0) {
      const { createEvaluator } = await import('../nn/create-evaluator.js');
      const { Rng } = await import('../../engine/rng.js');
      const a = await createEvaluator({ modelDir: dir, backend: 'onnx', threads: config.threads });
      const b = await createEvaluator({ modelDir: slDir, backend: 'onnx', threads: config.threads });
      const matchBar = createProgress('rl-vs-sl', evalGames, { enabled: progress });
      const matchStart = performance.now();
      try {
        const t = await playMatch({ a, b, games: evalGames, size, komi, rng: new Rng(config.seed + 7919), temperature: config.temperature, onGame: (n, tl) => matchBar.update(n, { 'rl win%': (100 * tl.wins) / n }) });
        matchBar.stop();
        const w = winRate(t);
        match = { games: w.games, wins: t.wins, losses: t.losses, draws: t.draws, winRate: w.rate, ci95: [w.low, w.high], blackWins: t.blackWins, meanMoves: t.meanMoves, seconds: (performance.now() - matchStart) / 1000 };
        log(`train-rl: RL vs SL (policy only, sampled): ${(100 * w.rate).toFixed(1)}% [95% CI ${(100 * w.low).toFixed(1)}, ${(100 * w.high).toFixed(1)}] over ${w.games} games`);
      } finally {
        matchBar.stop();
        await a.dispose();
        await b.dispose();
      }
    }
    await updateLeeManifest(out, size, komi, 'rl', {
      network: 'rl',
      parent: slDir,
      training: config,
      games,
      positions,
      seconds: trainSeconds,
      gamesPerSecond: games / trainSeconds,
      finalPoolSize: entries[entries.length - 1]?.poolSize ?? 1,
      vsSl: match,
      trained: new Date().toISOString(),
    });
    return 0;
  });
}

// ---------------------------------------------------------------- train-value

const VALUE_TRAIN_DEFAULT: SupervisedConfig = { ...DEFAULT_SUPERVISED, steps: 3000, lr: 0.005, evalEvery: 250 };

const VALUE_HELP = `usage: tengen train-value [options]

AlphaGo Lee's value network. Data: one position per game (U uniform in [1, max-u]; moves 1..U by the SL
policy, move U+1 uniformly random legal, then the RL policy to the end; the position after the random
move, z = the final outcome for its side to move). Training: value loss (MSE) only, a random board
symmetry per position; a share of the positions is held out and the held-out MSE is reported against the
constant predictor (the training set's mean z). Writes OUT/value/, the "value" section of OUT/lee.json,
OUT/logs/value.jsonl and OUT/logs/value-loss.svg.

  --out DIR          model set directory (default ${DEFAULT_SET})
  --sl DIR           SL policy network (default OUT/sl)
  --rl DIR           RL policy network (default OUT/rl)
  --komi K           komi (default: OUT/lee.json's, else 7.5)
  --games N          games, i.e. positions (default ${DEFAULT_VALUE_DATA.games})
  --max-u N          largest U (default ${DEFAULT_VALUE_DATA.maxU})
  --concurrency N    games played at once (default ${DEFAULT_VALUE_DATA.concurrency})
  --init WHAT        starting weights: rl (the RL net's, tower included), sl, or random (default rl)
  --blocks N, --filters N, --value-hidden N   shape with --init random (default 4, 32, 64)
  --holdout X        share of positions held out, 0..0.5 (default 0.1)
${supervisedHelp(VALUE_TRAIN_DEFAULT)}`;

export async function trainValueMain(argv: string[]): Promise<number> {
  return runCommand('train-value', VALUE_HELP, async () => {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...SUPERVISED_OPTIONS,
        out: { type: 'string' },
        sl: { type: 'string' },
        rl: { type: 'string' },
        komi: { type: 'string' },
        games: { type: 'string' },
        'max-u': { type: 'string' },
        concurrency: { type: 'string' },
        init: { type: 'string' },
        blocks: { type: 'string' },
        filters: { type: 'string' },
        'value-hidden': { type: 'string' },
        holdout: { type: 'string' },
      },
    });
    if (v.help) {
      process.stdout.write(VALUE_HELP);
      return 0;
    }
    const out = v.out ?? DEFAULT_SET;
    const slDir = v.sl ?? join(out, 'sl');
    const rlDir = v.rl ?? join(out, 'rl');
    const init = v.init ?? 'rl';
    if (init !== 'rl' && init !== 'sl' && init !== 'random') throw new UsageError(`--init must be rl, sl or random, got '${init}'`);
    const config = supervisedConfig(v, VALUE_TRAIN_DEFAULT);
    const data: ValueDataConfig = {
      games: intValue(v.games, 'games', DEFAULT_VALUE_DATA.games, 2),
      maxU: intValue(v['max-u'], 'max-u', DEFAULT_VALUE_DATA.maxU, 1),
      concurrency: intValue(v.concurrency, 'concurrency', DEFAULT_VALUE_DATA.concurrency, 1),
      temperature: 1,
      seed: config.seed,
    };
    const holdout = numValue(v.holdout, 'holdout', 0.1, 0, 0.5);
    const komi = await manifestKomi(out, v.komi);
    const progress = v['no-progress'] !== true;
    const sl = await loadNetDir(slDir, 'SL', null);
    const size = sl.config.boardSize;
    const rl = await loadNetDir(rlDir, 'RL', size);
    const { createEvaluator } = await import('../nn/create-evaluator.js');
    const slEval = await createEvaluator({ modelDir: slDir, backend: 'onnx', threads: config.threads });
    const rlEval = await createEvaluator({ modelDir: rlDir, backend: 'onnx', threads: config.threads });
    const gameBar = createProgress('games', data.games, { enabled: progress });
    const genStart = performance.now();
    let generated;
    try {
      generated = await generateValuePositions({ sl: slEval, rl: rlEval, size, komi, config: data, onGame: (n) => gameBar.update(n) });
    } finally {
      gameBar.stop();
      await slEval.dispose();
      await rlEval.dispose();
    }
    const genSeconds = (performance.now() - genStart) / 1000;
    const { set, summary } = generated;
    log(
      `train-value: ${summary.games} games in ${genSeconds.toFixed(0)} s (${(summary.games / genSeconds).toFixed(1)} games/s, mean ${summary.meanMoves.toFixed(0)} moves): ` +
        `${summary.positions} positions (${summary.skipped} games ended before the random move), Black won ${summary.blackWins}`,
    );
    // Positions are one per game and in game order: the split by index is a split by game.
    const heldOutCount = holdout > 0 ? Math.min(set.length - 1, Math.max(1, Math.round(set.length * holdout))) : 0;
    const { train, heldOut } = splitSet(set, set.length - heldOutCount);
    let net: PolicyValueNet;
    if (init === 'random') {
      net = createNet(
        defaultNetConfig(size, {
          featureSet: 'lee',
          blocks: intValue(v.blocks, 'blocks', 4, 0),
          filters: intValue(v.filters, 'filters', 32, 1),
          valueHidden: intValue(v['value-hidden'], 'value-hidden', 64, 1),
        }),
      );
    } else {
      if (v.blocks !== undefined || v.filters !== undefined || v['value-hidden'] !== undefined) throw new UsageError('--blocks/--filters/--value-hidden only apply with --init random');
      net = copyNet(init === 'rl' ? rl : sl, init);
      net.trainingSteps = 0;
    }
    const bar = createProgress('train-val', config.steps, { enabled: progress });
    const trainStart = performance.now();
    const entries = await trainSupervised({
      net,
      head: 'value',
      train,
      heldOut: heldOut.length > 0 ? heldOut : null,
      config,
      onProgress: (step, loss, rate) => bar.update(step, { mse: loss, 'pos/s': rate }),
      onEvaluation: (e) => {
        if (!progress) log(`train-value: step ${e.step} train MSE ${e.loss.toFixed(3)}${e.heldOut ? ` held-out MSE ${e.heldOut.mse!.toFixed(3)} (constant ${e.heldOut.trivialMse!.toFixed(3)})` : ''}`);
      },
    });
    bar.stop();
    const trainSeconds = (performance.now() - trainStart) / 1000;
    const dir = join(out, 'value');
    await saveNet(net, dir);
    const svg = await writeSupervisedLog(out, 'value', entries, 'Value net: MSE (train, held-out, constant predictor)', 'mse');
    const last = entries[entries.length - 1]!;
    const best = entries.filter((e) => e.heldOut).reduce<SupervisedLogEntry | null>((b, e) => (b === null || e.heldOut!.mse! < b.heldOut!.mse! ? e : b), null);
    await updateLeeManifest(out, size, komi, 'value', {
      network: 'value',
      init,
      sl: slDir,
      rl: rlDir,
      data: { ...data, ...summary, seconds: genSeconds },
      trainPositions: train.length,
      heldOutPositions: heldOut.length,
      trainMeanZ: meanOutcome(train),
      training: config,
      heldOutMse: last.heldOut?.mse ?? null,
      heldOutTrivialMse: last.heldOut?.trivialMse ?? null,
      bestHeldOutMse: best?.heldOut?.mse ?? null,
      bestStep: best?.step ?? null,
      finalTrainMse: last.loss,
      positionsPerSecond: (config.steps * config.batchSize) / trainSeconds,
      seconds: trainSeconds,
      trained: new Date().toISOString(),
    });
    log(
      `train-value: wrote ${dir}: held-out MSE ${last.heldOut?.mse?.toFixed(4) ?? 'n/a'} vs constant predictor ${last.heldOut?.trivialMse?.toFixed(4) ?? 'n/a'} ` +
        `(${heldOut.length} positions), train MSE ${last.loss.toFixed(4)}, ${config.steps} steps in ${trainSeconds.toFixed(0)} s; plot ${svg}`,
    );
    return 0;
  });
}

/** The first `n` positions and the rest, as two sets. */
function splitSet(set: LeePositionSet, n: number): { train: LeePositionSet; heldOut: LeePositionSet } {
  const train = new LeePositionSet(set.size, Math.max(16, n));
  const heldOut = new LeePositionSet(set.size, Math.max(16, set.length - n));
  const planes = new Float32Array(set.planeBytes);
  const one = new Int32Array(1);
  const identity = new Uint8Array(1);
  const value = new Float32Array(1);
  for (let i = 0; i < set.length; i++) {
    one[0] = i;
    set.fillBatch(one, identity, planes, undefined, value);
    (i < n ? train : heldOut).add(planes, 0, set.action(i), value[0]!);
  }
  return { train, heldOut };
}
