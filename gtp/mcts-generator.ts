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
 * Search parameters of every GTP move generator: match play (no noise, LCB choice, early stop), no first
 * pass that the network finds unlikely, and the search's own resignation off, since the GTP engine decides
 * (one policy, with handicap scaling).
 */
export function gtpSearchParams(overrides: Partial<SearchParams> = {}): Partial<SearchParams> {
  // An override left undefined (an option not given) keeps this preset's value.
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...MATCH_SEARCH_PARAMS, resignThreshold: 0, firstPassMinPrior: GTP_FIRST_PASS_MIN_PRIOR, ...given };
}

/**
 * A first pass needs the network to find passing at least this likely. Against GNU Go level 10 the shipped
 * 9x9 player passed in unfinished games (a pass at move 46, then a 33.5-point loss); the network's pass
 * prior at the 36 mid-game passes of 90 match games was 0.001–0.45 in 32 of them. At the first of the two
 * final passes it was above 0.5 in 27 of 50 games; where it is lower, one more move inside one's own area
 * costs nothing under area scoring, and the opponent's pass then lets the area pass policy pass.
 */
export const GTP_FIRST_PASS_MIN_PRIOR = 0.5;

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
