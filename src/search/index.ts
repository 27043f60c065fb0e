// The tree search: PUCT MCTS, its parameters, analysis, time management, self-play games and the worker pool.
export {
  MctsSearch,
  isTrueEye,
  type SearchLimits,
  type RunOptions,
  type SearchResult,
  type SearchStats,
  type LeafValueSource,
  type SearchPlugins,
} from './mcts.js';
export {
  DEFAULT_SEARCH_PARAMS,
  SELF_PLAY_SEARCH_PARAMS,
  ANALYSIS_SEARCH_PARAMS,
  MATCH_SEARCH_PARAMS,
  resolveSearchParams,
  type SearchParams,
  type MoveSelection,
} from './params.js';
export { valueToWinrate, type Analysis, type CandidateAnalysis } from './analysis.js';
export { applyAreaPassPolicy, passingWins } from './pass-policy.js';
export { TimeManager, gtpTimeControl, DEFAULT_TIME_POLICY, type TimeControl, type TimePolicy, type ClockState } from './time-manager.js';
export { playGame, type PlayGameOptions, type PlayedGame, type PlayedMove } from './play-game.js';
export { SearchPool, SearchPoolError, mergeResults, compiledSearchModule, type SearchPoolOptions, type JobOptions } from './pool.js';
export type { EvaluatorSource, JobRef, JobFunction, WorkerContext } from './pool-types.js';
export { gameToSpec, gameFromSpec, type GameSpec } from './game-spec.js';
export { SimpleEvaluator, type SimpleEvaluatorOptions } from './simple-evaluator.js';
export { SearchNode, NodeState } from './node.js';
