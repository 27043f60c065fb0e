/**
 * `tengen bootstrap`: supervised start of a training run from recorded games (bootstrap.ts), then
 * `tengen run` continues with gating and self-play from the trained network.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sgfFilesFromSources } from '../src/lee/rollout-dataset.js';
import { ConfigError, defaultRunConfig, validateRunConfig, type RunConfig, type RunConfigOverrides, type TrainerChoice } from './config.js';
import { BOOTSTRAP_GENERATION, bootstrapTrainingBlocker, writeBootstrapShards, type PositionValueLabel } from './bootstrap.js';
import { createProgress } from './progress.js';
import { copyNet, readNetMetadata, type NetMetadata } from '../src/nn/model-io.js';
import { POLICY_HEADS, policyHeadOf, type PolicyHead } from '../src/nn/config.js';
import { generationName, RunDir } from './run-dir.js';
import { initialiseRun } from './run.js';
import { writeRunPlots } from './run-plots.js';
import { trainCandidate } from './train.js';

const USAGE = `usage: tengen bootstrap --run RUN --sgf PATH [--sgf PATH ...] [options]

Supervised bootstrap of a training run from recorded games (e.g. GNU Go's, from tengen collect): every move
of every SGF becomes a training record (π = the played move, z = the game's result RE for the side to move;
the final position is scored when RE is missing) in RUN/shards/${generationName(BOOTSTRAP_GENERATION)}/, and generation 1's candidate is
trained on them from ${generationName(0)}: random weights, or with --from a copy of an existing network (fine-tuning). \`tengen run --run RUN\` then gates it and goes on with
self-play; later generations keep the records in their training window until self-play fills it.
Creates RUN when it does not exist (options below, as for tengen run); resumable like the run itself.

  --run RUN                  the run directory (required)
  --sgf PATH                 an SGF file or a folder searched recursively (required, repeatable); records of
                             another board size or komi are skipped and counted
  --from DIR                 start from this saved network instead of random weights: it is copied (checksums
                             verified) as the run's ${generationName(0)}, and the run takes its board size and shape
  --steps N                  training steps for generation 1 (default: config.train.stepsPerGeneration)
  --no-train                 only write the shards
  --trainer T                auto|onnx|tfjs (default: config)
  --threads N                CPU threads (default: config)
  --no-progress              no progress bars
  --value-rollouts K         also label every position with the mean outcome of K rollouts from it (the
                             AlphaGo-Lee rollout policy) as its value target q; slow (about 13 ms a position
                             at K = 32 on 9x9, one core) but a position-specific target instead of one bit per game
 run creation (ignored with a warning when RUN exists):
  --config FILE              JSON with config fields, as tengen run --config
  --size N, --komi K         board size (default 9) and komi (default 7.5 on 9x9)
  --blocks N, --filters N    network shape (default 6 × 64 on 9x9)
  --value-filters N          1x1 filters of the value head (default 1, as AlphaGo Zero; 2-4 are safer on little data)
  --policy-head dense|conv   policy head (default dense, AlphaGo Zero's; conv learns far faster on 19x19)
  --policy-filters N         1x1 filters of the policy head (default 2; 16-32 suit the conv head)
  --seed N                   seed (default 1)
  --games-per-generation N   self-play games per generation afterwards (default 500)
  --steps-per-generation N   training steps of each later generation (default 1000)
  --visits N                 self-play visits (default 200); --gate-games N (default 400)
  --batch-size N, --lr X, --window-games N   as tengen run
  --value-target-weight W    train on (1 − W)·z + W·q (default 0: the outcome z alone); 0.5 with --value-rollouts
`;

class UsageError extends Error {}

function policyHeadOption(text: string | undefined): PolicyHead | undefined {
  if (text === undefined) return undefined;
  if (!(POLICY_HEADS as readonly string[]).includes(text)) throw new UsageError(`--policy-head must be ${POLICY_HEADS.join(' or ')}, got '${text}'`);
  return text as PolicyHead;
}

interface StartingNetwork {
  dir: string;
  metadata: NetMetadata;
}

async function startingNetwork(dir: string): Promise<StartingNetwork> {
  let metadata: NetMetadata;
  try {
    metadata = await readNetMetadata(dir);
  } catch (e) {
    throw new UsageError(`--from ${dir}: ${(e as Error).message}`);
  }
  // The run's self-play, shards and trainer use the Zero input features; an AlphaGo-Lee net cannot seed it.
  if (metadata.featureSet !== 'zero') throw new UsageError(`--from ${dir}: a '${metadata.featureSet}' feature-set network; a run needs a 'zero' one`);
  return { dir, metadata };
}

type ShapeField = 'boardSize' | 'blocks' | 'filters' | 'valueFilters' | 'policyFilters' | 'policyHead';

/** A shape option for a new run: the --from network's value, which an explicit option may only repeat. */
function shapeValue<T extends number | PolicyHead>(source: StartingNetwork | null, field: ShapeField, given: T | undefined, option: string): T | undefined {
  if (source === null) return given;
  const own = (field === 'policyHead' ? policyHeadOf(source.metadata) : source.metadata[field]) as T;
  if (given !== undefined && given !== own) throw new UsageError(`--${option} ${given} contradicts --from ${source.dir} (its ${field} is ${own})`);
  return own;
}

/**
 * Makes the --from network the run's generation 0. Before the run is initialised it is copied in; after,
 * generation 0 must already be that network (a rerun of the same command), else the run started elsewhere.
 */
async function seedFromNetwork(run: RunDir, config: RunConfig, source: StartingNetwork, log: (line: string) => void): Promise<void> {
  const m = source.metadata;
  const fits =
    m.boardSize === config.boardSize &&
    m.blocks === config.blocks &&
    m.filters === config.filters &&
    m.valueFilters === (config.valueFilters ?? 1) &&
    m.policyFilters === (config.policyFilters ?? 2) &&
    policyHeadOf(m) === (config.policyHead ?? 'dense');
  if (!fits) {
    throw new ConfigError(
      `--from ${source.dir}: a ${m.boardSize}x${m.boardSize} ${m.blocks} × ${m.filters} network (value filters ${m.valueFilters}, ` +
        `${policyHeadOf(m)} policy head with ${m.policyFilters} filters) does not fit ${run.root} (${config.boardSize}x${config.boardSize}, ` +
        `${config.blocks} × ${config.filters}, value filters ${config.valueFilters ?? 1}, ${config.policyHead ?? 'dense'} policy head with ${config.policyFilters ?? 2} filters)`,
    );
  }
  const dir = run.networkDir(0);
  if (run.readState() !== null) {
    let current: NetMetadata | null = null;
    try {
      current = await readNetMetadata(dir);
    } catch {
      current = null;
    }
    if (current?.files['weights.bin'].sha256 !== m.files['weights.bin'].sha256) {
      throw new ConfigError(`--from ${source.dir}: ${run.root} already started from another ${generationName(0)}; use a new --run`);
    }
    return;
  }
  await copyNet(source.dir, dir);
  log(`bootstrap: ${generationName(0)} is a copy of ${source.dir} (${m.trainingSteps} training steps)`);
}

function intValue(text: string | undefined, name: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

function numValue(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${text}'`);
  return n;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const CREATION_OPTIONS = ['config', 'size', 'komi', 'blocks', 'filters', 'value-filters', 'policy-head', 'policy-filters', 'seed', 'games-per-generation', 'steps-per-generation', 'visits', 'gate-games', 'batch-size', 'lr', 'window-games', 'value-target-weight'] as const;

export async function bootstrapMain(argv: string[]): Promise<number> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  try {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        run: { type: 'string' },
        sgf: { type: 'string', multiple: true },
        steps: { type: 'string' },
        'no-train': { type: 'boolean' },
        trainer: { type: 'string' },
        threads: { type: 'string' },
        'no-progress': { type: 'boolean' },
        config: { type: 'string' },
        size: { type: 'string' },
        komi: { type: 'string' },
        blocks: { type: 'string' },
        filters: { type: 'string' },
        'value-filters': { type: 'string' },
        'policy-head': { type: 'string' },
        'policy-filters': { type: 'string' },
        seed: { type: 'string' },
        'games-per-generation': { type: 'string' },
        'steps-per-generation': { type: 'string' },
        visits: { type: 'string' },
        'gate-games': { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        'window-games': { type: 'string' },
        'value-rollouts': { type: 'string' },
        'value-target-weight': { type: 'string' },
        from: { type: 'string' },
      },
    });
    if (v.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (v.run === undefined) throw new UsageError('--run is required');
    const sources = v.sgf ?? [];
    const found = sgfFilesFromSources(sources);
    if ('error' in found) throw new UsageError(found.error);
    const { files } = found;
    const trainer = v.trainer;
    if (trainer !== undefined && trainer !== 'auto' && trainer !== 'onnx' && trainer !== 'tfjs') throw new UsageError(`--trainer must be auto, onnx or tfjs, got '${trainer}'`);
    const steps = intValue(v.steps, 'steps', 1);
    const valueRollouts = intValue(v['value-rollouts'], 'value-rollouts', 1);
    const valueTargetWeight = numValue(v['value-target-weight'], 'value-target-weight');
    if (valueTargetWeight !== undefined && !(valueTargetWeight >= 0 && valueTargetWeight <= 1)) throw new UsageError(`--value-target-weight must be in [0, 1], got ${valueTargetWeight}`);
    const threads = intValue(v.threads, 'threads', 1);
    const train = v['no-train'] !== true;
    if (!train && steps !== undefined) throw new UsageError('--steps and --no-train contradict each other');

    const source = v.from === undefined ? null : await startingNetwork(v.from);
    const run = new RunDir(v.run);
    let config: RunConfig;
    if (run.exists()) {
      const given = CREATION_OPTIONS.filter((k) => v[k] !== undefined);
      if (given.length > 0) log(`bootstrap: ${run.root} exists; its config.json decides (ignoring --${given.join(', --')})`);
      config = run.readConfig();
    } else {
      let file: RunConfigOverrides = {};
      if (v.config !== undefined) {
        try {
          file = JSON.parse(readFileSync(v.config, 'utf8')) as RunConfigOverrides;
        } catch (e) {
          throw new ConfigError(`--config ${v.config}: ${(e as Error).message}`);
        }
      }
      const lr = numValue(v.lr, 'lr');
      const overrides: RunConfigOverrides = {
        ...file,
        ...defined({
          boardSize: shapeValue(source, 'boardSize', intValue(v.size, 'size', 2), 'size'),
          komi: numValue(v.komi, 'komi'),
          blocks: shapeValue(source, 'blocks', intValue(v.blocks, 'blocks', 0), 'blocks'),
          filters: shapeValue(source, 'filters', intValue(v.filters, 'filters', 1), 'filters'),
          valueFilters: shapeValue(source, 'valueFilters', intValue(v['value-filters'], 'value-filters', 1), 'value-filters'),
          policyFilters: shapeValue(source, 'policyFilters', intValue(v['policy-filters'], 'policy-filters', 1), 'policy-filters'),
          policyHead: shapeValue(source, 'policyHead', policyHeadOption(v['policy-head']), 'policy-head'),
          seed: intValue(v.seed, 'seed', 0),
        }),
        selfplay: { ...file.selfplay, ...defined({ gamesPerGeneration: intValue(v['games-per-generation'], 'games-per-generation', 1), visits: intValue(v.visits, 'visits', 1) }) },
        train: {
          ...file.train,
          ...defined({
            stepsPerGeneration: intValue(v['steps-per-generation'], 'steps-per-generation', 1),
            batchSize: intValue(v['batch-size'], 'batch-size', 1),
            windowGames: intValue(v['window-games'], 'window-games', 1),
            learningRate: lr === undefined ? undefined : [{ untilStep: Number.MAX_SAFE_INTEGER, lr }],
            valueTargetWeight: valueTargetWeight ?? (valueRollouts !== undefined ? 0.5 : undefined),
          }),
        },
        gate: { ...file.gate, ...defined({ games: intValue(v['gate-games'], 'gate-games', 1) }) },
      };
      config = defaultRunConfig(overrides.boardSize ?? 9, overrides);
      run.create(config);
      log(`bootstrap: created ${run.root} (${config.boardSize}x${config.boardSize}, komi ${config.komi}, ${config.blocks} blocks × ${config.filters} filters)`);
    }
    if (threads !== undefined) config = validateRunConfig({ ...config, threads });
    if (train) {
      const blocker = bootstrapTrainingBlocker(run);
      if (blocker !== null) throw new ConfigError(`bootstrap: cannot train from the records: ${blocker} (use --no-train to add them as data only)`);
    }
    const removed = run.removeTempFiles();
    if (removed > 0) log(`bootstrap: removed ${removed} temp file(s) left by an interrupted write`);
    if (source !== null) await seedFromNetwork(run, config, source, log);
    await initialiseRun(run, config, log);

    const progress = v['no-progress'] !== true;
    const started = performance.now();
    const convertBar = createProgress('records', files.length, { enabled: progress });
    let valueLabel: PositionValueLabel | undefined;
    if (valueRollouts !== undefined) {
      const { RolloutLeafEvaluator } = await import('../src/lee/leaf.js');
      const { loadRolloutPolicy, packageRolloutPolicyPath } = await import('../src/lee/model-set.js');
      const rollouts = new RolloutLeafEvaluator({
        policy: loadRolloutPolicy(packageRolloutPolicyPath()),
        size: config.boardSize,
        komi: config.komi,
        lambda: 1,
        rolloutsPerLeaf: valueRollouts,
        seed: config.seed,
      });
      valueLabel = (board) => rollouts.evaluate(board);
      log(`bootstrap: labelling every position with ${valueRollouts} rollouts (value target q; train.valueTargetWeight ${config.train.valueTargetWeight ?? 0})`);
    }
    const summary = writeBootstrapShards(run, config, files, (done) => convertBar.update(done), valueLabel);
    convertBar.stop();
    const convertSeconds = (performance.now() - started) / 1000;
    log(
      `bootstrap: ${summary.games} games, ${summary.positions} positions in ${summary.shards} shards (${summary.shardsKept} already written) from ${summary.files} files ` +
        `in ${convertSeconds.toFixed(1)} s; B ${summary.blackWins} W ${summary.whiteWins} draws ${summary.draws}; ${summary.rejected.length} rejected`,
    );
    for (const r of summary.rejected.slice(0, 10)) log(`  rejected ${r.file}: ${r.reason}`);
    if (summary.rejected.length > 10) log(`  … and ${summary.rejected.length - 10} more`);
    if (summary.games === 0) throw new ConfigError('bootstrap: no usable game records');
    run.appendMetric({
      kind: 'bootstrap',
      generation: BOOTSTRAP_GENERATION,
      sources,
      files: summary.files,
      games: summary.games,
      positions: summary.positions,
      rejected: summary.rejected.length,
      blackWins: summary.blackWins,
      whiteWins: summary.whiteWins,
      draws: summary.draws,
    });
    if (!train) return 0;

    const g = 1;
    run.writeState(g, 'train');
    const total = steps ?? config.train.stepsPerGeneration;
    const bar = createProgress('train', total, { enabled: progress });
    try {
      const s = await trainCandidate({
        run,
        config,
        generation: g,
        parentDir: run.networkDir(0),
        parentName: generationName(0),
        outDir: run.networkDir(g),
        steps: total,
        trainer: trainer as TrainerChoice | undefined,
        threads: config.threads,
        log,
        onProgress: (p) => bar.update(p.step, { policy: p.result.policy, value: p.result.value, 'pos/s': p.positionsPerSecond }),
      });
      bar.stop();
      log(
        `bootstrap: trained ${generationName(g)}: ${s.steps} steps (${s.trainer}), window ${s.windowGames} games / ${s.windowPositions} positions, ${s.positionsPerSecond.toFixed(0)} positions/s` +
          (s.last ? `, last policy loss ${s.last.policy.toFixed(3)}, value loss ${s.last.value.toFixed(3)}` : ''),
      );
    } finally {
      bar.stop();
    }
    run.writeState(g, 'gate');
    writeRunPlots(run);
    log(`bootstrap: ${run.networkDir(g)} is ready; \`tengen run --run ${v.run}\` gates it against ${generationName(0)} and continues with self-play`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`tengen bootstrap: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`tengen ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
