/**
 * Entry points of `tengen selfplay | train | gate | run | status` (src/cli.ts dispatches here). Each parses
 * its own options (node:util parseArgs), validates everything before any work, and returns an exit code:
 * 0 success, 1 failure, 2 bad usage.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createEvaluator } from '../src/nn/create-evaluator.js';
import { readNetMetadata } from '../src/nn/model-io.js';
import { SearchPool } from '../src/search/pool.js';
import { openWatch, type WatchSink } from '../src/watch/command.js';
import { ConfigError, defaultRunConfig, validateRunConfig, type RunConfig, type RunConfigOverrides } from './config.js';
import { generationName, RunDir } from './run-dir.js';
import { gatePhase, matchPhase, promotePhase, resolvePipeline, runLoop, selfplayPhase, trainingParent, type LoopOptions, type PipelineMode } from './run.js';
import { playSelfplayGames, standaloneSgfPath, standaloneShardPath } from './selfplay.js';
import { formatStatus, runStatus } from './status.js';
import { trainCandidate } from './train.js';
import { writeRunPlots } from './run-plots.js';
import { listShardFiles } from './shards.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

class UsageError extends Error {}

const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  seed: { type: 'string' },
  'no-progress': { type: 'boolean' },
};

function parse(argv: string[], options: Options): Values {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: false, strict: true }).values as Values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function int(values: Values, name: string, min = 0): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${String(v)}'`);
  return n;
}

function num(values: Values, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${String(v)}'`);
  return n;
}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function guarded(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tengen: ${e.message}\n\n${usage}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`tengen: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function openWatchOption(values: Values): Promise<WatchSink | undefined> {
  const target = str(values, 'watch');
  return target === undefined ? undefined : openWatch(target, { log });
}

/** Search/self-play options shared by `selfplay` and `run`, mapped onto the config sections. */
const SELFPLAY_OPTIONS: Options = {
  visits: { type: 'string' },
  'temperature-moves': { type: 'string' },
  'resign-threshold': { type: 'string' },
  'no-resign-fraction': { type: 'string' },
  'playout-cap': { type: 'boolean' },
  'fast-visits': { type: 'string' },
  'full-search-probability': { type: 'string' },
  'games-per-shard': { type: 'string' },
  parallel: { type: 'string' },
  workers: { type: 'string' },
  watch: { type: 'string' },
};

function selfplayOverrides(v: Values): RunConfigOverrides['selfplay'] {
  return defined({
    visits: int(v, 'visits', 1),
    temperatureMoves: int(v, 'temperature-moves'),
    resignThreshold: num(v, 'resign-threshold'),
    noResignFraction: num(v, 'no-resign-fraction'),
    playoutCap: v['playout-cap'] === true ? true : undefined,
    fastVisits: int(v, 'fast-visits', 1),
    fullSearchProbability: num(v, 'full-search-probability'),
    gamesPerShard: int(v, 'games-per-shard', 1),
    parallelGames: int(v, 'parallel', 1),
  });
}

// ------------------------------------------------------------------ tengen selfplay

const SELFPLAY_USAGE = `usage: tengen selfplay --model DIR --games N --out DIR [options]
       tengen selfplay --run RUN [options]

Plays self-play games with the search and writes (state, π, z) training shards (shard-NNNNN.tgsh) and one
SGF per game. With --run, plays the current generation's self-play games of a training run instead.
Resumes: games already in complete shards under --out are not played again.

  --model DIR                 network directory (required without --run)
  --games N                   games to play (required without --run)
  --out DIR                   where shards and SGFs go (required without --run)
  --run RUN                   a run directory (tengen run); uses its config and best network
  --size N, --komi K          board size (default: the network's) and komi (default 7.5 on 9x9)
  --visits N                  root visits per full search (default 200; 64 on boards ≤ 7)
  --temperature-moves N       moves sampled with temperature 1 before playing the best (default 30)
  --resign-threshold W        resign below this winrate, 0 = never (default 0.05)
  --no-resign-fraction F      games played out without resigning, to measure false resignations (default 0.1)
  --playout-cap               playout-cap randomisation (KataGo): only full searches become training data
  --fast-visits N             visits of a fast search with --playout-cap (default 40; 16 on boards ≤ 7)
  --full-search-probability P probability of a full search with --playout-cap (default 0.25)
  --games-per-shard N         games per shard file (default 10)
  --parallel N                games at once in this thread, leaves batched (default 8)
  --workers N                 play on N worker threads instead, one ORT session each (default 0 = this thread)
  --backend B                 auto|onnx|wasm|cpu|tensorflow|webgpu (default auto)
  --threads N                 CPU threads for the net (default 2)
  --seed N                    seed (default 1)
  --watch PORT|URL            show the games in the live viewer (port: embedded server; URL: tengen watch)
  --no-progress               no progress bar
  --mode zero|lee|rollout     zero (default): the above; lee / rollout: AlphaGo-Lee self-play with the
                              Lee search or rollout-only MCTS (\`tengen selfplay --mode lee --help\`)
`;

export async function selfplayMain(argv: string[]): Promise<number> {
  // --mode lee|rollout: AlphaGo-Lee self-play (src/lee/lee-selfplay.ts); --mode zero is the default below.
  const { splitSelfplayMode, leeSelfplayMain } = await import('../src/lee/lee-selfplay.js');
  const { mode, rest } = splitSelfplayMode(argv);
  if (mode !== 'zero') return leeSelfplayMain(argv);
  argv = rest;
  return guarded(SELFPLAY_USAGE, async () => {
    const v = parse(argv, { ...SELFPLAY_OPTIONS, model: { type: 'string' }, games: { type: 'string' }, out: { type: 'string' }, run: { type: 'string' }, size: { type: 'string' }, komi: { type: 'string' } });
    if (v.help) {
      process.stdout.write(SELFPLAY_USAGE);
      return 0;
    }
    const progress = v['no-progress'] !== true;
    const runRoot = str(v, 'run');
    if (runRoot !== undefined) {
      for (const k of ['model', 'games', 'out', 'size', 'komi']) if (v[k] !== undefined) throw new UsageError(`--${k} cannot be combined with --run (the run's config decides)`);
      const run = new RunDir(runRoot);
      const config = run.readConfig();
      const state = run.readState();
      if (state === null) throw new ConfigError(`${run.root}: the run has not started (use tengen run)`);
      const watch = await openWatchOption(v);
      try {
        await selfplayPhase(run, config, state.generation, { workers: int(v, 'workers') ?? 0, watch, progress, log, untilGeneration: state.generation });
      } finally {
        await watch?.close();
      }
      return 0;
    }
    const modelDir = str(v, 'model');
    const games = int(v, 'games', 1);
    const out = str(v, 'out');
    if (modelDir === undefined || games === undefined || out === undefined) throw new UsageError('--model, --games and --out are required (or give --run)');
    const metadata = await readNetMetadata(modelDir);
    const size = int(v, 'size', 2) ?? metadata.boardSize;
    if (size !== metadata.boardSize) throw new ConfigError(`--size ${size} does not match the network's board size ${metadata.boardSize}`);
    const config = defaultRunConfig(size, defined({ komi: num(v, 'komi'), seed: int(v, 'seed'), threads: int(v, 'threads', 1), backend: str(v, 'backend') as RunConfig['backend'] | undefined, selfplay: selfplayOverrides(v) }));
    const workers = int(v, 'workers') ?? 0;
    mkdirSync(out, { recursive: true });
    const per = config.selfplay.gamesPerShard;
    const existing = new Set(listShardFiles(out).map((f) => Number(/shard-(\d+)\.tgsh$/.exec(f)?.[1] ?? -1)));
    let firstGame = 0;
    while (existing.has(firstGame / per) && firstGame < games) firstGame += per;
    if (firstGame >= games) {
      log(`selfplay: ${out} already holds ${games} games`);
      return 0;
    }
    const watch = await openWatchOption(v);
    const evaluator = workers > 0 ? undefined : await createEvaluator({ modelDir, backend: config.backend, threads: config.threads });
    const pool = workers > 0 ? new SearchPool({ workers, evaluator: { kind: 'model', modelDir, backend: config.backend } }) : undefined;
    const { createProgress } = await import('./progress.js');
    const bar = createProgress('selfplay', games, { enabled: progress });
    const started = performance.now();
    let moves = 0;
    try {
      const summary = await playSelfplayGames({
        size,
        komi: config.komi,
        config: config.selfplay,
        firstGame,
        games: games - firstGame,
        shardPath: (i) => standaloneShardPath(out, i),
        sgfPath: (i) => standaloneSgfPath(out, i),
        seed: config.seed,
        networkName: resolve(modelDir).split('/').pop() ?? 'net',
        evaluator,
        pool,
        watch,
        onGame: (played, _i, n) => {
          moves += played.moves.length;
          const sec = (performance.now() - started) / 1000;
          bar.update(firstGame + n, { 'moves/s': moves / sec, 'games/h': (n * 3600) / sec });
        },
      });
      bar.stop();
      const sec = (performance.now() - started) / 1000;
      log(
        `selfplay: ${summary.games} games, ${summary.positions} positions, ${(summary.moves / sec).toFixed(1)} moves/s, ${((summary.games * 3600) / sec).toFixed(0)} games/h; ` +
          `B ${summary.blackWins} W ${summary.whiteWins} draws ${summary.draws}; resigned ${summary.resigned}; false resignations ${summary.falseResignations}/${summary.wouldResign}`,
      );
    } finally {
      bar.stop();
      await evaluator?.dispose();
      await pool?.close();
      await watch?.close();
    }
    return 0;
  });
}

// ------------------------------------------------------------------ tengen train

const TRAIN_USAGE = `usage: tengen train --run RUN [options]

Trains a candidate network from the run's latest self-play games (the window in config.train), with random
8-fold symmetry augmentation, loss = policy cross-entropy + value MSE + L2, SGD with momentum and the
learning-rate schedule; logs losses to RUN/metrics.jsonl, checkpoints every config.train.checkpointEvery
steps (a killed job resumes there) and saves the candidate to RUN/networks/genNNNN.

  --run RUN            the run directory (required)
  --generation G       which candidate to train (default: the run's current generation)
  --steps N            optimizer steps (default: config.train.stepsPerGeneration)
  --trainer T          auto|onnx|tfjs (default: config, auto = onnxruntime training graph, tfjs fallback)
  --threads N          CPU threads (default: config)
  --backend B          tfjs backend for the tfjs trainer: cpu|webgpu (default cpu)
  --no-progress        no progress bar
`;

export async function trainMain(argv: string[]): Promise<number> {
  return guarded(TRAIN_USAGE, async () => {
    const v = parse(argv, { run: { type: 'string' }, generation: { type: 'string' }, steps: { type: 'string' }, trainer: { type: 'string' } });
    if (v.help) {
      process.stdout.write(TRAIN_USAGE);
      return 0;
    }
    const root = str(v, 'run');
    if (root === undefined) throw new UsageError('--run is required');
    const trainer = str(v, 'trainer');
    if (trainer !== undefined && !['auto', 'onnx', 'tfjs'].includes(trainer)) throw new UsageError(`--trainer must be auto, onnx or tfjs, got '${trainer}'`);
    const backend = str(v, 'backend');
    if (backend !== undefined && backend !== 'cpu' && backend !== 'webgpu') throw new UsageError(`--backend for training must be cpu or webgpu, got '${backend}'`);
    const run = new RunDir(root);
    const config = run.readConfig();
    const g = int(v, 'generation', 1) ?? run.readState()?.generation ?? 1;
    const steps = int(v, 'steps', 1);
    const parent = trainingParent(run, config, g);
    const { createProgress } = await import('./progress.js');
    const total = steps ?? config.train.stepsPerGeneration;
    const bar = createProgress('train', total, { enabled: v['no-progress'] !== true });
    try {
      const s = await trainCandidate({
        run,
        config,
        generation: g,
        parentDir: parent.dir,
        parentName: parent.name,
        outDir: run.networkDir(g),
        steps,
        trainer: trainer as 'auto' | 'onnx' | 'tfjs' | undefined,
        tfjsBackend: backend as 'cpu' | 'webgpu' | undefined,
        threads: int(v, 'threads', 1) ?? config.threads,
        log,
        onProgress: (p) => bar.update(p.step, { policy: p.result.policy, value: p.result.value, 'pos/s': p.positionsPerSecond }),
      });
      bar.stop();
      writeRunPlots(run);
      log(`train: saved ${run.networkDir(g)} (${s.steps} steps from ${parent.name}, ${s.trainer} trainer, ${s.positionsPerSecond.toFixed(0)} positions/s, window ${s.windowGames} games)`);
    } finally {
      bar.stop();
    }
    return 0;
  });
}

// ------------------------------------------------------------------ tengen gate

const GATE_USAGE = `usage: tengen gate --run RUN [options]

The candidate of a generation plays the run's best network, colours alternating, no noise (the first
config.gate.randomMoves moves sampled so games differ). Promoted by SPRT as Leela Zero does (H0 Elo 0,
H1 Elo 35, α = β = 0.05, stopping early; at the game cap, the 55% rule) or by the 55%-of-400 rule.
Every game and the decision go to RUN/gating/genNNNN.json (+ SGFs); a promotion updates networks/best.json.

  --run RUN            the run directory (required)
  --generation G       the candidate to gate (default: the run's current generation)
  --no-promote         record the decision only; leave best.json as it is
  --against G          instead: an evaluation match of the candidate against generation G (e.g. 0), exactly
                       --games games, recorded in RUN/matches/ (no promotion)
  --games N            games of an --against match (default 100)
  --threads N          CPU threads for the nets (default: config)
  --watch PORT|URL     show the games in the live viewer
  --no-progress        no progress bar
(the rule, games, threshold and visits come from the run's config.gate)
`;

export async function gateMain(argv: string[]): Promise<number> {
  return guarded(GATE_USAGE, async () => {
    const v = parse(argv, {
      run: { type: 'string' },
      generation: { type: 'string' },
      'no-promote': { type: 'boolean' },
      against: { type: 'string' },
      games: { type: 'string' },
      watch: { type: 'string' },
    });
    if (v.help) {
      process.stdout.write(GATE_USAGE);
      return 0;
    }
    const root = str(v, 'run');
    if (root === undefined) throw new UsageError('--run is required');
    const run = new RunDir(root);
    let config = run.readConfig();
    const threads = int(v, 'threads', 1);
    if (threads !== undefined) config = validateRunConfig({ ...config, threads });
    const g = int(v, 'generation', 1) ?? run.readState()?.generation ?? 1;
    try {
      await readNetMetadata(run.networkDir(g));
    } catch (e) {
      throw new ConfigError(`no candidate ${generationName(g)} to gate: ${(e as Error).message} (train it first)`);
    }
    if (config.gate.alwaysPromote) config = { ...config, gate: { ...config.gate, alwaysPromote: false } };
    const watch = await openWatchOption(v);
    const options: LoopOptions = { workers: 0, watch, progress: v['no-progress'] !== true, log };
    const against = int(v, 'against');
    if (against === undefined && v.games !== undefined) throw new UsageError('--games goes with --against (gating uses config.gate.games)');
    try {
      if (against !== undefined) {
        await readNetMetadata(run.networkDir(against));
        await matchPhase(run, config, g, against, int(v, 'games', 1) ?? 100, options);
      } else {
        await gatePhase(run, config, g, options);
        if (v['no-promote'] !== true) promotePhase(run, config, g, options);
      }
    } finally {
      await watch?.close();
    }
    return 0;
  });
}

// ------------------------------------------------------------------ tengen run

const RUN_USAGE = `usage: tengen run --run RUN [options]

The AlphaGo Zero loop: self-play by the best network → train a candidate → gate it → promote, generation
after generation. Creates RUN on first use (config.json from the options below); afterwards resumes where
it stopped, so it may be killed at any moment (even SIGKILL) and started again with the same command.
Options that define the run may only be given when it is created (or must match its config).
Overlapped pipeline (default with ≥ 2 cores): self-play workers keep playing the next block of games with
the current best while the candidate trains and is gated; sequential: one phase at a time on every core.

  --run RUN                  the run directory (required)
  --config FILE              JSON with config fields (see RUN/config.json of any run) to create the run from
  --size N                   board size (default 9)
  --komi K                   komi (default 7.5 on 9x9, 8.5 on 7x7, 0.5 on 5x5)
  --blocks N, --filters N    network shape (default 6 × 64 on 9x9, 2 × 32 on ≤ 7x7)
  --value-filters N          1x1 filters of the value head (default 1, as AlphaGo Zero; 2-4 are safer on little data)
  --policy-head dense|conv   policy head (default dense, AlphaGo Zero's: one dense layer over the board; conv: a 1x1
                             convolution to a logit per point and a pass logit, far quicker to learn on 19x19)
  --policy-filters N         1x1 filters of the policy head (default 2, as AlphaGo Zero; 16-32 suit the conv head)
  --games-per-generation N   self-play games per generation (default 500; 200 on ≤ 7x7)
  --steps N                  training steps per generation (default 1000; 200 on ≤ 7x7)
  --batch-size N             training batch (default 128; 64 on ≤ 7x7)
  --lr X                     constant learning rate (default: schedule 0.01 → 0.001 → 0.0001 at 20k/100k
                             steps; half that on boards ≤ 7x7)
  --window-games N           training window in games (default 20000; 2000 on ≤ 7x7)
  --value-target-weight W    value target (1 − W)·z + W·q, q the search's root value (default 0: z alone)
  --gate-games N             most games per gating match (default 400)
  --gate-rule R              sprt|threshold (default sprt)
  --gate-visits N            visits per move in gating (default: as self-play)
  --always-promote           skip gating: every candidate becomes the best (AlphaZero style)
  --generations N            stop after generation N (default: config.generations, 0 = never stop)
  --backend B, --threads N   inference backend, and CPU threads per phase of the sequential pipeline (default auto, 2)
  --pipeline P               overlapped|sequential (default overlapped with ≥ 2 cores, this machine: ${availableParallelism()})
  --train-threads N          overlapped: threads for training and gating (default max(1, cores/4))
  --workers N                self-play worker threads (default overlapped: cores − train threads, one
                             onnxruntime thread each; sequential: 0 = self-play in this thread)
  --seed N                   seed (default 1)
  (self-play options of tengen selfplay: --visits, --temperature-moves, --resign-threshold,
   --no-resign-fraction, --playout-cap, --fast-visits, --full-search-probability, --games-per-shard, --parallel)
  --watch PORT|URL           show self-play and gating games in the live viewer
  --no-progress              no progress bars
`;

export async function runMain(argv: string[]): Promise<number> {
  return guarded(RUN_USAGE, async () => {
    const v = parse(argv, {
      ...SELFPLAY_OPTIONS,
      run: { type: 'string' },
      config: { type: 'string' },
      size: { type: 'string' },
      komi: { type: 'string' },
      blocks: { type: 'string' },
      filters: { type: 'string' },
      'value-filters': { type: 'string' },
      'policy-head': { type: 'string' },
      'policy-filters': { type: 'string' },
      'games-per-generation': { type: 'string' },
      steps: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'window-games': { type: 'string' },
      'value-target-weight': { type: 'string' },
      'gate-games': { type: 'string' },
      'gate-rule': { type: 'string' },
      'gate-visits': { type: 'string' },
      'always-promote': { type: 'boolean' },
      generations: { type: 'string' },
      pipeline: { type: 'string' },
      'train-threads': { type: 'string' },
    });
    if (v.help) {
      process.stdout.write(RUN_USAGE);
      return 0;
    }
    const root = str(v, 'run');
    if (root === undefined) throw new UsageError('--run is required');
    const run = new RunDir(root);
    const lr = num(v, 'lr');
    const gateRule = str(v, 'gate-rule');
    if (gateRule !== undefined && gateRule !== 'sprt' && gateRule !== 'threshold') throw new UsageError(`--gate-rule must be sprt or threshold, got '${gateRule}'`);
    const fromFile = str(v, 'config');
    let fileOverrides: RunConfigOverrides = {};
    if (fromFile !== undefined) {
      try {
        fileOverrides = JSON.parse(readFileSync(fromFile, 'utf8')) as RunConfigOverrides;
      } catch (e) {
        throw new ConfigError(`--config ${fromFile}: ${(e as Error).message}`);
      }
    }
    const overrides: RunConfigOverrides = {
      ...fileOverrides,
      ...defined({
        boardSize: int(v, 'size', 2),
        komi: num(v, 'komi'),
        blocks: int(v, 'blocks'),
        filters: int(v, 'filters', 1),
        valueFilters: int(v, 'value-filters', 1),
        policyFilters: int(v, 'policy-filters', 1),
        policyHead: str(v, 'policy-head') as RunConfig['policyHead'] | undefined,
        backend: str(v, 'backend') as RunConfig['backend'] | undefined,
        threads: int(v, 'threads', 1),
        seed: int(v, 'seed'),
      }),
      selfplay: { ...fileOverrides.selfplay, ...selfplayOverrides(v), ...defined({ gamesPerGeneration: int(v, 'games-per-generation', 1) }) },
      train: {
        ...fileOverrides.train,
        ...defined({
          stepsPerGeneration: int(v, 'steps', 1),
          batchSize: int(v, 'batch-size', 1),
          windowGames: int(v, 'window-games', 1),
          valueTargetWeight: num(v, 'value-target-weight'),
          learningRate: lr === undefined ? undefined : [{ untilStep: Number.MAX_SAFE_INTEGER, lr }],
        }),
      },
      gate: {
        ...fileOverrides.gate,
        ...defined({
          games: int(v, 'gate-games', 1),
          rule: gateRule as 'sprt' | 'threshold' | undefined,
          visits: int(v, 'gate-visits', 1),
          alwaysPromote: v['always-promote'] === true ? true : undefined,
        }),
      },
    };
    let config: RunConfig;
    if (run.exists()) {
      config = run.readConfig();
      const wanted = defaultRunConfig(config.boardSize, { ...overrides, boardSize: overrides.boardSize ?? config.boardSize });
      // Only what the user typed must agree with the stored config; threads and backend may change per machine.
      const conflicts = conflictsWith(config, overrides, wanted).filter((k) => k !== 'threads' && k !== 'backend');
      if (conflicts.length > 0) {
        throw new ConfigError(`${run.root} was created with a different ${conflicts.join(', ')}; edit its config.json or start a new run`);
      }
      config = validateRunConfig({ ...config, threads: overrides.threads ?? config.threads, backend: overrides.backend ?? config.backend });
    } else {
      const size = overrides.boardSize ?? 9;
      config = defaultRunConfig(size, overrides);
      run.create(config);
      log(`run: created ${run.root} (${size}x${size}, komi ${config.komi})`);
    }
    const generations = int(v, 'generations');
    const pipelineName = str(v, 'pipeline');
    if (pipelineName !== undefined && pipelineName !== 'overlapped' && pipelineName !== 'sequential') throw new UsageError(`--pipeline must be overlapped or sequential, got '${pipelineName}'`);
    const resources = resolvePipeline(availableParallelism(), config, defined({ pipeline: pipelineName as PipelineMode | undefined, workers: int(v, 'workers'), trainThreads: int(v, 'train-threads', 1) }));
    if (resources.workers > availableParallelism() * 4) throw new UsageError(`--workers ${resources.workers} is far more than this machine's ${availableParallelism()} cores`);
    if (resources.pipeline === 'overlapped' && resources.workers < 1) throw new UsageError('--pipeline overlapped plays self-play on worker threads: --workers must be at least 1');
    const watch = await openWatchOption(v);
    try {
      const state = await runLoop(run, config, { untilGeneration: generations === 0 ? undefined : generations, ...resources, watch, progress: v['no-progress'] !== true, log });
      log(`run: stopped before generation ${state.generation} (${state.phase}); best is ${run.readBest()?.name}`);
    } finally {
      await watch?.close();
    }
    return 0;
  });
}

/** Fields the user set (in overrides) whose value differs from the stored config. */
function conflictsWith(stored: RunConfig, overrides: RunConfigOverrides, wanted: RunConfig): string[] {
  const out: string[] = [];
  for (const [k, val] of Object.entries(overrides)) {
    if (val === undefined) continue;
    if (k === 'selfplay' || k === 'train' || k === 'gate') {
      for (const [kk, vv] of Object.entries(val as object)) {
        if (vv === undefined) continue;
        const a = (stored[k] as unknown as Record<string, unknown>)[kk];
        const b = (wanted[k] as unknown as Record<string, unknown>)[kk];
        if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${k}.${kk}`);
      }
    } else if (JSON.stringify((stored as unknown as Record<string, unknown>)[k]) !== JSON.stringify((wanted as unknown as Record<string, unknown>)[k])) {
      out.push(k);
    }
  }
  return out;
}

// ------------------------------------------------------------------ tengen status

const STATUS_USAGE = `usage: tengen status --run RUN [--json]

Summarises a training run from its files (safe while it runs): state, best network and its Elo against
gen0000, per generation games, positions, false resignations, losses and gating results; redraws the plots.

  --run RUN     the run directory (required)
  --json        print the summary as JSON
`;

export async function statusMain(argv: string[]): Promise<number> {
  return guarded(STATUS_USAGE, async () => {
    const v = parse(argv, { run: { type: 'string' }, json: { type: 'boolean' } });
    if (v.help) {
      process.stdout.write(STATUS_USAGE);
      return 0;
    }
    const root = str(v, 'run');
    if (root === undefined) throw new UsageError('--run is required');
    const run = new RunDir(root);
    run.readConfig();
    writeRunPlots(run);
    const s = runStatus(run);
    process.stdout.write(v.json ? `${JSON.stringify(s, null, 2)}\n` : formatStatus(s));
    return 0;
  });
}
