/**
 * The pool's built-in jobs (run inside workers): one search of a position, one self-play game.
 */
import { gameFromSpec, type GameSpec } from './game-spec.js';
import { MctsSearch, type SearchLimits, type SearchResult } from './mcts.js';
import type { SearchParams } from './params.js';
import { playGame, type PlayGameOptions, type PlayedGame } from './play-game.js';
import type { WorkerContext } from './pool-types.js';

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
