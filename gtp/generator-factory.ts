/**
 * Chooses what plays: the MCTS with a network when one is given (--model DIR) or a default network for
 * the board size exists (models/<N>x<N>/ in the package), else the Monte-Carlo playout fallback with a
 * clear note on stderr. A network that was asked for but cannot be loaded is an error, not a silent
 * fallback; a network of another board size falls back (GTP controllers change sizes freely).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MoveGenerator, MoveGeneratorFactory } from './move-generator.js';
import { PlayoutGenerator, type PlayoutGeneratorConfig } from './playout-generator.js';

export type BackendOption = 'auto' | 'onnx' | 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';

export interface GeneratorOptions {
  modelDir?: string;
  /** `--model none`: never load a network, not even the package default; play Monte-Carlo playouts. */
  noNetwork?: boolean;
  backend: BackendOption;
  threads?: number;
  seed?: number;
  /** Where default networks live (models/ of the package unless given). */
  defaultModelsDir?: string;
  playout?: Partial<PlayoutGeneratorConfig>;
  log: (message: string) => void;
  /** Search knobs given on the command line, for every generator with a search (play.json may set scoreUtility). */
  search?: { cPuct?: number; scoreUtility?: number; policyTemperature?: number };
  /** --mode: 'zero' (default) the network MCTS above; 'lee' / 'rollout' AlphaGo-Lee play (src/lee/lee-generator.ts). */
  mode?: 'zero' | 'lee' | 'rollout';
  /** Lee-mode knobs (λ, n_thr, prior policy, rollout policy file) and the komi the rollouts start with. */
  lee?: { komi: number; lambda?: number; expandThreshold?: number; policy?: 'sl' | 'rl'; rolloutPolicy?: string; rolloutThreads?: number };
}

/** models/ at the package root (dist/gtp/ → ../../models). */
export function packageModelsDir(): string {
  return fileURLToPath(new URL('../../models/', import.meta.url));
}

/** The default network directory for a board size, when one is installed. */
export function defaultModelDir(size: number, modelsDir: string = packageModelsDir()): string | null {
  const dir = join(modelsDir, `${size}x${size}`);
  return existsSync(join(dir, 'metadata.json')) ? dir : null;
}

/** Playouts per move without a network: about 0.3 s on 9x9, 1.5 s on 19x19 on one core here. */
export function fallbackPlayouts(size: number): number {
  return Math.max(500, Math.min(5000, Math.round(300_000 / (size * size))));
}

/** What a network directory may recommend for play (`play.json` beside metadata.json); all optional. */
export interface NetworkPlaySettings {
  /** λ for leaf values (1 − λ)·v + λ·rollout when --lambda is not given. */
  lambda?: number;
  /** Weight of the score term in finished games' and rollouts' values when --score-utility is not given. */
  scoreUtility?: number;
  /**
   * The rollout policy the network was measured with, a file in its directory, when --rollout-policy is not
   * given (absent: models/rollout-policy.json).
   */
  rolloutPolicy?: string;
  /** Why (shown on stderr). */
  note?: string;
}

export const NETWORK_PLAY_FILE = 'play.json';

/**
 * Reads DIR/play.json: the play settings measured best for that network (the shipped 9x9 network's value
 * head is too weak to guide the search, and rollouts beat it 9–1 at equal time, so it asks for λ = 1).
 * Absent: {}. Unreadable or wrong: an error naming the file, as for any other file of the network.
 */
export function readNetworkPlaySettings(modelDir: string): NetworkPlaySettings {
  const path = join(modelDir, NETWORK_PLAY_FILE);
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const o = raw as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null) throw new Error(`${path}: expected a JSON object`);
  if (o.lambda !== undefined && !(typeof o.lambda === 'number' && o.lambda >= 0 && o.lambda <= 1)) throw new Error(`${path}: lambda must be a number in [0, 1]`);
  if (o.scoreUtility !== undefined && !(typeof o.scoreUtility === 'number' && o.scoreUtility >= 0 && o.scoreUtility <= 1)) throw new Error(`${path}: scoreUtility must be a number in [0, 1]`);
  if (o.note !== undefined && typeof o.note !== 'string') throw new Error(`${path}: note must be a string`);
  let rolloutPolicy: string | undefined;
  if (o.rolloutPolicy !== undefined) {
    if (typeof o.rolloutPolicy !== 'string' || o.rolloutPolicy === '' || isAbsolute(o.rolloutPolicy) || o.rolloutPolicy.split(/[\\/]/).includes('..')) {
      throw new Error(`${path}: rolloutPolicy must name a file in ${modelDir}`);
    }
    rolloutPolicy = join(modelDir, o.rolloutPolicy);
    if (!existsSync(rolloutPolicy)) throw new Error(`${path}: rolloutPolicy ${rolloutPolicy} is missing`);
  }
  return {
    ...(o.lambda !== undefined ? { lambda: o.lambda as number } : {}),
    ...(o.scoreUtility !== undefined ? { scoreUtility: o.scoreUtility as number } : {}),
    ...(rolloutPolicy !== undefined ? { rolloutPolicy } : {}),
    ...(o.note !== undefined ? { note: o.note as string } : {}),
  };
}

export function createGeneratorFactory(options: GeneratorOptions): MoveGeneratorFactory {
  const warned = new Set<number>();
  return async (size: number): Promise<MoveGenerator> => {
    const mode = options.mode ?? 'zero';
    if (mode !== 'zero') {
      const { createLeeGenerator } = await import('../src/lee/lee-generator.js');
      const lee = options.lee ?? { komi: 7.5 };
      const generator = await createLeeGenerator(size, {
        mode,
        modelSet: options.modelDir,
        komi: lee.komi,
        backend: options.backend,
        threads: options.threads,
        seed: options.seed,
        rolloutPolicy: lee.rolloutPolicy,
        config: { lambda: lee.lambda, expandThreshold: lee.expandThreshold, policy: lee.policy, rolloutThreads: lee.rolloutThreads },
        params: options.search,
        log: options.log,
      });
      if (generator !== null) return generator;
      options.log(`the Lee model set in ${options.modelDir} does not play ${size}x${size}`);
    }
    const modelDir = mode === 'zero' && options.noNetwork !== true ? (options.modelDir ?? defaultModelDir(size, options.defaultModelsDir)) : null;
    if (modelDir !== null) {
      const recommended = readNetworkPlaySettings(modelDir);
      const lambda = options.lee?.lambda ?? recommended.lambda;
      const scoreUtility = options.search?.scoreUtility ?? recommended.scoreUtility;
      const withRollouts = lambda !== undefined && lambda > 0;
      // Loaded lazily: tfjs and onnxruntime take a while to load, and the fallback needs neither.
      const { createEvaluator } = await import('../src/nn/create-evaluator.js');
      const { NetThreadEvaluator } = await import('../src/nn/net-thread.js');
      // Rollouts in the search thread (the default): the net on a thread of its own with the other cores,
      // since onnxruntime's forward pass would otherwise stop the rollouts (see src/lee/lee-search.ts).
      const ownThread = withRollouts && (options.lee?.rolloutThreads ?? 0) === 0;
      const threads = options.threads ?? availableParallelism();
      const evaluator = ownThread
        ? await NetThreadEvaluator.open({ modelDir, backend: options.backend, threads: Math.max(1, threads - 1) })
        : await createEvaluator({ modelDir, backend: options.backend, threads: options.threads });
      if (evaluator.info.boardSize === size) {
        const followed = [
          ...(options.lee?.lambda === undefined && recommended.lambda !== undefined ? [`λ = ${recommended.lambda}`] : []),
          ...(options.search?.scoreUtility === undefined && recommended.scoreUtility !== undefined ? [`score utility ${recommended.scoreUtility}`] : []),
          ...(withRollouts && options.lee?.rolloutPolicy === undefined && recommended.rolloutPolicy !== undefined ? [`rollout policy ${recommended.rolloutPolicy}`] : []),
        ];
        if (followed.length > 0) {
          options.log(`${join(modelDir, NETWORK_PLAY_FILE)}: ${followed.join(', ')}${recommended.note !== undefined ? ` (${recommended.note})` : ''}; --lambda / --score-utility / --rollout-policy override`);
        }
        const params = { ...options.search, scoreUtility };
        if (withRollouts) {
          // --lambda with the Zero net: its value mixed with rollouts (AlphaGo Lee's leaf evaluation).
          const { createZeroRolloutGenerator } = await import('../src/lee/lee-generator.js');
          const lee = options.lee ?? { komi: 7.5 };
          try {
            return createZeroRolloutGenerator(evaluator, `${modelDir} on ${evaluator.backend}${ownThread ? ' (own thread)' : ''}`, {
              komi: lee.komi,
              params,
              seed: options.seed,
              rolloutPolicy: lee.rolloutPolicy ?? recommended.rolloutPolicy,
              config: { lambda, expandThreshold: lee.expandThreshold, rolloutThreads: lee.rolloutThreads },
              log: options.log,
            });
          } catch (e) {
            // The net's thread would otherwise keep the process alive after `quit`.
            await evaluator.dispose();
            throw e;
          }
        }
        const { MctsGenerator } = await import('./mcts-generator.js');
        return new MctsGenerator(evaluator, `MCTS with network ${modelDir} on ${evaluator.backend}`, { seed: options.seed ?? null, ...params });
      }
      options.log(`the network in ${modelDir} plays ${evaluator.info.boardSize}x${evaluator.info.boardSize}, not ${size}x${size}`);
      await evaluator.dispose();
    }
    if (!warned.has(size)) {
      warned.add(size);
      options.log(
        `tengen: no network for ${size}x${size}: playing with Monte-Carlo playouts (weak). ` +
          `Give --model DIR for a trained network.`,
      );
    }
    return new PlayoutGenerator({
      defaultPlayouts: fallbackPlayouts(size),
      ...options.playout,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
  };
}
