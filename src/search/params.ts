/**
 * Every knob of the tree search, in one typed object with its defaults in one place (as KataGo's
 * SearchParams): self-play, analysis and match play are different values of the same object, not
 * different code paths.
 */
export type MoveSelection = 'visits' | 'lcb';

export interface SearchParams {
  // ------------------------------------------------------------ limits
  /** Root visits (reused subtree included) a search stops at when the caller gives no limit. */
  visits: number;
  /** Wall-clock limit in ms when the caller gives none; 0 = none. */
  timeMs: number;
  /** Stop early when the most-visited move can no longer be overtaken within the visit limit. */
  earlyStop: boolean;

  // ------------------------------------------------------------ selection (PUCT)
  /** c_puct: weight of the prior term P·√ΣN/(1+N) against Q. Values are in [-1, 1]. */
  cPuct: number;
  /** First-play urgency: an unvisited child's Q is the parent's Q minus this × √(prior mass already visited). */
  fpuReduction: number;
  /** The same at the root (self-play with noise uses 0 so noise-boosted moves get tried). */
  rootFpuReduction: number;
  /** Softmax temperature applied to the net's priors over legal moves (1 = as the net says). */
  policyTemperature: number;

  // ------------------------------------------------------------ batching and virtual loss
  /** Leaves gathered (descents under virtual loss) before one evaluator call. */
  batchSize: number;
  /** Batches in flight at once within one search (async lanes on one thread; > 1 overlaps tree work with a remote net). */
  lanes: number;
  /** Each in-flight descent counts as this many lost visits on its path until its leaf comes back. */
  virtualLoss: number;

  // ------------------------------------------------------------ root noise (self-play)
  /** Dirichlet noise on the root priors. */
  rootNoise: boolean;
  /** Total concentration Σα of the noise; α per legal move = this / legal moves (KataGo: 10.83; AGZ 19×19: 0.03 × 361). */
  dirichletTotalAlpha: number;
  /** ε: weight of the noise in the root priors. */
  dirichletWeight: number;

  // ------------------------------------------------------------ move choice
  /** 'visits': most visited; 'lcb': highest lower confidence bound among well-visited moves (Leela Zero). */
  moveSelection: MoveSelection;
  /** Normal quantile of the LCB (winrate − z·σ/√N). */
  lcbZ: number;
  /** Only moves with at least this fraction of the top move's visits may win on LCB. */
  lcbMinVisitFraction: number;
  /** Sampling temperature τ for the first `temperatureMoves` moves of a game (π ∝ N^(1/τ)); 0 = best move. */
  temperature: number;
  /** Game move number (0-based) from which the best move is played instead of sampling. */
  temperatureMoves: number;

  // ------------------------------------------------------------ passing, resignation, scoring
  /** Never play into the mover's own true single-point eye (keeps the engine from filling eyes instead of passing). */
  avoidOwnEyes: boolean;
  /** With area scoring: pass when the opponent has passed and passing wins now; never pass when passing would lose. */
  areaPassPolicy: boolean;
  /**
   * Under area scoring, pass while the opponent has not just passed only if the network's prior for
   * passing is at least this (0 = no such rule). A first pass hands the opponent a free move; a search that
   * finds every move equally won (rollouts misjudging a group) will choose it in an unfinished game.
   * Moves inside one's own area cost nothing under area scoring, so holding back the pass is safe.
   */
  firstPassMinPrior: number;
  /** Resign when the root and best-move winrates are below this (0 = never). */
  resignThreshold: number;
  /** No resignation before this move number. */
  resignMinMove: number;
  /**
   * Weight w of the score in the value of a finished game (two passes in the tree, and rollouts):
   * (1 − w)·(±1) + w·tanh(margin / scale), see outcome.ts. 0 = win/loss only (the Zero search).
   */
  scoreUtility: number;
  /** Points at which the score term reaches tanh(1) of its weight; 0 = the board's default (size + 1). */
  scoreUtilityScale: number;

  // ------------------------------------------------------------ tree and analysis
  /**
   * AlphaGo Lee's n_thr: a node below this many visits is evaluated again as a leaf (its net value mixed
   * with a fresh plug-in value, e.g. a rollout) instead of being descended through. 1 = expand at once.
   */
  expandThreshold: number;
  /** Keep the chosen child's subtree as the next root. */
  treeReuse: boolean;
  /** Moves in each candidate's principal variation. */
  pvLength: number;
  /** Seed of the search's random numbers (noise, sampling); null = from Math.random. */
  seed: number | null;
}

export const DEFAULT_SEARCH_PARAMS: Readonly<SearchParams> = Object.freeze({
  visits: 800,
  timeMs: 0,
  earlyStop: false,
  cPuct: 1.5,
  fpuReduction: 0.25,
  rootFpuReduction: 0.25,
  policyTemperature: 1,
  batchSize: 8,
  lanes: 1,
  virtualLoss: 1,
  rootNoise: false,
  dirichletTotalAlpha: 10.83,
  dirichletWeight: 0.25,
  moveSelection: 'lcb',
  lcbZ: 1.96,
  lcbMinVisitFraction: 0.1,
  temperature: 0,
  temperatureMoves: 0,
  avoidOwnEyes: true,
  areaPassPolicy: true,
  firstPassMinPrior: 0,
  resignThreshold: 0.05,
  resignMinMove: 20,
  scoreUtility: 0,
  scoreUtilityScale: 0,
  expandThreshold: 1,
  treeReuse: true,
  pvLength: 12,
  seed: null,
});

/** AlphaGo Zero style self-play: noise, temperature 1 for the first 30 moves, most-visited afterwards. */
export const SELF_PLAY_SEARCH_PARAMS: Readonly<Partial<SearchParams>> = Object.freeze({
  rootNoise: true,
  rootFpuReduction: 0,
  temperature: 1,
  temperatureMoves: 30,
  moveSelection: 'visits',
  resignThreshold: 0.05,
});

/** Analysis (lz-analyze / kata-analyze): no noise, no time cut-off of its own, stopped by the caller. */
export const ANALYSIS_SEARCH_PARAMS: Readonly<Partial<SearchParams>> = Object.freeze({
  visits: 1_000_000_000,
  rootNoise: false,
  temperature: 0,
  resignThreshold: 0,
});

/** Match play (GTP genmove, gating): strongest settings, early stop to save clock time. */
export const MATCH_SEARCH_PARAMS: Readonly<Partial<SearchParams>> = Object.freeze({
  rootNoise: false,
  temperature: 0,
  moveSelection: 'lcb',
  earlyStop: true,
});

/** Defaults plus overrides, validated: a bad knob is a clear error, not a silent misbehaviour. */
export function resolveSearchParams(overrides: Partial<SearchParams> = {}): SearchParams {
  const p: SearchParams = { ...DEFAULT_SEARCH_PARAMS };
  for (const [key, value] of Object.entries(overrides) as [keyof SearchParams, unknown][]) {
    if (!(key in DEFAULT_SEARCH_PARAMS)) throw new RangeError(`unknown search parameter '${key}'`);
    if (value !== undefined) (p as unknown as Record<string, unknown>)[key] = value;
  }
  const check = (ok: boolean, key: keyof SearchParams, what: string): void => {
    if (!ok) throw new RangeError(`search parameter ${key} must be ${what}, got ${String(p[key])}`);
  };
  const finite = (x: number): boolean => typeof x === 'number' && Number.isFinite(x);
  const int = (x: number, min: number): boolean => Number.isInteger(x) && x >= min;
  check(int(p.visits, 1), 'visits', 'an integer ≥ 1');
  check(finite(p.timeMs) && p.timeMs >= 0, 'timeMs', '≥ 0');
  check(finite(p.cPuct) && p.cPuct >= 0, 'cPuct', '≥ 0');
  check(finite(p.fpuReduction), 'fpuReduction', 'a number');
  check(finite(p.rootFpuReduction), 'rootFpuReduction', 'a number');
  check(finite(p.policyTemperature) && p.policyTemperature > 0, 'policyTemperature', '> 0');
  check(int(p.batchSize, 1), 'batchSize', 'an integer ≥ 1');
  check(int(p.lanes, 1), 'lanes', 'an integer ≥ 1');
  check(finite(p.virtualLoss) && p.virtualLoss >= 0, 'virtualLoss', '≥ 0');
  check(finite(p.dirichletTotalAlpha) && p.dirichletTotalAlpha > 0, 'dirichletTotalAlpha', '> 0');
  check(finite(p.dirichletWeight) && p.dirichletWeight >= 0 && p.dirichletWeight <= 1, 'dirichletWeight', 'in [0, 1]');
  check(p.moveSelection === 'visits' || p.moveSelection === 'lcb', 'moveSelection', "'visits' or 'lcb'");
  check(finite(p.lcbZ) && p.lcbZ >= 0, 'lcbZ', '≥ 0');
  check(finite(p.lcbMinVisitFraction) && p.lcbMinVisitFraction >= 0 && p.lcbMinVisitFraction <= 1, 'lcbMinVisitFraction', 'in [0, 1]');
  check(finite(p.temperature) && p.temperature >= 0, 'temperature', '≥ 0');
  check(int(p.temperatureMoves, 0), 'temperatureMoves', 'an integer ≥ 0');
  check(finite(p.resignThreshold) && p.resignThreshold >= 0 && p.resignThreshold < 1, 'resignThreshold', 'in [0, 1)');
  check(int(p.resignMinMove, 0), 'resignMinMove', 'an integer ≥ 0');
  check(finite(p.firstPassMinPrior) && p.firstPassMinPrior >= 0 && p.firstPassMinPrior <= 1, 'firstPassMinPrior', 'in [0, 1]');
  check(finite(p.scoreUtility) && p.scoreUtility >= 0 && p.scoreUtility <= 1, 'scoreUtility', 'in [0, 1]');
  check(finite(p.scoreUtilityScale) && p.scoreUtilityScale >= 0, 'scoreUtilityScale', '≥ 0 (0: the board default)');
  check(int(p.expandThreshold, 1), 'expandThreshold', 'an integer ≥ 1');
  check(int(p.pvLength, 1), 'pvLength', 'an integer ≥ 1');
  check(p.seed === null || Number.isInteger(p.seed), 'seed', 'an integer or null');
  return p;
}
