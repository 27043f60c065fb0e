/**
 * GTP move generator for `tengen gtp --mode lee|rollout`: the Lee search (lee-search.ts) behind the same
 * MoveGenerator interface as the Zero MCTS, so every GTP command (time controls, analysis, undo, …)
 * works unchanged. Resignation stays the GTP engine's decision, as with the Zero generator.
 */
import type { Game } from '../../engine/game.js';
import { gtpSearchParams, searchForGtp } from '../../gtp/mcts-generator.js';
import type { MoveGenerator, SearchOutcome, SearchRequest } from '../../gtp/move-generator.js';
import type { Evaluator } from '../nn/evaluator.js';
import { leeSearch, rolloutSearch, zeroRolloutSearch, type LeePlayer, type LeeSearchOptions, type PlayMode } from './lee-search.js';

export class LeeGenerator implements MoveGenerator {
  readonly description: string;

  constructor(readonly player: LeePlayer) {
    this.description = player.description;
  }

  async search(game: Game, request: SearchRequest): Promise<SearchOutcome> {
    this.player.leaf.setKomi(game.effectiveKomi);
    return searchForGtp(this.player.search, game, request);
  }

  reset(): void {
    this.player.search.reset();
  }

  async dispose(): Promise<void> {
    await this.player.dispose();
  }
}

export interface LeeGeneratorOptions extends LeeSearchOptions {
  mode: Exclude<PlayMode, 'zero'>;
  /** The Lee model set (mode lee). */
  modelSet?: string;
  komi: number;
}

/**
 * The generator for a board size, or null when the model set plays another size (the caller falls back
 * and says so). Match-play parameters: no noise, LCB choice, early stop, no resignation of its own.
 */
export async function createLeeGenerator(size: number, options: LeeGeneratorOptions): Promise<LeeGenerator | null> {
  const params = gtpSearchParams({ seed: options.seed, ...options.params });
  if (options.mode === 'rollout') return new LeeGenerator(rolloutSearch(size, options.komi, { ...options, params }));
  if (options.modelSet === undefined) throw new Error('--mode lee needs --model DIR: an AlphaGo-Lee model set (lee.json, sl/, value/), e.g. models/9x9-lee');
  const { readLeeModelSet } = await import('./model-set.js');
  const files = await readLeeModelSet(options.modelSet, { policy: options.config?.policy, rolloutPolicy: options.rolloutPolicy });
  if (files.boardSize !== size) return null;
  return new LeeGenerator(await leeSearch(files, options.komi, { ...options, params }));
}

/**
 * `tengen gtp --lambda X` (or a network's play.json) with a Zero network: its priors and value, leaves
 * also scored by rollouts, (1 − λ)·v + λ·rollout (zeroRolloutSearch), with the GTP search parameters.
 */
export function createZeroRolloutGenerator(
  evaluator: Evaluator,
  netName: string,
  options: Omit<LeeSearchOptions, 'backend' | 'threads'> & { komi: number },
): LeeGenerator {
  const params = gtpSearchParams({ seed: options.seed, ...options.params });
  return new LeeGenerator(zeroRolloutSearch(evaluator, options.komi, { ...options, netName, params }));
}
