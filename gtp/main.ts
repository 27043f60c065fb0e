/**
 * `tengen gtp`: speaks GTP v2 on stdin/stdout for Go GUIs (Sabaki, Lizzie, GoGui, Kigo) and bridges
 * (kgsGtp, gtp2ogs). stdout carries only protocol text; every log line goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rulesPreset, MAX_SIZE, MIN_SIZE, type GameRules } from '../engine/index.js';
import { GtpEngine, type EngineConfig } from './engine.js';
import { createGeneratorFactory, type BackendOption } from './generator-factory.js';
import { GtpServer } from './server.js';
import { connectWatch, type WatchLink } from './watch-link.js';
import { LEE_SEARCH_DEFAULTS } from '../src/lee/lee-search.js';
import { RolloutPolicy } from '../src/lee/rollout-policy.js';
import { DEFAULT_SEARCH_PARAMS } from '../src/search/params.js';

/** Defaults of every `tengen gtp` option, in one place. */
export const GTP_DEFAULTS = {
  size: 19,
  komi: 7.5,
  rules: 'chinese',
  backend: 'auto' as BackendOption,
  resignThreshold: 0.1,
  resignMinMovesFraction: 0.25,
  resignMinVisits: 50,
  resignConsecutiveMoves: 3,
  seed: 1,
};

const BACKENDS: readonly BackendOption[] = ['auto', 'onnx', 'wasm', 'cpu', 'tensorflow', 'webgpu'];

const HELP = `usage: tengen gtp [options]

Speaks GTP v2 on stdin/stdout. Give GUIs the command line, e.g. \`npx tengen gtp --model models/9x9\`.

options:
  --model DIR              network directory (default: models/<N>x<N> of the package when present;
                           without a network tengen plays with Monte-Carlo playouts and says so on stderr);
                           \`--model none\`: no network, always the Monte-Carlo playouts
  --backend NAME           auto|onnx|wasm|cpu|tensorflow|webgpu (default ${GTP_DEFAULTS.backend})
  --visits N               search visits per move (default: 800 with a network; without one,
                           300000 / points playouts, from 500 to 5000: 3704 on 9x9, 831 on 19x19)
  --time S                 seconds per move; with --visits, whichever comes first. The game clock
                           (time_settings / time_left) can only shorten a move's time. --time alone
                           uses the whole time every move (unused time is not banked); under a clock
                           or a visit limit the search stops once its move cannot change.
  --threads N              CPU threads (default: all cores): the network's; when rollouts run in the
                           search thread (--mode lee, --lambda, the 9x9 default) that thread takes one
                           and the network, on a thread of its own, the rest
  --size N                 initial board size, ${MIN_SIZE}..${MAX_SIZE} (default: the --model network's size, else
                           ${GTP_DEFAULTS.size}; controllers send boardsize)
  --komi K                 initial komi (default ${GTP_DEFAULTS.komi})
  --rules NAME             chinese|japanese|korean|aga|new-zealand|tromp-taylor (default ${GTP_DEFAULTS.rules})
  --resign-threshold P     resign when the win rate is below P, 0 = never (default ${GTP_DEFAULTS.resignThreshold});
                           on ${GTP_DEFAULTS.resignConsecutiveMoves} consecutive own moves (--resign-moves N); never before
                           ${GTP_DEFAULTS.resignMinMovesFraction * 100}% of the board is played; lowered for White in handicap games
  --seed N                 random seed (default ${GTP_DEFAULTS.seed})
  --watch PORT|URL         show the games live: a port starts a viewer in this process, a URL
                           publishes to a running \`tengen watch\`
  --mode MODE              zero | lee | rollout (default zero):
                             zero     AlphaGo Zero: one network (--model DIR), PUCT, no rollouts
                             lee      AlphaGo Lee: --model is a Lee model set (lee.json, sl/, value/,
                                      e.g. models/9x9-lee); SL-policy priors, leaves scored
                                      (1 − λ)·value net + λ·rollout; without value/ λ = 1
                             rollout  rollout-only MCTS: no networks, uniform priors, rollout leaves
  --lambda X               lee: rollout weight λ in [0, 1] (default ${LEE_SEARCH_DEFAULTS.lambda}); zero: mix the
                           network's value with rollouts, (1 − λ)·v + λ·rollout (default 0: no rollouts)
  --cpuct C                PUCT exploration constant c in Q + c·P·√ΣN/(1+N) (default ${DEFAULT_SEARCH_PARAMS.cPuct})
  --policy-temperature T   softmax temperature of the network's priors in the search, P ∝ p^(1/T):
                           above 1 spreads visits over more of the moves the network ranks lower
                           (default ${DEFAULT_SEARCH_PARAMS.policyTemperature}: the network's priors as they are)
  --score-utility W        weight of the score in the value of a finished game or rollout,
                           (1 − W)·(±1) + W·tanh(margin / (size + 1)), in [0, 1] (default: the
                           network's play.json, else 0: win/loss only); see README "Score utility"
  --expand-threshold N     lee/rollout: n_thr, visits before a node is expanded (default ${LEE_SEARCH_DEFAULTS.expandThreshold})
  --policy sl|rl           lee: which policy net gives the priors (default ${LEE_SEARCH_DEFAULTS.policy})
  --rollout-policy FILE    rollout policy weights for the rollouts of lee, rollout and zero with --lambda
                           (default: the Lee set's rollout-policy.json or the network's play.json
                           choice, else models/rollout-policy.json)
  --rollout-threads N      lee/rollout: worker threads for the rollouts, 0 = in the search thread
                           (default ${LEE_SEARCH_DEFAULTS.rolloutThreads})
  -h, --help               this text
`;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

class UsageError extends Error {}

/** The board size a saved network plays (metadata.json), so `--model` alone starts on the right board. */
function networkBoardSize(modelDir: string): number | undefined {
  try {
    const metadata = JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8')) as { boardSize?: unknown };
    return typeof metadata.boardSize === 'number' ? metadata.boardSize : undefined;
  } catch {
    // Unreadable: loading the network reports the problem properly.
    return undefined;
  }
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a positive integer, got '${text}'`);
  return Number(text);
}

function finiteNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got '${text}'`);
  return value;
}

/** `--model none`: play without a network even where the package ships one. */
const NO_NETWORK = 'none';

interface GtpCliOptions {
  engine: Omit<EngineConfig, 'log' | 'name' | 'version' | 'workingDir'>;
  modelDir?: string;
  noNetwork: boolean;
  backend: BackendOption;
  threads?: number;
  watch?: string;
  mode: 'zero' | 'lee' | 'rollout';
  search: { cPuct?: number; scoreUtility?: number; policyTemperature?: number };
  lee: { komi: number; lambda?: number; expandThreshold?: number; policy?: 'sl' | 'rl'; rolloutPolicy?: string; rolloutThreads?: number };
}

/** The board size of a Lee model set (lee.json), so `--mode lee --model SET` starts on the right board. */
function leeSetBoardSize(dir: string): number | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'lee.json'), 'utf8')) as { boardSize?: unknown };
    return typeof manifest.boardSize === 'number' ? manifest.boardSize : undefined;
  } catch {
    return undefined;
  }
}

export function parseGtpArgs(argv: string[]): GtpCliOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      backend: { type: 'string' },
      visits: { type: 'string' },
      time: { type: 'string' },
      threads: { type: 'string' },
      size: { type: 'string' },
      komi: { type: 'string' },
      rules: { type: 'string' },
      'resign-threshold': { type: 'string' },
      'resign-moves': { type: 'string' },
      seed: { type: 'string' },
      watch: { type: 'string' },
      mode: { type: 'string' },
      lambda: { type: 'string' },
      'score-utility': { type: 'string' },
      cpuct: { type: 'string' },
      'policy-temperature': { type: 'string' },
      'expand-threshold': { type: 'string' },
      policy: { type: 'string' },
      'rollout-policy': { type: 'string' },
      'rollout-threads': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const backend = (values.backend ?? GTP_DEFAULTS.backend) as BackendOption;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${values.backend}'`);
  const mode = values.mode ?? 'zero';
  if (mode !== 'zero' && mode !== 'lee' && mode !== 'rollout') throw new UsageError(`--mode must be zero, lee or rollout, got '${mode}'`);
  if (mode === 'lee' && values.model === undefined) throw new UsageError('--mode lee needs --model DIR: an AlphaGo-Lee model set (lee.json, sl/, value/), e.g. models/9x9-lee');
  const lambda = finiteNumber('lambda', values.lambda);
  if (lambda !== undefined && !(lambda >= 0 && lambda <= 1)) throw new UsageError(`--lambda must be in [0, 1], got ${lambda}`);
  const cPuct = finiteNumber('cpuct', values.cpuct);
  if (cPuct !== undefined && !(cPuct > 0)) throw new UsageError(`--cpuct must be > 0, got ${cPuct}`);
  const policyTemperature = finiteNumber('policy-temperature', values['policy-temperature']);
  if (policyTemperature !== undefined && !(policyTemperature > 0)) throw new UsageError(`--policy-temperature must be > 0, got ${policyTemperature}`);
  const scoreUtility = finiteNumber('score-utility', values['score-utility']);
  if (scoreUtility !== undefined && !(scoreUtility >= 0 && scoreUtility <= 1)) throw new UsageError(`--score-utility must be in [0, 1], got ${scoreUtility}`);
  const policy = values.policy;
  if (policy !== undefined && policy !== 'sl' && policy !== 'rl') throw new UsageError(`--policy must be sl or rl, got '${policy}'`);
  if (values.model === NO_NETWORK && mode !== 'zero') throw new UsageError(`--model ${NO_NETWORK} is for --mode zero (--mode ${mode} needs its own models or none)`);
  const modelSize = values.model === undefined || values.model === NO_NETWORK ? undefined : mode === 'lee' ? leeSetBoardSize(values.model) : networkBoardSize(values.model);
  const size = positiveInt('size', values.size) ?? modelSize ?? GTP_DEFAULTS.size;
  if (size < MIN_SIZE || size > MAX_SIZE) throw new UsageError(`--size must be from ${MIN_SIZE} to ${MAX_SIZE}, got ${size}`);
  const rulesName = values.rules ?? GTP_DEFAULTS.rules;
  const preset = rulesPreset(rulesName);
  if (preset === null) throw new UsageError(`--rules: unknown rule set '${rulesName}'`);
  const komi = finiteNumber('komi', values.komi) ?? GTP_DEFAULTS.komi;
  const timeSeconds = finiteNumber('time', values.time);
  if (timeSeconds !== undefined && !(timeSeconds > 0)) throw new UsageError(`--time must be positive, got ${timeSeconds}`);
  const resignThreshold = finiteNumber('resign-threshold', values['resign-threshold']) ?? GTP_DEFAULTS.resignThreshold;
  if (resignThreshold < 0 || resignThreshold >= 1) throw new UsageError(`--resign-threshold must be in [0, 1), got ${resignThreshold}`);
  const resignMoves = finiteNumber('resign-moves', values['resign-moves']) ?? GTP_DEFAULTS.resignConsecutiveMoves;
  if (!Number.isInteger(resignMoves) || resignMoves < 1) throw new UsageError(`--resign-moves must be an integer ≥ 1, got ${resignMoves}`);
  const seedText = values.seed;
  if (seedText !== undefined && !/^\d+$/.test(seedText)) throw new UsageError(`--seed must be a non-negative integer, got '${seedText}'`);
  const rolloutPolicy = values['rollout-policy'];
  if (rolloutPolicy !== undefined) {
    // Read now, so a wrong path is a usage error at start-up rather than a failed genmove later.
    try {
      RolloutPolicy.load(rolloutPolicy);
    } catch (e) {
      throw new UsageError(`--rollout-policy: ${(e as Error).message}`);
    }
  }
  const rules: GameRules = { ...preset, komi };
  return {
    engine: {
      boardSize: size,
      rules,
      visits: positiveInt('visits', values.visits),
      timeSeconds,
      resignThreshold,
      resignMinMovesFraction: GTP_DEFAULTS.resignMinMovesFraction,
      resignMinVisits: GTP_DEFAULTS.resignMinVisits,
      resignConsecutiveMoves: resignMoves,
      seed: seedText === undefined ? GTP_DEFAULTS.seed : Number(seedText),
    },
    modelDir: values.model === NO_NETWORK ? undefined : values.model,
    noNetwork: values.model === NO_NETWORK,
    backend,
    threads: positiveInt('threads', values.threads),
    watch: values.watch,
    mode,
    search: { cPuct, scoreUtility, policyTemperature },
    lee: { komi, lambda, expandThreshold: positiveInt('expand-threshold', values['expand-threshold']), policy, rolloutPolicy, rolloutThreads: values['rollout-threads'] === '0' ? 0 : positiveInt('rollout-threads', values['rollout-threads']) },
  };
}

export async function main(argv: string[]): Promise<number> {
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  let options: GtpCliOptions | 'help';
  try {
    options = parseGtpArgs(argv);
  } catch (e) {
    log(`tengen gtp: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  // From here stdout is the protocol channel: whatever a library prints with console.log goes to stderr.
  const toStderr = (...args: unknown[]): void => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  if (options.modelDir !== undefined && !options.modelDir) {
    log('tengen gtp: --model needs a directory');
    return 2;
  }
  const factory = createGeneratorFactory({
    modelDir: options.modelDir,
    noNetwork: options.noNetwork,
    backend: options.backend,
    threads: options.threads,
    seed: options.engine.seed,
    log,
    mode: options.mode,
    lee: options.lee,
    search: options.search,
  });
  const engine = new GtpEngine(
    { ...options.engine, name: 'tengen', version: packageVersion(), workingDir: process.cwd(), log },
    factory,
  );
  // Load the network now, so a bad --model fails at start-up instead of at the first genmove.
  try {
    await engine.moveGenerator();
  } catch (e) {
    log(`tengen gtp: ${(e as Error).message}`);
    return 1;
  }
  let watch: WatchLink | null = null;
  if (options.watch !== undefined) {
    try {
      watch = await connectWatch(options.watch, log);
      engine.observer = watch;
    } catch (e) {
      log(`tengen gtp: ${(e as Error).message}`);
      await engine.dispose();
      return 1;
    }
  }

  const server = new GtpServer(engine, {
    write: (text) => {
      process.stdout.write(text);
    },
    log,
  });
  const stdin = process.stdin;
  const onData = (data: Buffer): void => server.feed(data);
  const onEnd = (): void => server.end();
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  // The controller went away: nothing more can be answered.
  process.stdout.on('error', () => server.end());
  await server.finished;
  stdin.off('data', onData);
  stdin.off('end', onEnd);
  stdin.destroy();
  await engine.dispose();
  await watch?.close();
  return 0;
}
