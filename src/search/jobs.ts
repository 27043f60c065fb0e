/**
 * The pool's built-in jobs (run inside workers): one search of a position, one self-play game.
 */
import { gameFromSpec, type GameSpec } from './game-spec.js';
import { MctsSearch, type SearchLimits, type SearchResult } from './mcts.js';
import type { SearchParams } from './params.js';
import { playGame, type PlayGameOptions, type PlayedGame } from './play-game.js';
import type { WorkerContext } from './pool-types.js';
import { evaluateFor } from '../nn/evaluator.js';

export interface SearchJobArgs {
  game: GameSpec;
  limits: SearchLimits;
  params?: Partial<SearchParams>;
}

export async function searchJob(ctx: WorkerContext, args: SearchJobArgs): Promise<SearchResult> {
  const search = new MctsSearch(ctx.evaluator, args.params);
  return search.run(gameFromSpec(args.game), args.limits);
}

export async function playGameJob(ctx: WorkerContext, options: PlayGameOptions): Promise<PlayedGame> {
  return playGame(ctx.evaluator, options);
}

export interface RawEvaluateArgs {
  /** Positions per evaluate() call. */
  batch: number;
  /** How long to loop. */
  ms: number;
}

/**
 * The worker's evaluator in a loop on fixed random planes for about `ms`: the net's own throughput in
 * exactly the pool's layout (same sessions, same threads), the reference a pool search is measured
 * against (bench search).
 */
export async function rawEvaluateJob(ctx: WorkerContext, args: RawEvaluateArgs): Promise<{ positions: number; ms: number }> {
  const info = ctx.evaluator.info;
  const planes = new Float32Array(args.batch * info.inputPlanes * info.boardSize * info.boardSize);
  let state = 12345;
  for (let i = 0; i < planes.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    planes[i] = state >>> 30 === 0 ? 1 : 0;
  }
  return evaluateFor(ctx.evaluator, planes, args.batch, args.ms);
}
