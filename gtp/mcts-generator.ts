/**
 * The network-backed move generator: src/search's PUCT MCTS over an evaluator from src/nn. Resignation
 * stays the GTP engine's decision (one policy with handicap scaling), so the search's own is turned off.
 */
import type { Game } from '../engine/index.js';
import type { Evaluator } from '../src/nn/evaluator.js';
import { MctsSearch } from '../src/search/mcts.js';
import { MATCH_SEARCH_PARAMS, type SearchParams } from '../src/search/params.js';
import type { MoveGenerator, SearchOutcome, SearchRequest } from './move-generator.js';

/**
 * Search parameters of every GTP move generator: match play (no noise, LCB choice, early stop) with the
 * search's own resignation off, since the GTP engine decides (one policy, with handicap scaling).
 */
export function gtpSearchParams(overrides: Partial<SearchParams> = {}): Partial<SearchParams> {
  return { ...MATCH_SEARCH_PARAMS, resignThreshold: 0, ...overrides };
}

/**
 * One GTP move from a search: the request's limits, analysis stream and abort signal passed on. The
 * search's resignation is off (the GTP engine decides), so 'resign' only comes back as a fallback guard.
 */
export async function searchForGtp(search: MctsSearch, game: Game, request: SearchRequest): Promise<SearchOutcome> {
  const result = await search.run(game, request.limits, {
    onAnalysis: request.onAnalysis,
    analysisIntervalMs: request.analysisIntervalMs,
    signal: request.signal,
  });
  const move = result.move === 'resign' ? (result.analysis.candidates[0]?.move ?? -1) : result.move;
  return { move, analysis: result.analysis };
}

export class MctsGenerator implements MoveGenerator {
  readonly description: string;
  private readonly search_: MctsSearch;

  constructor(
    private readonly evaluator: Evaluator,
    description: string,
    params: Partial<SearchParams> = {},
  ) {
    this.description = description;
    this.search_ = new MctsSearch(evaluator, gtpSearchParams(params));
  }

  search(game: Game, request: SearchRequest): Promise<SearchOutcome> {
    return searchForGtp(this.search_, game, request);
  }

  reset(): void {
    this.search_.reset();
  }

  async dispose(): Promise<void> {
    await this.evaluator.dispose();
  }
}
