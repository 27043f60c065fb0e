/**
 * Chooses what plays: the MCTS with a network when one is given (--model DIR) or a default network for
 * the board size exists (models/<N>x<N>/ in the package), else the Monte-Carlo playout fallback with a
 * clear note on stderr. A network that was asked for but cannot be loaded is an error, not a silent
 * fallback; a network of another board size falls back (GTP controllers change sizes freely).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
        log: options.log,
      });
      if (generator !== null) return generator;
      options.log(`the Lee model set in ${options.modelDir} does not play ${size}x${size}`);
    }
    const modelDir = mode === 'zero' && options.noNetwork !== true ? (options.modelDir ?? defaultModelDir(size, options.defaultModelsDir)) : null;
    if (modelDir !== null) {
      // Loaded lazily: tfjs and onnxruntime take a while to load, and the fallback needs neither.
      const { createEvaluator } = await import('../src/nn/create-evaluator.js');
      const evaluator = await createEvaluator({ modelDir, backend: options.backend, threads: options.threads });
      if (evaluator.info.boardSize === size) {
        const lambda = options.lee?.lambda;
        if (lambda !== undefined && lambda > 0) {
          // --lambda with the Zero net: its value mixed with rollouts (AlphaGo Lee's leaf evaluation).
          const { zeroRolloutSearch } = await import('../src/lee/lee-search.js');
          const { LeeGenerator } = await import('../src/lee/lee-generator.js');
          const { MATCH_SEARCH_PARAMS } = await import('../src/search/params.js');
          const lee = options.lee!;
          const player = zeroRolloutSearch(evaluator, lee.komi, {
            netName: modelDir,
            seed: options.seed,
            rolloutPolicy: lee.rolloutPolicy,
            config: { lambda, expandThreshold: lee.expandThreshold, rolloutThreads: lee.rolloutThreads },
            params: { ...MATCH_SEARCH_PARAMS, resignThreshold: 0, ...(options.seed === undefined ? {} : { seed: options.seed }) },
            log: options.log,
          });
          return new LeeGenerator(player);
        }
        const { MctsGenerator } = await import('./mcts-generator.js');
        return new MctsGenerator(evaluator, `MCTS with network ${modelDir} on ${evaluator.backend}`, { seed: options.seed ?? null });
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
